//! The block state transition of zkpsm as plain Rust: what the chain step circuit proves, checked
//! and applied natively from the same witness. The executor runs it on every block it commits (so
//! the state it commits is the output of the very function that is proven), the chain step circuit
//! proves the same relation, and a zkVM guest can run it unchanged: it uses only the primitives'
//! field, Poseidon and types, and no I/O.
//!
//! `apply(z, witness)` checks, slot by slot in block order (a block's transactions fill the first
//! slots): the anchor is a nonzero member of the ring of recent anchors; each nullifier is nonzero,
//! bracketed by its low leaf (in the tree, or pending from an earlier nullifier of the block) and
//! inserted; the fee is burned from the supply, which may not go below zero; the transaction's
//! effects are folded into the effects digest. Then the block's new nullifier leaves and note
//! commitments are written into their trees at once, the new note root replaces the oldest anchor
//! in its ring slot, and the block hash chain is extended. It returns `z'`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod append;
pub mod error;
mod nullifiers;
pub mod prover;
pub mod range;

pub use error::{TransitionError, Tree};
pub use prover::TransitionProver;
pub use range::{RangeStatement, apply_range};
use zkpsm_primitives::chain_step::{
    ARITY, EffectKind, EffectsDigest, NodePath, StepWitness, Z_LEN, next_block_chain_hash,
};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::tree::TreeShape;

use zkpsm_primitives::chain_step::z_at as at;

/// What one block's transition states: the state before and after, and the block's digest (the
/// hash of its transaction ids, which the step binds into the block hash chain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `z` before the block.
    pub z_before: [Fq; Z_LEN],
    /// `z` after the block.
    pub z_after: [Fq; Z_LEN],
    /// The hash of the block's transaction ids.
    pub block_digest: Fq,
}

/// A `u64` held in `z` (height, sizes, supply), or an overflow error.
fn small(x: &Fq) -> Result<u64, TransitionError> {
    let bytes = zkpsm_primitives::field::to_bytes(x);
    if bytes[8..].iter().any(|b| *b != 0) {
        return Err(TransitionError::Overflow);
    }
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[..8]);
    Ok(u64::from_le_bytes(low))
}

/// Applies one block's transition to `z` as `witness` describes it; returns `z'`, or the rule the
/// block breaks.
pub fn apply(z: &[Fq; Z_LEN], witness: &StepWitness) -> Result<[Fq; Z_LEN], TransitionError> {
    statement(z, witness).map(|s| s.z_after)
}

/// Applies one block's transition and returns its [`Statement`].
pub fn statement(z: &[Fq; Z_LEN], witness: &StepWitness) -> Result<Statement, TransitionError> {
    if witness.txs.is_empty() {
        return Err(TransitionError::Shape("a step has at least one slot"));
    }
    let height = small(&z[at::HEIGHT])?;
    let cm_size = small(&z[at::CM_SIZE])?;
    let nf_size = small(&z[at::NF_SIZE])?;
    let mut supply = small(&z[at::SUPPLY])?;
    let ring = TreeShape::ANCHOR_RING;
    let mut nf_root = z[at::NF_ROOT];
    let mut effects = EffectsDigest::default();
    let mut pending = Vec::with_capacity(ARITY * witness.txs.len());
    let mut enabled_pending = Vec::with_capacity(ARITY * witness.txs.len());
    let mut commitments = Vec::with_capacity(ARITY * witness.txs.len());
    let mut added = 0u64;
    if let Some(i) =
        (1..witness.txs.len()).find(|&i| witness.txs[i].enabled && !witness.txs[i - 1].enabled)
    {
        return Err(TransitionError::SlotsOutOfOrder(i));
    }
    for (i, slot) in witness.txs.iter().enumerate() {
        let e = slot.enabled;
        if e {
            if slot.anchor.0 == Fq::from(0) {
                return Err(TransitionError::ZeroAnchor(i));
            }
            let root = ring
                .root_from(0, slot.anchor.0, &slot.anchor_path)
                .ok_or(TransitionError::Shape("anchor path"))?;
            if root != z[at::ANCHORS_ROOT] {
                return Err(TransitionError::AnchorNotRecent(i));
            }
        }
        for w in &slot.nullifiers {
            let j = pending.len();
            let index = nf_size
                .checked_add(j as u64)
                .ok_or(TransitionError::Overflow)?;
            nullifiers::insert(j, e, index, w, &mut nf_root, &mut pending)?;
            enabled_pending.push(e);
        }
        for cm in &slot.commitments {
            commitments.push(if e { cm.0 } else { Fq::from(0) });
        }
        if e {
            supply = supply
                .checked_sub(slot.fee)
                .ok_or(TransitionError::SupplyUnderflow)?;
            effects.absorb_tx(
                slot.anchor.0,
                slot.nullifiers.each_ref().map(|n| n.nullifier.0),
                slot.commitments.map(|c| c.0),
                slot.fee,
            );
            added += ARITY as u64;
        }
    }

    let new_leaves: Vec<Fq> = pending
        .iter()
        .zip(&enabled_pending)
        .map(|(leaf, e)| if *e { leaf.hash() } else { Fq::from(0) })
        .collect();
    let nf_root = append::append(
        Tree::Nullifiers,
        TreeShape::NULLIFIERS,
        nf_size,
        &new_leaves,
        nf_root,
        &witness.nullifier_append,
    )?;
    let cm_root = append::append(
        Tree::Notes,
        TreeShape::NOTES,
        cm_size,
        &commitments,
        z[at::CM_ROOT],
        &witness.commitment_append,
    )?;

    effects.absorb(EffectKind::NewAnchor, cm_root);
    let height = height.checked_add(1).ok_or(TransitionError::Overflow)?;
    if height >> TreeShape::NOTES.levels != 0 {
        return Err(TransitionError::Overflow);
    }
    let slot = NodePath {
        index: zkpsm_primitives::chain_step::anchor_slot(height),
        siblings: witness.new_anchor_path.siblings.clone(),
    };
    let old_ring = ring
        .root_from(0, witness.replaced_anchor.0, &slot)
        .ok_or(TransitionError::Shape("new anchor path"))?;
    if old_ring != z[at::ANCHORS_ROOT] {
        return Err(TransitionError::ReplacedAnchorNotInRing);
    }
    let anchors_root = ring
        .root_from(0, cm_root, &slot)
        .ok_or(TransitionError::Shape("new anchor path"))?;
    let grow = |size: u64| size.checked_add(added).ok_or(TransitionError::Overflow);
    let z_after = [
        Fq::from(height),
        cm_root,
        Fq::from(grow(cm_size)?),
        nf_root,
        Fq::from(grow(nf_size)?),
        anchors_root,
        Fq::from(supply),
        next_block_chain_hash(z[at::BLOCK_CHAIN_HASH], effects, witness.txs_hash.0),
    ];
    Ok(Statement {
        z_before: *z,
        z_after,
        block_digest: witness.txs_hash.0,
    })
}
