//! Verifying and executing the guest without SP1's prover: SP1's light node sets the guest's key
//! up from its ELF and checks core and compressed proofs cryptographically (the default
//! verification of sp1-sdk's `Prover`), and runs SP1's executor on the guest, in seconds and
//! without the prover's keys and memory.

use anyhow::{Context, Result, anyhow};
use sp1_sdk::blocking::{LightProver, Prover};
use sp1_sdk::{
    Elf, ExecutionReport, HashableKey, ProvingKey, SP1ProofWithPublicValues, SP1VerifyingKey,
};
use std::path::Path;
use std::time::{Duration, Instant};
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::Fq;
use zkpsm_transition::RangeStatement;

/// The guest on SP1's light node: its verifying key, and its ELF to execute.
pub struct Sp1Verifier {
    client: LightProver,
    elf: Elf,
    vk: SP1VerifyingKey,
}

impl Sp1Verifier {
    /// Sets the guest at `elf` up on a light node.
    pub fn new(elf: &Path) -> Result<Self> {
        let elf = read_elf(elf)?;
        let client = LightProver::new();
        let vk = client
            .setup(elf.clone())
            .map_err(|e| anyhow!("setting the guest's verifying key up: {e}"))?
            .verifying_key()
            .clone();
        Ok(Self { client, elf, vk })
    }

    /// Executes the guest on a range without proving, on the light node (SP1's executor, without
    /// the prover's keys and memory): its statement, execution report and time.
    pub fn execute(
        &self,
        z_before: &[Fq; Z_LEN],
        witnesses: &[StepWitness],
    ) -> Result<(RangeStatement, ExecutionReport, Duration)> {
        let started = Instant::now();
        let (public_values, report) = self
            .client
            .execute(
                self.elf.clone(),
                crate::backend::stdin(z_before, witnesses)?,
            )
            .run()
            .map_err(|e| anyhow!("executing the guest: {e}"))?;
        let elapsed = started.elapsed();
        let statement = RangeStatement::from_bytes(public_values.as_slice())
            .ok_or_else(|| anyhow!("the guest's public values are no range statement"))?;
        Ok((statement, report, elapsed))
    }

    /// The hash of the guest's verifying key, as genesis pins it.
    pub fn vk_hash(&self) -> String {
        self.vk.bytes32()
    }

    /// Verifies a proof with the guest's key; returns the statement its public values make.
    pub fn verify_statement(&self, proof: &SP1ProofWithPublicValues) -> Result<RangeStatement> {
        verify_with(&self.client, &self.vk, proof)
    }
}

/// Verifies `proof` under `vk` on any SP1 client (all share sp1-sdk's verification) and decodes
/// its public values as a range statement.
pub fn verify_with(
    client: &impl Prover,
    vk: &SP1VerifyingKey,
    proof: &SP1ProofWithPublicValues,
) -> Result<RangeStatement> {
    client
        .verify(proof, vk, None)
        .map_err(|e| anyhow!("the SP1 proof does not verify: {e}"))?;
    RangeStatement::from_bytes(proof.public_values.as_slice())
        .ok_or_else(|| anyhow!("the proof's public values are no range statement"))
}

/// Reads the guest ELF.
pub fn read_elf(elf: &Path) -> Result<Elf> {
    let bytes = std::fs::read(elf).with_context(|| {
        format!(
            "reading the guest ELF {} (build it with scripts/build-sp1-guest)",
            elf.display()
        )
    })?;
    Ok(Elf::from(bytes))
}
