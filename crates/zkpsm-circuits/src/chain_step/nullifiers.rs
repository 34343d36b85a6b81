//! One nullifier's absence and insertion in the indexed nullifier tree.
//!
//! The block's new leaves are written together at the end of the step (see `append`), so while the
//! slots are applied they are *pending*: the `j`-th nullifier of the block gets the leaf at index
//! `nf_size + j`, kept as three variables. A nullifier's low leaf is either in the tree (its path
//! is checked against the current root and the update re-points it there) or one of the pending
//! leaves (selected by one bit per earlier nullifier, and re-pointed among the pending leaves).
//! Either way the tree path is checked: when the low leaf is pending, or the slot empty, the path is
//! that of an empty slot and the "update" writes 0 over 0. The union of tree and pending leaves
//! stays one sorted linked list, so the bracket `low.value < nf < low.next_value` (0 is +infinity)
//! has exactly one witness, wherever it lives.

use super::Constants;
use crate::gadgets::compare::{
    canonical_bits, enforce_equal, equal_if, is_zero, less_than, mask, nonzero_if, select,
};
use crate::gadgets::merkle;
use crate::gadgets::poseidon::hash;
use crate::gadgets::range;
use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, LinearCombination, SynthesisError};
use ff::Field;
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::NullifierInsert;
use zkpsm_primitives::tree::TreeShape;

/// The nullifier tree's shape.
const SHAPE: TreeShape = TreeShape::NULLIFIERS;
use zkpsm_primitives::poseidon;

/// A pending leaf of the block: `(value, next_index, next_value)`.
pub(super) struct PendingLeaf {
    pub value: AllocatedNum<Fq>,
    pub next_index: AllocatedNum<Fq>,
    pub next_value: AllocatedNum<Fq>,
}

impl PendingLeaf {
    /// The leaf's hash.
    pub fn hash<CS: ConstraintSystem<Fq>>(
        &self,
        cs: CS,
    ) -> Result<AllocatedNum<Fq>, SynthesisError> {
        leaf_hash(cs, &self.value, &self.next_index, &self.next_value)
    }
}

fn leaf_hash<CS: ConstraintSystem<Fq>>(
    cs: CS,
    value: &AllocatedNum<Fq>,
    next_index: &AllocatedNum<Fq>,
    next_value: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    hash(
        cs,
        poseidon::nullifier_leaf(),
        vec![value.clone(), next_index.clone(), next_value.clone()],
    )
}

fn alloc<CS: ConstraintSystem<Fq>>(cs: CS, value: Fq) -> Result<AllocatedNum<Fq>, SynthesisError> {
    range::alloc(cs, Some(value))
}

