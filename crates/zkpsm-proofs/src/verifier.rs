//! Verifying a transaction: the cheap stateless and context rules first, then the proof, then the
//! comparison of every public value the proof carries with the value computed from the body.

use crate::ProofError;
use crate::keys::{SpendKeys, SpendSnark};
use crate::prover::proof_codec;
use bincode::Options;
use spartan2::traits::snark::R1CSSNARKTrait;
use std::panic::{AssertUnwindSafe, catch_unwind};
use zkpsm_primitives::transaction::{PUBLIC_VALUE_NAMES, PublicValues, Transaction};

/// The chain a transaction is verified for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyContext {
    /// The chain id the transaction must name.
    pub chain_id: String,
    /// The height of the block it would enter; past its expiry it is refused.
    pub height: u64,
}

/// Verifies a transaction and returns its public values.
pub fn verify_transaction(
    keys: &SpendKeys,
    tx: &Transaction,
    context: &VerifyContext,
) -> Result<PublicValues, ProofError> {
    tx.body.check_stateless()?;
    tx.body.check_context(&context.chain_id, context.height)?;
    let expected = tx.body.public_values();
    verify_proof(keys, &tx.proof, &expected)?;
    Ok(expected)
}

/// Verifies proof bytes against the public values computed from a body.
pub fn verify_proof(
    keys: &SpendKeys,
    proof: &[u8],
    expected: &PublicValues,
) -> Result<(), ProofError> {
    let snark: SpendSnark = proof_codec()
        .deserialize(proof)
        .map_err(|e| ProofError::MalformedProof(e.to_string()))?;
    // spartan2 indexes into proof vectors whose lengths come from the proof: a hostile proof must
    // not take the verifier down, so a panic inside verification is a rejection.
    let carried = catch_unwind(AssertUnwindSafe(|| snark.verify(&keys.vk)))
        .map_err(|_| ProofError::MalformedProof("proof structure does not fit the key".into()))?
        .map_err(|e| ProofError::BadProof(e.to_string()))?;
    let expected = expected.to_fields();
    if carried.len() != expected.len() {
        return Err(ProofError::BadProof(format!(
            "{} public values, expected {}",
            carried.len(),
            expected.len()
        )));
    }
    for ((carried, expected), name) in carried.iter().zip(&expected).zip(PUBLIC_VALUE_NAMES) {
        if carried != expected {
            return Err(ProofError::PublicValueMismatch(name));
        }
    }
    Ok(())
}
