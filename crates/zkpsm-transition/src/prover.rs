//! Provers of block ranges behind one interface: the Nova chain IVC (zkpsm-proofs) and a zkVM
//! backend (the SP1 host, built outside the default workspace) prove the same transition from the
//! same step witnesses.

use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::Fq;

/// A prover of consecutive blocks' state transition.
pub trait TransitionProver {
    /// Its proofs.
    type Proof;
    /// Why proving or verifying failed.
    type Error: core::fmt::Display;

    /// Proves the blocks whose step witnesses are `witnesses`, in order, from `z_before`.
    fn prove_range(
        &self,
        z_before: &[Fq; Z_LEN],
        witnesses: &[StepWitness],
    ) -> Result<Self::Proof, Self::Error>;

    /// Verifies `proof` of a range that starts at `z_before`; returns `z` after it and its number
    /// of blocks.
    fn verify_range(
        &self,
        z_before: &[Fq; Z_LEN],
        proof: &Self::Proof,
    ) -> Result<([Fq; Z_LEN], u64), Self::Error>;
}
