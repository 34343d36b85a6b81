//! Provers of block ranges behind one interface: the Nova chain IVC here, and a zkVM backend (the
//! SP1 host, built outside the default workspace) proving the same transition from the same step
//! witnesses.

use crate::ProofError;
use crate::chain::{ChainParams, ChainProof, ChainProver};
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};

/// A prover of consecutive blocks' state transition.
pub trait TransitionProver {
    /// Its proofs.
    type Proof;

    /// Proves the blocks whose step witnesses are `witnesses`, in order, from `z_before`.
    fn prove_range(
        &self,
        z_before: &[Fq; Z_LEN],
        witnesses: &[StepWitness],
    ) -> Result<Self::Proof, ProofError>;

    /// Verifies `proof` of a range that starts at `z_before`; returns `z` after it and its number
    /// of blocks.
    fn verify_range(
        &self,
        z_before: &[Fq; Z_LEN],
        proof: &Self::Proof,
    ) -> Result<([Fq; Z_LEN], u64), ProofError>;
}

/// The Nova backend: one IVC step per block, compressed into a zero-knowledge `CompressedSNARK`.
pub struct NovaTransitionProver<'a> {
    params: &'a ChainParams,
}

impl<'a> NovaTransitionProver<'a> {
    /// The backend with these parameters (the step capacity fixes them).
    pub fn new(params: &'a ChainParams) -> Self {
        Self { params }
    }
}

impl TransitionProver for NovaTransitionProver<'_> {
    type Proof = ChainProof;

    fn prove_range(
        &self,
        z_before: &[Fq; Z_LEN],
        witnesses: &[StepWitness],
    ) -> Result<ChainProof, ProofError> {
        let mut prover = ChainProver::new(*z_before);
        for w in witnesses {
            prover.prove_step(self.params, w.clone())?;
        }
        prover.compress(self.params)
    }

    fn verify_range(
        &self,
        z_before: &[Fq; Z_LEN],
        proof: &ChainProof,
    ) -> Result<([Fq; Z_LEN], u64), ProofError> {
        self.params.verifier_key().verify(z_before, proof)?;
        Ok((proof.state(), proof.height))
    }
}
