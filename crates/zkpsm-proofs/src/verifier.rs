//! Verifying a transaction: the cheap stateless and context rules first, then the proof, then the
//! comparison of every public value the proof carries with the value computed from the body.

use crate::ProofError;
use crate::keys::{SpendKeys, SpendSnark};
use crate::prover::proof_codec;
use bincode::Options;
use rayon::prelude::*;
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
    check_body(tx, context)?;
    let expected = tx.body.public_values();
    verify_proof(keys, &tx.proof, &expected)?;
    Ok(expected)
}

/// The checks of a transaction before its proof: stateless, then against the chain.
fn check_body(tx: &Transaction, context: &VerifyContext) -> Result<(), ProofError> {
    tx.body.check_stateless()?;
    tx.body.check_context(&context.chain_id, context.height)?;
    Ok(())
}

/// Decodes proof bytes, bounded by the codec's limit.
fn decode_proof(proof: &[u8]) -> Result<SpendSnark, ProofError> {
    proof_codec()
        .deserialize(proof)
        .map_err(|e| ProofError::MalformedProof(e.to_string()))
}

/// Verifies transactions together and returns each one's verdict, in order: their bodies' checks
/// one by one, then the proofs of those that pass as [`verify_proofs`] does (one random linear
/// combination of their openings, each proof alone if that fails). A batch of one is
/// [`verify_transaction`].
pub fn verify_batch(
    keys: &SpendKeys,
    txs: &[&Transaction],
    context: &VerifyContext,
) -> Vec<Result<PublicValues, ProofError>> {
    let mut verdicts = Vec::with_capacity(txs.len());
    let mut indices = Vec::new();
    let mut items = Vec::new();
    for (i, tx) in txs.iter().enumerate() {
        match check_body(tx, context) {
            Ok(()) => {
                let expected = tx.body.public_values();
                indices.push(i);
                items.push((tx.proof.as_slice(), expected));
                verdicts.push(Ok(expected));
            }
            Err(e) => verdicts.push(Err(e)),
        }
    }
    for (i, checked) in indices.into_iter().zip(verify_proofs(keys, &items)) {
        if let Err(e) = checked {
            verdicts[i] = Err(e);
        }
    }
    verdicts
}

/// Verifies proofs (as bytes) against the public values computed from their bodies, together,
/// and returns each one's verdict, in order: the batched form of [`verify_proof`], for callers
/// that have already run a transaction's other checks (block execution, admission). Their
/// openings are checked as one random linear combination (spartan2's `verify_batch`, with
/// weights of 128 bits no submitter can predict); if that fails, each proof is verified alone, so
/// a bad one is named and the others still pass.
pub fn verify_proofs(
    keys: &SpendKeys,
    items: &[(&[u8], PublicValues)],
) -> Vec<Result<(), ProofError>> {
    let mut verdicts: Vec<Result<(), ProofError>> = Vec::with_capacity(items.len());
    let mut indices = Vec::new();
    let mut snarks = Vec::new();
    let mut expected = Vec::new();
    // Decoding decompresses every point of a proof (a square root each), a few milliseconds per
    // proof: it runs in parallel, as the batch's per-proof checks do.
    let decoded: Vec<_> = items
        .par_iter()
        .map(|(proof, _)| decode_proof(proof))
        .collect();
    for (i, ((_, values), decoded)) in items.iter().zip(decoded).enumerate() {
        match decoded {
            Ok(snark) => {
                indices.push(i);
                snarks.push(snark);
                expected.push(*values);
                verdicts.push(Ok(()));
            }
            Err(e) => verdicts.push(Err(e)),
        }
    }
    for (i, checked) in indices
        .into_iter()
        .zip(verify_decoded_batch(keys, &snarks, &expected))
    {
        verdicts[i] = checked;
    }
    verdicts
}

/// Verifies decoded proofs against their expected public values: as one batch when there are
/// several, and one by one (naming the bad ones) when there is one or the batch fails.
fn verify_decoded_batch(
    keys: &SpendKeys,
    snarks: &[SpendSnark],
    expected: &[PublicValues],
) -> Vec<Result<(), ProofError>> {
    let carried = if snarks.len() < 2 {
        None
    } else {
        let carried = catch_unwind(AssertUnwindSafe(|| {
            SpendSnark::verify_batch(snarks, &keys.vk)
        }))
        .ok()
        .and_then(Result::ok);
        if carried.is_none() {
            tracing::debug!(
                proofs = snarks.len(),
                "batch verification failed: verifying each proof alone"
            );
        }
        carried
    };
    snarks
        .iter()
        .zip(expected)
        .enumerate()
        .map(|(k, (snark, expected))| match &carried {
            Some(carried) => check_public_values(&carried[k], expected),
            None => verify_decoded(keys, snark, expected),
        })
        .collect()
}

/// Verifies proof bytes against the public values computed from a body.
pub fn verify_proof(
    keys: &SpendKeys,
    proof: &[u8],
    expected: &PublicValues,
) -> Result<(), ProofError> {
    verify_decoded(keys, &decode_proof(proof)?, expected)
}

/// Verifies a decoded proof against the public values computed from a body.
fn verify_decoded(
    keys: &SpendKeys,
    snark: &SpendSnark,
    expected: &PublicValues,
) -> Result<(), ProofError> {
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
    decode_proof(proof)?
        .part_sizes(proof_codec())
        .map_err(|e| ProofError::MalformedProof(e.to_string()))
}