/// The nullifier at block position `j` (its new leaf's index is `index`, i.e. `nf_size + j`):
/// absent from the tree and the pending leaves, then inserted. Updates `nf_root` and appends its
/// pending leaf to `pending`; returns the nullifier.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    k: &Constants,
    enabled: &AllocatedBit,
    index: &AllocatedNum<Fq>,
    w: &NullifierInsert,
    nf_root: &mut AllocatedNum<Fq>,
    pending: &mut Vec<PendingLeaf>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let nf = alloc(cs.namespace(|| "nullifier"), w.nullifier.0)?;
    nonzero_if(cs.namespace(|| "nullifier is nonzero"), enabled, &nf)?;
    let low_value = alloc(cs.namespace(|| "low value"), w.low_leaf.value)?;
    let low_next_index = alloc(
        cs.namespace(|| "low next index"),
        Fq::from(w.low_leaf.next_index),
    )?;
    let low_next_value = alloc(cs.namespace(|| "low next value"), w.low_leaf.next_value)?;

    // Is the low leaf one of the pending leaves? One bit per earlier nullifier of the block.
    let selectors = (0..pending.len())
        .map(|m| {
            AllocatedBit::alloc(
                cs.namespace(|| format!("low is pending {m}")),
                Some(w.low_in_block == Some(m as u32)),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sum = selectors
        .iter()
        .fold(LinearCombination::zero(), |lc, s| lc + s.get_variable());
    let is_pending = selectors.iter().any(|s| s.get_value() == Some(true));
    cs.enforce(
        || "at most one pending low leaf",
        |lc| lc + &sum,
        |lc| lc + CS::one() - &sum,
        |lc| lc,
    );
    cs.enforce(
        || "a pending low leaf only for an enabled slot",
        |lc| lc + &sum,
        |lc| lc + CS::one() - enabled.get_variable(),
        |lc| lc,
    );
    for (m, (s, leaf)) in selectors.iter().zip(pending.iter()).enumerate() {
        for (name, low, field) in [
            ("value", &low_value, &leaf.value),
            ("next index", &low_next_index, &leaf.next_index),
            ("next value", &low_next_value, &leaf.next_value),
        ] {
            equal_if(
                cs.namespace(|| format!("pending {m} is the low leaf: {name}")),
                s,
                low,
                field,
            );
        }
    }

    // In the tree: the low leaf's path, re-pointed at the new leaf. Pending or empty: an empty
    // slot's path, 0 written over 0.
    let in_tree = AllocatedBit::alloc(
        cs.namespace(|| "low leaf in the tree"),
        enabled.get_value().map(|e| e && !is_pending),
    )?;
    cs.enforce(
        || "in tree = enabled * (1 - pending)",
        |lc| lc + enabled.get_variable(),
        |lc| lc + CS::one() - &sum,
        |lc| lc + in_tree.get_variable(),
    );
    let low = leaf_hash(
        cs.namespace(|| "low leaf"),
        &low_value,
        &low_next_index,
        &low_next_value,
    )?;
    let updated_low = leaf_hash(cs.namespace(|| "updated low leaf"), &low_value, index, &nf)?;
    let old_leaf = mask(cs.namespace(|| "tree low leaf"), &in_tree, &low)?;
    let new_leaf = mask(
        cs.namespace(|| "tree updated low leaf"),
        &in_tree,
        &updated_low,
    )?;
    let bits = (0..SHAPE.index_bits())
        .map(|i| {
            AllocatedBit::alloc(
                cs.namespace(|| format!("low path bit {i}")),
                Some((w.low_path.index >> i) & 1 == 1),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Out of the tree, the path is that of the new leaf's own (still empty) slot.
    let packed = range::pack(&bits);
    cs.enforce(
        || "out of the tree, the path is the new leaf's slot",
        |lc| lc + CS::one() - in_tree.get_variable(),
        |lc| lc + &packed - index.get_variable(),
        |lc| lc,
    );
    let siblings = w
        .low_path
        .siblings
        .iter()
        .enumerate()
        .map(|(i, s)| alloc(cs.namespace(|| format!("low path sibling {i}")), s.0))
        .collect::<Result<Vec<_>, _>>()?;
    if siblings.len() != SHAPE.path_len(0) {
        return Err(SynthesisError::Unsatisfiable);
    }
    let (old_root, new_root) = merkle::update_in(
        cs.namespace(|| "low leaf update"),
        SHAPE,
        &old_leaf,
        &new_leaf,
        &bits,
        &siblings,
    )?;
    enforce_equal(
        cs.namespace(|| "low leaf path is in the tree"),
        &old_root,
        nf_root,
    );
    *nf_root = new_root;

    // The low leaf brackets the nullifier: low.value < nf < low.next_value (0 is +infinity).
    let nf_bits = canonical_bits(cs.namespace(|| "nullifier bits"), &nf)?;
    let low_bits = canonical_bits(cs.namespace(|| "low value bits"), &low_value)?;
    let next_bits = canonical_bits(cs.namespace(|| "low next value bits"), &low_next_value)?;
    let above_low = less_than(cs.namespace(|| "low < nf"), &low_bits, &nf_bits)?;
    equal_if(
        cs.namespace(|| "above the low leaf"),
        enabled,
        &above_low,
        &k.one,
    );
    let below_next = less_than(cs.namespace(|| "nf < next"), &nf_bits, &next_bits)?;
    let next_is_infinity = is_zero(cs.namespace(|| "next is infinity"), &low_next_value)?;
    let gap_open = range::alloc(
        cs.namespace(|| "gap open"),
        below_next
            .get_value()
            .zip(next_is_infinity.get_value())
            .map(|(b, n)| (Fq::ONE - b) * (Fq::ONE - n)),
    )?;
    cs.enforce(
        || "gap open = (1 - below next) (1 - next is infinity)",
        |lc| lc + CS::one() - below_next.get_variable(),
        |lc| lc + CS::one() - next_is_infinity.get_variable(),
        |lc| lc + gap_open.get_variable(),
    );
    cs.enforce(
        || "enabled => below the next leaf",
        |lc| lc + enabled.get_variable(),
        |lc| lc + gap_open.get_variable(),
        |lc| lc,
    );

    // A pending low leaf is re-pointed at the new leaf.
    for (m, (s, leaf)) in selectors.iter().zip(pending.iter_mut()).enumerate() {
        leaf.next_index = select(
            cs.namespace(|| format!("pending {m} next index")),
            s,
            index,
            &leaf.next_index,
        )?;
        leaf.next_value = select(
            cs.namespace(|| format!("pending {m} next value")),
            s,
            &nf,
            &leaf.next_value,
        )?;
    }
    pending.push(PendingLeaf {
        value: nf.clone(),
        next_index: low_next_index,
        next_value: low_next_value,
    });
    Ok(nf)
}
