//! Hashing of the note commitment tree: an append-only Poseidon Merkle tree of depth 32, whose
//! roots are the anchors transactions prove membership against.

use crate::field::Fq;
use crate::field_newtype;
use crate::note::NoteCommitment;
use crate::poseidon;
use ff::Field;
use std::sync::OnceLock;

/// Depth of the note commitment tree: room for 2^32 notes.
pub const DEPTH: usize = 32;

/// The value of an empty leaf. No note commitment (a Poseidon output) equals it except with
/// negligible probability.
pub const EMPTY_LEAF: Fq = Fq::ZERO;

field_newtype!(
    /// A root of the note commitment tree, which a transaction names as its anchor.
    Anchor
);

/// An inner node: `H(left, right)` in the Merkle domain.
pub fn node(left: Fq, right: Fq) -> Fq {
    poseidon::hash(poseidon::merkle_node(), &[left, right])
}

/// `empty_root(h)`: the root of an empty subtree of height `h` (0 is a leaf), for `h` in `0..=DEPTH`.
///
/// # Panics
/// If `height` exceeds `DEPTH`.
pub fn empty_root(height: usize) -> Fq {
    static ROOTS: [OnceLock<Fq>; DEPTH + 1] = [const { OnceLock::new() }; DEPTH + 1];
    memoised_empty_root(&ROOTS, height, &|child| node(child, child))
}

/// The empty root at `height` from `roots`, a memo of one tree's empty roots by height: each is
/// hashed once, from the one below, when first asked for. Only the heights asked for and those below
/// them are ever hashed, which a zkVM guest (that asks for a block's group height only) pays for.
///
/// # Panics
/// If `height` is not below `roots.len()`.
pub(crate) fn memoised_empty_root(
    roots: &[OnceLock<Fq>],
    height: usize,
    parent: &dyn Fn(Fq) -> Fq,
) -> Fq {
    if height == 0 {
        return EMPTY_LEAF;
    }
    *roots[height].get_or_init(|| parent(memoised_empty_root(roots, height - 1, parent)))
}

/// A node of a Poseidon Merkle tree, as zcash's `incrementalmerkletree` and `shardtree` see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MerkleHash(pub Fq);

impl incrementalmerkletree::Hashable for MerkleHash {
    fn empty_leaf() -> Self {
        MerkleHash(EMPTY_LEAF)
    }

    fn combine(_level: incrementalmerkletree::Level, a: &Self, b: &Self) -> Self {
        MerkleHash(node(a.0, b.0))
    }

    fn empty_root(level: incrementalmerkletree::Level) -> Self {
        MerkleHash(empty_root(usize::from(u8::from(level))))
    }
}

/// The authentication path of one leaf: its position (whose bits, least significant first, say
/// whether the node is a right child at each level) and the 32 sibling hashes from the leaf up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MerklePath {
    /// The leaf's index; its bits are the path's directions.
    pub position: u32,
    /// Sibling hashes from the leaf level up to just below the root.
    pub siblings: [Fq; DEPTH],
}

impl MerklePath {
    /// The root reached from `leaf` along this path.
    pub fn root(&self, leaf: NoteCommitment) -> Anchor {
        let mut current = leaf.0;
        for (level, sibling) in self.siblings.iter().enumerate() {
            current = if (self.position >> level) & 1 == 1 {
                node(*sibling, current)
            } else {
                node(current, *sibling)
            };
        }
        Anchor(current)
    }

    /// A path that reaches no real root: the witness of a dummy input (value 0).
    pub fn dummy(position: u32) -> Self {
        Self {
            position,
            siblings: std::array::from_fn(empty_root),
        }
    }
}

/// A small tree held wholly in memory: for examples, tests and benchmarks. Nodes and wallets keep
/// their trees in `shardtree`.
#[derive(Clone, Debug)]
pub struct MemoryTree {
    /// `levels[0]` are the leaves; `levels[h]` the nodes at height `h` that have a leaf below them.
    levels: Vec<Vec<Fq>>,
}

impl MemoryTree {
    /// A tree holding these commitments at positions `0..len`.
    pub fn new(leaves: &[NoteCommitment]) -> Self {
        let mut levels = vec![leaves.iter().map(|c| c.0).collect::<Vec<_>>()];
        for h in 0..DEPTH {
            let below = &levels[h];
            let above = below
                .chunks(2)
                .map(|pair| node(pair[0], pair.get(1).copied().unwrap_or(empty_root(h))))
                .collect();
            levels.push(above);
        }
        Self { levels }
    }

    /// The root (the anchor of this tree).
    pub fn root(&self) -> Anchor {
        Anchor(
            self.levels[DEPTH]
                .first()
                .copied()
                .unwrap_or(empty_root(DEPTH)),
        )
    }

    /// The path of the leaf at `position`, or `None` past the last leaf.
    pub fn path(&self, position: u32) -> Option<MerklePath> {
        if position as usize >= self.levels[0].len() {
            return None;
        }
        let siblings = std::array::from_fn(|h| {
            let index = (position as usize >> h) ^ 1;
            self.levels[h].get(index).copied().unwrap_or(empty_root(h))
        });
        Some(MerklePath { position, siblings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_frontier_agrees_with_memory_tree() {
        use incrementalmerkletree::frontier::Frontier;
        let leaves: Vec<NoteCommitment> = (1..=9u64).map(|i| NoteCommitment(Fq::from(i))).collect();
        let mut frontier = Frontier::<MerkleHash, 32>::empty();
        assert_eq!(frontier.root().0, empty_root(DEPTH));
        for (n, leaf) in leaves.iter().enumerate() {
            assert!(frontier.append(MerkleHash(leaf.0)));
            assert_eq!(
                Anchor(frontier.root().0),
                MemoryTree::new(&leaves[..=n]).root()
            );
        }
    }

    #[test]
    fn paths_of_a_memory_tree_reach_its_root() {
        let leaves: Vec<NoteCommitment> = (1..=5u64).map(|i| NoteCommitment(Fq::from(i))).collect();
        let tree = MemoryTree::new(&leaves);
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i as u32).expect("leaf exists");
            assert_eq!(path.root(*leaf), tree.root());
            assert_ne!(path.root(NoteCommitment(Fq::from(99))), tree.root());
        }
        assert!(tree.path(5).is_none());
        assert_eq!(MemoryTree::new(&[]).root(), Anchor(empty_root(DEPTH)));
    }
}
