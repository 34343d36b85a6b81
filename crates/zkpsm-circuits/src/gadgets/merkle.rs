//! Merkle authentication paths of the depth-32 note commitment tree.

use super::poseidon::hash;
use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use zkpsm_primitives::Fq;
use zkpsm_primitives::poseidon;

/// The root reached from `leaf` along `siblings`, where `bits[i]` says the node at level `i` is a
/// right child. Three constraints per level plus one Poseidon hash.
pub fn root<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    leaf: &AllocatedNum<Fq>,
    bits: &[AllocatedBit],
    siblings: &[AllocatedNum<Fq>],
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if bits.len() != siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut current = leaf.clone();
    for (level, (bit, sibling)) in bits.iter().zip(siblings).enumerate() {
        let mut cs = cs.namespace(|| format!("level {level}"));
        let (left, right) = swap_if(&mut cs, bit, &current, sibling)?;
        current = hash(
            cs.namespace(|| "node"),
            poseidon::merkle_node(),
            vec![left, right],
        )?;
    }
    Ok(current)
}

/// The roots reached from `old_leaf` and from `new_leaf` along the same path: replacing one leaf
/// of a tree whose root is the first gives the second. Two hashes per level.
pub fn update<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    old_leaf: &AllocatedNum<Fq>,
    new_leaf: &AllocatedNum<Fq>,
    bits: &[AllocatedBit],
    siblings: &[AllocatedNum<Fq>],
) -> Result<(AllocatedNum<Fq>, AllocatedNum<Fq>), SynthesisError> {
    let old_root = root(cs.namespace(|| "old"), old_leaf, bits, siblings)?;
    let new_root = root(cs.namespace(|| "new"), new_leaf, bits, siblings)?;
    Ok((old_root, new_root))
}

/// The root of the perfect subtree whose leaves are `leaves` (a power of two of them, at least one):
/// `leaves.len() - 1` hashes.
pub fn subtree_root<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    leaves: &[AllocatedNum<Fq>],
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if !leaves.len().is_power_of_two() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut level = leaves.to_vec();
    let mut height = 0;
    while level.len() > 1 {
        level = level
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| {
                hash(
                    cs.namespace(|| format!("height {height} node {i}")),
                    poseidon::merkle_node(),
                    pair.to_vec(),
                )
            })
            .collect::<Result<_, _>>()?;
        height += 1;
    }
    Ok(level.remove(0))
}

/// `(a, b)` if `bit` is 0, `(b, a)` if it is 1.
fn swap_if<CS: ConstraintSystem<Fq>>(
    cs: &mut CS,
    bit: &AllocatedBit,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) -> Result<(AllocatedNum<Fq>, AllocatedNum<Fq>), SynthesisError> {
    let pick = |first: bool| -> Option<Fq> {
        let (a, b, bit) = (a.get_value()?, b.get_value()?, bit.get_value()?);
        Some(if bit == first { b } else { a })
    };
    let left = AllocatedNum::alloc(cs.namespace(|| "left"), || {
        pick(true).ok_or(SynthesisError::AssignmentMissing)
    })?;
    let right = AllocatedNum::alloc(cs.namespace(|| "right"), || {
        pick(false).ok_or(SynthesisError::AssignmentMissing)
    })?;
    // bit * (b - a) = left - a
    cs.enforce(
        || "left = bit ? b : a",
        |lc| lc + bit.get_variable(),
        |lc| lc + b.get_variable() - a.get_variable(),
        |lc| lc + left.get_variable() - a.get_variable(),
    );
    // (a + b - left) * 1 = right
    cs.enforce(
        || "right = a + b - left",
        |lc| lc + a.get_variable() + b.get_variable() - left.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + right.get_variable(),
    );
    Ok((left, right))
}
