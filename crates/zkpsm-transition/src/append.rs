//! A block's new leaves written into a tree at once, contiguous from its size, through the aligned
//! group that holds the size and the next one: the native twin of the step circuit's batch write.

use crate::error::{TransitionError, Tree};
use zkpsm_primitives::chain_step::{BatchAppend, NodePath};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::tree::TreeShape;

/// Writes `leaves` at `start` into the tree of `shape` whose root is `root`, as witnessed by `w`;
/// returns the new root.
pub(crate) fn append(
    tree: Tree,
    shape: TreeShape,
    start: u64,
    leaves: &[Fq],
    root: Fq,
    w: &BatchAppend,
) -> Result<Fq, TransitionError> {
    let size = w.existing.len();
    let group_bits = w
        .group_bits(shape, leaves.len())
        .ok_or(TransitionError::Shape("batch write group"))?;
    let level = group_bits / shape.arity_log2;
    let index_bits = shape.index_bits();
    if start >> index_bits != 0 {
        return Err(TransitionError::TreeFull(tree));
    }
    let group = start >> group_bits;
    let next = group + 1;
    if next >> (index_bits - group_bits) != 0 {
        return Err(TransitionError::TreeFull(tree));
    }
    let offset = (start - (group << group_bits)) as usize;
    let existing: Vec<Fq> = w.existing.iter().map(|d| d.0).collect();
    let mut first = existing.clone();
    let mut second = vec![Fq::from(0); size];
    for (i, leaf) in leaves.iter().enumerate() {
        let at = offset + i;
        if at < size {
            first[at] += leaf;
        } else {
            second[at - size] = *leaf;
        }
    }
    let subtree = |leaves: &[Fq]| {
        shape
            .subtree_root(leaves)
            .ok_or(TransitionError::Shape("batch write group"))
    };
    let at = |index: u64, path: &NodePath| NodePath {
        index,
        siblings: path.siblings.clone(),
    };
    let root_at = |value: Fq, path: &NodePath| {
        shape
            .root_from(level, value, path)
            .ok_or(TransitionError::Shape("batch write path"))
    };
    let first_path = at(group, &w.first);
    if root_at(subtree(&existing)?, &first_path)? != root {
        return Err(TransitionError::GroupNotInTree(tree));
    }
    let mid = root_at(subtree(&first)?, &first_path)?;
    let second_path = at(next, &w.second);
    if root_at(shape.empty_root(level), &second_path)? != mid {
        return Err(TransitionError::NextGroupNotEmpty(tree));
    }
    root_at(subtree(&second)?, &second_path)
}
