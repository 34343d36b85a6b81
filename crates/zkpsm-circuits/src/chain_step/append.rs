//! A block's new leaves written into a tree at once, contiguous from the tree's size.
//!
//! The `K <= S` new leaves (zeros past the block's real ones) fill positions `start..start + K`,
//! which lie in the aligned group `A = start / S` of `S = arity^g` leaves and possibly in group
//! `A + 1`. The step shifts them right by `r = start mod S` (a barrel shifter on the bits of `r`),
//! adds them to the group's existing leaves (those at offsets `>= r` are empty, an invariant every
//! write keeps: nothing is ever written at or past the tree's size), and replaces the two groups'
//! roots: three subtree roots and four paths from level `g` up, instead of two full paths per
//! leaf.

use crate::gadgets::compare::enforce_equal;
use crate::gadgets::merkle;
use crate::gadgets::range::{self, decompose};
use crate::gadgets::shift::shift_right;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{BatchAppend, NodePath};
use zkpsm_primitives::tree::TreeShape;

/// The constants a write hashes with: the empty leaf and the root of an empty group.
pub(super) struct Empty<'a> {
    /// The empty leaf (0).
    pub leaf: &'a AllocatedNum<Fq>,
    /// The root of an empty group of `S` leaves.
    pub group: &'a AllocatedNum<Fq>,
}

/// Writes `leaves` (at most `S`, where `S = existing.len()` in `w`) at `start` of the tree of
/// `shape` whose root is `root`, and returns the new root.
pub(super) fn append<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    shape: TreeShape,
    start: &AllocatedNum<Fq>,
    leaves: &[AllocatedNum<Fq>],
    root: &AllocatedNum<Fq>,
    empty: Empty<'_>,
    w: &BatchAppend,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let size = w.existing.len();
    let group_bits = w
        .group_bits(shape, leaves.len())
        .ok_or(SynthesisError::Unsatisfiable)?;
    let level = group_bits / shape.arity_log2;
    let index_bits = shape.index_bits();
    let above = index_bits - group_bits;

    // start = A * S + r, with A + 1 still a group of the tree.
    let start_bits = decompose(cs.namespace(|| "start bits"), start, index_bits)?;
    let (offset_bits, group_index_bits) = start_bits.split_at(group_bits);
    let next_group = range::alloc(
        cs.namespace(|| "next group"),
        start.get_value().map(|s| {
            let s = zkpsm_primitives::field::to_le_bits(&s);
            let group = (group_bits..index_bits)
                .fold(0u64, |acc, i| acc | (u64::from(s[i]) << (i - group_bits)));
            Fq::from(group + 1)
        }),
    )?;
    cs.enforce(
        || "next group = A + 1",
        |lc| lc + CS::one() + &range::pack(group_index_bits),
        |lc| lc + CS::one(),
        |lc| lc + next_group.get_variable(),
    );
    let next_bits = decompose(cs.namespace(|| "next group bits"), &next_group, above)?;

    // The new leaves at their offsets in groups A and A + 1.
    let shifted = shift_right(cs.namespace(|| "shift"), leaves, offset_bits, 2 * size)?;
    let existing_values: Vec<Fq> = w.existing.iter().map(|d| d.0).collect();
    let existing = alloc_all(cs.namespace(|| "existing"), &existing_values)?;
    let first = existing
        .iter()
        .zip(&shifted[..size])
        .enumerate()
        .map(|(i, (old, new))| match new {
            None => Ok(old.clone()),
            Some(new) => old.add(cs.namespace(|| format!("first group leaf {i}")), new),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let second: Vec<_> = shifted[size..]
        .iter()
        .map(|c| c.clone().unwrap_or_else(|| empty.leaf.clone()))
        .collect();

    let old_first = merkle::subtree_root_in(cs.namespace(|| "old first group"), shape, &existing)?;
    let new_first = merkle::subtree_root_in(cs.namespace(|| "new first group"), shape, &first)?;
    let new_second = merkle::subtree_root_in(cs.namespace(|| "new second group"), shape, &second)?;

    let path_len = shape.path_len(level);
    let siblings = alloc_path(cs.namespace(|| "first path"), &w.first, path_len)?;
    let (old_root, mid_root) = merkle::update_in(
        cs.namespace(|| "first write"),
        shape,
        &old_first,
        &new_first,
        group_index_bits,
        &siblings,
    )?;
    enforce_equal(
        cs.namespace(|| "first group is in the tree"),
        &old_root,
        root,
    );
    let siblings = alloc_path(cs.namespace(|| "second path"), &w.second, path_len)?;
    let (empty_root, new_root) = merkle::update_in(
        cs.namespace(|| "second write"),
        shape,
        empty.group,
        &new_second,
        &next_bits,
        &siblings,
    )?;
    enforce_equal(
        cs.namespace(|| "second group is empty"),
        &empty_root,
        &mid_root,
    );
    Ok(new_root)
}

fn alloc_all<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    values: &[Fq],
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| range::alloc(cs.namespace(|| format!("{i}")), Some(*v)))
        .collect()
}

fn alloc_path<CS: ConstraintSystem<Fq>>(
    cs: CS,
    path: &NodePath,
    len: usize,
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    if path.siblings.len() != len {
        return Err(SynthesisError::Unsatisfiable);
    }
    let values: Vec<Fq> = path.siblings.iter().map(|s| s.0).collect();
    alloc_all(cs, &values)
}
