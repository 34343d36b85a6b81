//! Merkle paths and subtrees: of the binary note commitment tree (and anchor ring), and of any
//! tree of a [`TreeShape`], the 4-ary nullifier tree among them.

use super::poseidon::hash;
use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, LinearCombination, SynthesisError};
use ff::Field;
use zkpsm_primitives::Fq;
use zkpsm_primitives::poseidon;
use zkpsm_primitives::tree::TreeShape;

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

/// The root of a tree of `shape` reached from `value` at a node whose index has the bits `bits`
/// (`arity_log2` per level, least significant first), along `siblings` (`arity - 1` per level, in
/// child order). Binary: three constraints per level and a hash; 4-ary: seven and a hash of four.
pub fn root_in<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    shape: TreeShape,
    value: &AllocatedNum<Fq>,
    bits: &[AllocatedBit],
    siblings: &[AllocatedNum<Fq>],
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if shape.arity_log2 == 1 {
        return root(cs, value, bits, siblings);
    }
    let per = shape.siblings_per_level();
    if !bits.len().is_multiple_of(2) || siblings.len() != bits.len() / 2 * per {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut current = value.clone();
    for (level, (digit, siblings)) in bits.chunks(2).zip(siblings.chunks(per)).enumerate() {
        let mut cs = cs.namespace(|| format!("level {level}"));
        let children = place4(&mut cs, &digit[0], &digit[1], &current, siblings)?;
        current = hash(
            cs.namespace(|| "node"),
            poseidon::nullifier_node(),
            children,
        )?;
    }
    Ok(current)
}

/// The roots reached from `old` and from `new` along the same path of a tree of `shape`.
pub fn update_in<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    shape: TreeShape,
    old: &AllocatedNum<Fq>,
    new: &AllocatedNum<Fq>,
    bits: &[AllocatedBit],
    siblings: &[AllocatedNum<Fq>],
) -> Result<(AllocatedNum<Fq>, AllocatedNum<Fq>), SynthesisError> {
    let old_root = root_in(cs.namespace(|| "old"), shape, old, bits, siblings)?;
    let new_root = root_in(cs.namespace(|| "new"), shape, new, bits, siblings)?;
    Ok((old_root, new_root))
}

/// The root of the perfect subtree of a tree of `shape` whose leaves are `leaves` (a power of the
/// arity of them).
pub fn subtree_root_in<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    shape: TreeShape,
    leaves: &[AllocatedNum<Fq>],
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if shape.arity_log2 == 1 {
        return subtree_root(cs, leaves);
    }
    let arity = shape.arity();
    let mut level = leaves.to_vec();
    let mut height = 0;
    while level.len() > 1 {
        if !level.len().is_multiple_of(arity) {
            return Err(SynthesisError::Unsatisfiable);
        }
        level = level
            .chunks(arity)
            .enumerate()
            .map(|(i, children)| {
                hash(
                    cs.namespace(|| format!("height {height} node {i}")),
                    poseidon::nullifier_node(),
                    children.to_vec(),
                )
            })
            .collect::<Result<_, _>>()?;
        height += 1;
    }
    level.pop().ok_or(SynthesisError::Unsatisfiable)
}

/// The four children of a node whose position among them is `p = b0 + 2 b1`: `current` at `p`,
/// the three `siblings` in order around it. Seven constraints.
fn place4<CS: ConstraintSystem<Fq>>(
    cs: &mut CS,
    b0: &AllocatedBit,
    b1: &AllocatedBit,
    current: &AllocatedNum<Fq>,
    siblings: &[AllocatedNum<Fq>],
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    let [s0, s1, s2] = siblings else {
        return Err(SynthesisError::Unsatisfiable);
    };
    let both = AllocatedBit::and(cs.namespace(|| "b0 b1"), b0, b1)?;
    let one = CS::one();
    // Indicators of p as linear combinations of b0, b1 and t = b0 b1.
    let is0 = |lc: LinearCombination<Fq>| {
        lc + one - b0.get_variable() - b1.get_variable() + both.get_variable()
    };
    let is1 = |lc: LinearCombination<Fq>| lc + b0.get_variable() - both.get_variable();
    let is2 = |lc: LinearCombination<Fq>| lc + b1.get_variable() - both.get_variable();
    let is3 = |lc: LinearCombination<Fq>| lc + both.get_variable();
    let p = b0
        .get_value()
        .zip(b1.get_value())
        .map(|(a, b)| usize::from(a) + 2 * usize::from(b));
    let value = |i: usize| -> Option<Fq> {
        let p = p?;
        let s = [s0.get_value()?, s1.get_value()?, s2.get_value()?];
        Some(match i.cmp(&p) {
            std::cmp::Ordering::Less => s[i],
            std::cmp::Ordering::Equal => current.get_value()?,
            std::cmp::Ordering::Greater => s[i - 1],
        })
    };
    let alloc = |cs: &mut CS, name: &str, v: Option<Fq>| {
        AllocatedNum::alloc(cs.namespace(|| name.to_owned()), || {
            v.ok_or(SynthesisError::AssignmentMissing)
        })
    };
    let (c, s0v, s1v, s2v) = (
        current.get_variable(),
        s0.get_variable(),
        s1.get_variable(),
        s2.get_variable(),
    );
    // x0 = s0 + [p=0] (c - s0)
    let x0 = alloc(cs, "child 0", value(0))?;
    cs.enforce(
        || "child 0",
        is0,
        |lc| lc + c - s0v,
        |lc| lc + x0.get_variable() - s0v,
    );
    // x3 = s2 + [p=3] (c - s2)
    let x3 = alloc(cs, "child 3", value(3))?;
    cs.enforce(
        || "child 3",
        is3,
        |lc| lc + c - s2v,
        |lc| lc + x3.get_variable() - s2v,
    );
    // x1 = s1 + [p=0] (s0 - s1) + [p=1] (c - s1)
    let u1 = alloc(
        cs,
        "child 1 part",
        p.zip(s0.get_value())
            .zip(s1.get_value())
            .map(|((p, a), b)| if p == 0 { a - b } else { Fq::ZERO }),
    )?;
    cs.enforce(
        || "child 1 part",
        is0,
        |lc| lc + s0v - s1v,
        |lc| lc + u1.get_variable(),
    );
    let x1 = alloc(cs, "child 1", value(1))?;
    cs.enforce(
        || "child 1",
        is1,
        |lc| lc + c - s1v,
        |lc| lc + x1.get_variable() - s1v - u1.get_variable(),
    );
    // x2 = s1 + [p=3] (s2 - s1) + [p=2] (c - s1)
    let u2 = alloc(
        cs,
        "child 2 part",
        p.zip(s2.get_value())
            .zip(s1.get_value())
            .map(|((p, a), b)| if p == 3 { a - b } else { Fq::ZERO }),
    )?;
    cs.enforce(
        || "child 2 part",
        is3,
        |lc| lc + s2v - s1v,
        |lc| lc + u2.get_variable(),
    );
    let x2 = alloc(cs, "child 2", value(2))?;
    cs.enforce(
        || "child 2",
        is2,
        |lc| lc + c - s1v,
        |lc| lc + x2.get_variable() - s1v - u2.get_variable(),
    );
    Ok(vec![x0, x1, x2, x3])
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
