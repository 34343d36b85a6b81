//! The SP1 backend of [`TransitionProver`]: the guest ELF set up once on SP1's prover; a range
//! is proven from `z_before` and the blocks' step witnesses, and a proof is accepted only if it
//! verifies with the guest's key, its public values decode to a range statement, and the
//! statement starts at the `z_before` the caller trusts.

use anyhow::{Result, anyhow, bail};
use sp1_sdk::blocking::{EnvProvingKey, ProveRequest, Prover, ProverClient};
use sp1_sdk::{Elf, HashableKey, ProvingKey, SP1ProofWithPublicValues, SP1Stdin, SP1VerifyingKey};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_transition::{RangeStatement, TransitionProver};

/// The kind of SP1 proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Shard proofs, linear in the cycles.
    Core,
    /// One recursively compressed proof, constant size.
    Compressed,
}

/// The guest on SP1's prover: the CPU prover, or with `SP1_PROVER=cuda` (and a host built with
/// `--features cuda`) SP1's CUDA prover through `sp1-gpu-server`.
pub struct Sp1Backend {
    client: sp1_sdk::blocking::EnvProver,
    elf: Elf,
    pk: OnceLock<EnvProvingKey>,
    /// The kind of proof `prove_range` makes.
    pub mode: Mode,
}

/// The guest's input for a range.
pub fn stdin(z_before: &[Fq; Z_LEN], witnesses: &[StepWitness]) -> Result<SP1Stdin> {
    let mut stdin = SP1Stdin::new();
    let z: Vec<u8> = z_before.iter().flat_map(field::to_bytes).collect();
    stdin.write_vec(z);
    stdin.write_vec(borsh::to_vec(witnesses)?);
    Ok(stdin)
}

/// Reads a saved proof.
pub fn load(path: &Path) -> Result<SP1ProofWithPublicValues> {
    SP1ProofWithPublicValues::load(path)
        .map_err(|e| anyhow!("{} is not an SP1 proof: {e}", path.display()))
}

impl Sp1Backend {
    /// The CPU prover client for the guest at `elf` (its keys are set up on first use).
    pub fn new(elf: &Path, mode: Mode) -> Result<Self> {
        let elf = crate::verifier::read_elf(elf)?;
        let started = Instant::now();
        let kind = std::env::var("SP1_PROVER").unwrap_or_else(|_| "cpu".into());
        if kind != "cpu" && kind != "cuda" {
            bail!(
                "SP1_PROVER={kind}: zkpsm-sp1 proves and verifies with `cpu` (the default) or \
                 `cuda` only (a mock prover would accept proofs it never checked, a light one \
                 cannot prove)"
            );
        }
        let client = ProverClient::from_env();
        eprintln!(
            "zkpsm-sp1: {kind} prover client ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(Self {
            client,
            elf,
            pk: OnceLock::new(),
            mode,
        })
    }

    /// The guest's proving key, set up on first use (about two minutes and 7 GB here).
    fn pk(&self) -> Result<&EnvProvingKey> {
        if let Some(pk) = self.pk.get() {
            return Ok(pk);
        }
        let started = Instant::now();
        let pk = self
            .client
            .setup(self.elf.clone())
            .map_err(|e| anyhow!("setting the guest up: {e}"))?;
        eprintln!(
            "zkpsm-sp1: guest keys ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(self.pk.get_or_init(|| pk))
    }

    /// The guest's verifying key.
    pub fn vk(&self) -> Result<&SP1VerifyingKey> {
        Ok(self.pk()?.verifying_key())
    }

    /// The hash of the guest's verifying key, as genesis pins it.
    pub fn vk_hash(&self) -> Result<String> {
        Ok(self.vk()?.bytes32())
    }

    /// Verifies a proof with the guest's key; returns the statement its public values make.
    pub fn verify_statement(&self, proof: &SP1ProofWithPublicValues) -> Result<RangeStatement> {
        crate::verifier::verify_with(&self.client, self.vk()?, proof)
    }
}

impl TransitionProver for Sp1Backend {
    type Proof = SP1ProofWithPublicValues;
    type Error = anyhow::Error;

    fn prove_range(
        &self,
        z_before: &[Fq; Z_LEN],
        witnesses: &[StepWitness],
    ) -> Result<SP1ProofWithPublicValues> {
        let pk = self.pk()?;
        eprintln!(
            "zkpsm-sp1: proving {} blocks ({:?}; minutes on a CPU; RUST_LOG=info,sp1_prover=debug \
             shows each proven shard)",
            witnesses.len(),
            self.mode
        );
        let request = self.client.prove(pk, stdin(z_before, witnesses)?);
        let request = match self.mode {
            Mode::Core => request.core(),
            Mode::Compressed => request.compressed(),
        };
        request.run().map_err(|e| anyhow!("proving: {e}"))
    }

    fn verify_range(
        &self,
        z_before: &[Fq; Z_LEN],
        proof: &SP1ProofWithPublicValues,
    ) -> Result<([Fq; Z_LEN], u64)> {
        let statement = self.verify_statement(proof)?;
        if statement.z_before != *z_before {
            bail!("the proof's range starts at another state");
        }
        Ok((statement.z_after, statement.blocks))
    }
}
