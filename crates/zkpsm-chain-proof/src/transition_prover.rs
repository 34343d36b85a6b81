//! The Nova backend of [`TransitionProver`]: a range of blocks folded one IVC step each from
//! its first state, and compressed.

use crate::{ChainParams, ChainProof, ChainProver};
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_proofs::ProofError;
use zkpsm_transition::TransitionProver;

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
    type Error = ProofError;

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
