//! The shapes of the chain state's Poseidon Merkle trees: the note commitment tree (binary, 32
//! levels, as wallets' `shardtree` witnesses need), the ring of recent anchors (binary, 8 levels)
//! and the indexed nullifier tree (4-ary, 16 levels: the same 2^32 leaves with half the levels, so
//! a nullifier's insertion in the chain step costs 16 hashes of four inputs instead of 32 of two).
//!
//! A node's children are hashed in the tree's own Poseidon domain; an empty leaf is 0. A path lists,
//! level by level from the leaf up, the node's `arity - 1` siblings in child order, without the
//! node itself; the index's digits (base `arity`, least significant first) say where it sits.

use crate::chain_step::{Digest, NodePath};
use crate::field::Fq;
use crate::merkle::node;
use crate::poseidon;
use std::sync::OnceLock;

/// The shape of a Merkle tree: its arity (a power of two) and its number of levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeShape {
    /// `log2` of the arity: 1 for binary, 2 for 4-ary.
    pub arity_log2: usize,
    /// Levels from the leaves to the root.
    pub levels: usize,
}

impl TreeShape {
    /// The note commitment tree.
    pub const NOTES: Self = Self {
        arity_log2: 1,
        levels: 32,
    };
    /// The ring of recent anchors.
    pub const ANCHOR_RING: Self = Self {
        arity_log2: 1,
        levels: crate::chain_step::ANCHOR_RING_DEPTH,
    };
    /// The indexed nullifier tree.
    pub const NULLIFIERS: Self = Self {
        arity_log2: 2,
        levels: 16,
    };

    /// Children per node.
    pub const fn arity(&self) -> usize {
        1 << self.arity_log2
    }

    /// Siblings per level of a path.
    pub const fn siblings_per_level(&self) -> usize {
        self.arity() - 1
    }

    /// Siblings in a path from `level` up to the root.
    pub const fn path_len(&self, level: usize) -> usize {
        (self.levels - level) * self.siblings_per_level()
    }

    /// Leaves the tree holds: `2^(arity_log2 * levels)`.
    pub const fn index_bits(&self) -> usize {
        self.arity_log2 * self.levels
    }

    /// A node from its children (exactly `arity` of them).
    ///
    /// # Panics
    /// If `children.len()` is not the arity: every caller passes one level's children.
    pub fn hash(&self, children: &[Fq]) -> Fq {
        match self.arity_log2 {
            1 => node(children[0], children[1]),
            _ => poseidon::hash(poseidon::nullifier_node(), children),
        }
    }

    /// The root of an empty subtree of height `level` (0 is a leaf).
    pub fn empty_root(&self, level: usize) -> Fq {
        const QUAD_LEVELS: usize = TreeShape::NULLIFIERS.levels;
        static QUAD: [OnceLock<Fq>; QUAD_LEVELS + 1] = [const { OnceLock::new() }; QUAD_LEVELS + 1];
        match self.arity_log2 {
            1 => crate::merkle::empty_root(level),
            _ => crate::merkle::memoised_empty_root(&QUAD, level, &|child| {
                Self::NULLIFIERS.hash(&[child; 4])
            }),
        }
    }

    /// The smallest group level whose groups of `arity^g` leaves hold the `count` new leaves of a
    /// block (at least one level).
    pub fn group_level(&self, count: usize) -> usize {
        let mut level = 1;
        while (1usize << (self.arity_log2 * level)) < count {
            level += 1;
        }
        level
    }

    /// The children of a node at `index` (at its level) from the node itself and its siblings.
    pub fn children(&self, index: u64, current: Fq, siblings: &[Fq]) -> Vec<Fq> {
        let position = (index & (self.arity() as u64 - 1)) as usize;
        let mut children = siblings.to_vec();
        children.insert(position.min(children.len()), current);
        children
    }

    /// The root of the perfect subtree over `leaves` (a power of the arity of them, at least one);
    /// `None` for any other count.
    pub fn subtree_root(&self, leaves: &[Fq]) -> Option<Fq> {
        let arity = self.arity();
        let mut level = leaves.to_vec();
        while level.len() > 1 {
            if !level.len().is_multiple_of(arity) {
                return None;
            }
            level = level.chunks(arity).map(|c| self.hash(c)).collect();
        }
        level.pop()
    }

    /// The root reached from the node `value` at `path` (whose siblings start at `level`).
    /// `None` if the path has the wrong length for that level.
    pub fn root_from(&self, level: usize, value: Fq, path: &NodePath) -> Option<Fq> {
        if path.siblings.len() != self.path_len(level) {
            return None;
        }
        let siblings: Vec<Fq> = path.siblings.iter().map(|d: &Digest| d.0).collect();
        Some(self.climb(path.index, value, &siblings))
    }

    /// The node reached from `value`, the node at `index` of its level, up through `siblings`
    /// (level by level, each level's in child order): the root if they run to the top.
    pub fn climb(&self, index: u64, value: Fq, siblings: &[Fq]) -> Fq {
        siblings.chunks(self.siblings_per_level()).enumerate().fold(
            value,
            |current, (l, siblings)| {
                self.hash(&self.children(index >> (self.arity_log2 * l), current, siblings))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::EMPTY_LEAF;

    #[test]
    fn a_leaf_path_folds_to_the_root_of_its_tree() {
        let shape = TreeShape::NULLIFIERS;
        // A tree with one leaf x at index 6 (digits 2, 1, 0, ...): its root by hand.
        let x = Fq::from(99);
        let mut current = x;
        let mut siblings = Vec::new();
        for level in 0..shape.levels {
            let e = shape.empty_root(level);
            let digit = if level == 0 {
                2
            } else if level == 1 {
                1
            } else {
                0
            };
            let mut children = vec![e; 4];
            children[digit] = current;
            siblings.extend([e; 3].map(Digest));
            current = shape.hash(&children);
        }
        let path = NodePath { index: 6, siblings };
        assert_eq!(shape.root_from(0, x, &path), Some(current));
        assert_eq!(
            shape.root_from(0, EMPTY_LEAF, &path),
            Some(shape.empty_root(shape.levels))
        );
        assert_eq!(shape.root_from(1, x, &path), None);
        assert_eq!(shape.group_level(64), 3);
        assert_eq!(TreeShape::NOTES.group_level(64), 6);
        assert_eq!(shape.group_level(2), 1);
    }
}
