//! A range of consecutive blocks applied one after the other: what a second prover backend (a zkVM
//! guest) states about them, with its fixed byte encoding (its public values).

use crate::{TransitionError, statement};
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::prf::prf_field;

/// The context string of a range's digest.
const RANGE_DIGEST_CONTEXT: &str = "zkpsm 2026 block range digest";

/// Bytes of an encoded [`RangeStatement`].
pub const RANGE_STATEMENT_BYTES: usize = 2 * 32 * Z_LEN + 8 + 32;

/// What applying blocks `A+1..=B` states: `z` after `A` and after `B`, the number of blocks, and a
/// digest of their transaction-id hashes in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeStatement {
    /// `z` before the range.
    pub z_before: [Fq; Z_LEN],
    /// `z` after the range.
    pub z_after: [Fq; Z_LEN],
    /// The number of blocks.
    pub blocks: u64,
    /// `blake3` (as a field element) of the blocks' transaction-id hashes, in order.
    pub digest: Fq,
}

impl RangeStatement {
    /// The fixed encoding: `z_before ‖ z_after` (32-byte little-endian elements) `‖ blocks (u64
    /// LE) ‖ digest`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RANGE_STATEMENT_BYTES);
        for x in self.z_before.iter().chain(&self.z_after) {
            out.extend_from_slice(&field::to_bytes(x));
        }
        out.extend_from_slice(&self.blocks.to_le_bytes());
        out.extend_from_slice(&field::to_bytes(&self.digest));
        out
    }

    /// Decodes [`RangeStatement::to_bytes`]; `None` for any other bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != RANGE_STATEMENT_BYTES {
            return None;
        }
        let element = |i: usize| -> Option<Fq> {
            let chunk: [u8; 32] = bytes.get(32 * i..32 * (i + 1))?.try_into().ok()?;
            field::from_bytes(&chunk, "range statement").ok()
        };
        let mut z = [Fq::from(0); 2 * Z_LEN];
        for (i, x) in z.iter_mut().enumerate() {
            *x = element(i)?;
        }
        let at = 2 * 32 * Z_LEN;
        let blocks = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
        let digest: [u8; 32] = bytes.get(at + 8..)?.try_into().ok()?;
        Some(Self {
            z_before: z[..Z_LEN].try_into().ok()?,
            z_after: z[Z_LEN..].try_into().ok()?,
            blocks,
            digest: field::from_bytes(&digest, "range digest").ok()?,
        })
    }
}

/// The digest of a range's transaction-id hashes.
pub fn range_digest(block_digests: &[Fq]) -> Fq {
    let bytes: Vec<[u8; 32]> = block_digests.iter().map(field::to_bytes).collect();
    let parts: Vec<&[u8]> = bytes.iter().map(|b| b.as_slice()).collect();
    prf_field(RANGE_DIGEST_CONTEXT, &parts)
}

/// Applies the blocks of `witnesses`, in order, from `z_before`; returns the range's statement, or
/// the first block that breaks a rule and why.
pub fn apply_range(
    z_before: &[Fq; Z_LEN],
    witnesses: &[StepWitness],
) -> Result<RangeStatement, (usize, TransitionError)> {
    let mut z = *z_before;
    let mut digests = Vec::with_capacity(witnesses.len());
    for (i, w) in witnesses.iter().enumerate() {
        let s = statement(&z, w).map_err(|e| (i, e))?;
        digests.push(s.block_digest);
        z = s.z_after;
    }
    Ok(RangeStatement {
        z_before: *z_before,
        z_after: z,
        blocks: witnesses.len() as u64,
        digest: range_digest(&digests),
    })
}
