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

/// Verifies transactions together and returns each one's verdict, in order. Their proofs'
/// openings are checked as one random linear combination (spartan2's `verify_batch`, with
/// weights of 128 bits no submitter can predict); if that fails, each proof is verified alone, so
/// a bad one is named and the others still pass. A batch of one is [`verify_transaction`].
pub fn verify_batch(
    keys: &SpendKeys,
    txs: &[&Transaction],
    context: &VerifyContext,
) -> Vec<Result<PublicValues, ProofError>> {
    let mut verdicts: Vec<Result<PublicValues, ProofError>> = Vec::with_capacity(txs.len());
    let mut batch = Vec::new();
    for (i, tx) in txs.iter().enumerate() {
        let decoded = tx
            .body
            .check_stateless()
            .and_then(|()| tx.body.check_context(&context.chain_id, context.height))
            .map_err(ProofError::from)
            .and_then(|()| {
                proof_codec()
                    .deserialize::<SpendSnark>(&tx.proof)
                    .map_err(|e| ProofError::MalformedProof(e.to_string()))
            });
        match decoded {
            Ok(snark) => {
                batch.push((i, snark));
                verdicts.push(Ok(tx.body.public_values()));
            }
            Err(e) => verdicts.push(Err(e)),
        }
    }
    if batch.len() < 2 {
        for (i, _) in batch {
            verdicts[i] = verify_transaction(keys, txs[i], context);
        }
        return verdicts;
    }
    let (indices, snarks): (Vec<usize>, Vec<SpendSnark>) = batch.into_iter().unzip();
    let carried = catch_unwind(AssertUnwindSafe(|| {
        SpendSnark::verify_batch(&snarks, &keys.vk)
    }));
    match carried {
        Ok(Ok(carried)) => {
            for (i, carried) in indices.into_iter().zip(carried) {
                if let Ok(expected) = &verdicts[i]
                    && let Err(e) = check_public_values(&carried, expected)
                {
                    verdicts[i] = Err(e);
                }
            }
        }
        _ => {
            tracing::debug!(
                proofs = indices.len(),
                "batch verification failed: verifying each proof alone"
            );
            for i in indices {
                verdicts[i] = verify_transaction(keys, txs[i], context);
            }
        }
    }
    verdicts
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
    check_public_values(&carried, expected)
}

/// Compares the public values a proof carries with those computed from its body.
fn check_public_values(
    carried: &[zkpsm_primitives::Fq],
    expected: &PublicValues,
) -> Result<(), ProofError> {
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

/// What each part of an encoded spend proof weighs, in bytes, in the order of its fields.
pub fn proof_parts(proof: &[u8]) -> Result<Vec<(&'static str, u64)>, ProofError> {
    let snark: SpendSnark = proof_codec()
        .deserialize(proof)
        .map_err(|e| ProofError::MalformedProof(e.to_string()))?;
    snark
        .part_sizes(proof_codec())
        .map_err(|e| ProofError::MalformedProof(e.to_string()))
}
