//! Errors of proving and verifying.

/// Why a proof could not be made or was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The witness does not satisfy the circuit (named constraint): nothing was proven.
    #[error("the witness does not satisfy the spend circuit (constraint '{0}')")]
    Unsatisfied(String),
    /// The proof bytes do not decode.
    #[error("malformed proof: {0}")]
    MalformedProof(String),
    /// The proof does not verify.
    #[error("proof does not verify: {0}")]
    BadProof(String),
    /// The proof verifies, but for other public values than the body's.
    #[error("public value '{0}' carried by the proof differs from the one computed from the body")]
    PublicValueMismatch(&'static str),
    /// The transaction breaks a rule checked before the proof.
    #[error(transparent)]
    Invalid(#[from] zkpsm_primitives::Error),
    /// A prover-side failure of the proof system.
    #[error("prover failed: {0}")]
    Prover(String),
}
