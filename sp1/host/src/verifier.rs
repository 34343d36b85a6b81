//! Verifying the guest's proofs without SP1's prover: SP1's light node sets the guest's key up
//! from its ELF and checks core and compressed proofs cryptographically (the default verification
//! of sp1-sdk's `Prover`), in seconds and without the prover's keys and memory.

use anyhow::{Context, Result, anyhow};
use sp1_sdk::blocking::{LightProver, Prover};
use sp1_sdk::{Elf, HashableKey, ProvingKey, SP1ProofWithPublicValues, SP1VerifyingKey};
use std::path::Path;
use zkpsm_transition::RangeStatement;

/// The guest's verifying key on SP1's light node.
pub struct Sp1Verifier {
    client: LightProver,
    vk: SP1VerifyingKey,
}

impl Sp1Verifier {
    /// Sets the guest at `elf` up on a light node.
    pub fn new(elf: &Path) -> Result<Self> {
        let elf = read_elf(elf)?;
        let client = LightProver::new();
        let vk = client
            .setup(elf)
            .map_err(|e| anyhow!("setting the guest's verifying key up: {e}"))?
            .verifying_key()
            .clone();
        Ok(Self { client, vk })
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
