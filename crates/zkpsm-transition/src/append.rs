//! A block's new leaves written into a tree at once, contiguous from its size, through the aligned
//! group that holds the size and the next one: the native twin of the step circuit's batch write.
//! The circuit climbs four whole paths (the first group before and after its write, the next group
//! empty and written); here the nodes the two paths share are hashed once and the second path's
//! shared part is compared with the first's, which halves the hashing (a zkVM guest's largest
//! fixed cost) and refuses the same witnesses, short of a Poseidon collision. A write of nothing
//! but empty leaves (an empty block's) changes nothing: its paths are not read, and an empty block
//! costs a guest only its anchor and its hash chain.

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
    let group_index_bits = index_bits
        .checked_sub(group_bits)
        .ok_or(TransitionError::Shape("batch write group"))?;
    if next >> group_index_bits != 0 {
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
    let path_len = shape.path_len(level);
    if w.first.siblings.len() != path_len || w.second.siblings.len() != path_len {
        return Err(TransitionError::Shape("batch write path"));
    }
    if leaves.iter().all(|leaf| *leaf == Fq::from(0)) {
        return Ok(root);
    }
    let (first_path, second_path) = (siblings(&w.first), siblings(&w.second));
    let per = shape.siblings_per_level();
    let a = shape.arity_log2;

    // The first group as it is, in the tree.
    if shape.climb(group, subtree(&existing)?, &first_path) != root {
        return Err(TransitionError::GroupNotInTree(tree));
    }
    // The two groups' lowest common ancestor, `meet` levels above them (both lie in the tree, so
    // they meet at its root at the latest); its children at `position` and `position + 1` hold
    // the first group and the next one. Below it the two paths are their own; from its children
    // up, the second path is the first one after the first group's write, so it is checked
    // against it and each shared node is hashed once.
    let meet = (1..=shape.levels - level)
        .find(|&k| group >> (a * k) == next >> (a * k))
        .ok_or(TransitionError::TreeFull(tree))?;
    let below = (meet - 1) * per;
    let position = ((group >> (a * (meet - 1))) & (shape.arity() as u64 - 1)) as usize;
    let (first_below, first_meet, first_above) = split(&first_path, below, per);
    let (second_below, second_meet, second_above) = split(&second_path, below, per);
    // The next group's side of the meeting node is empty in the tree ...
    let next_side = shape.climb(next, shape.empty_root(level), second_below);
    if first_meet[position] != next_side {
        return Err(TransitionError::NextGroupNotEmpty(tree));
    }
    // ... and the second path is that of the tree after the first group's write.
    let first_side = shape.climb(group, subtree(&first)?, first_below);
    let mut children = first_meet.to_vec();
    children.insert(position, first_side);
    let mut seen_from_next = children.clone();
    seen_from_next.remove(position + 1);
    if second_meet != seen_from_next.as_slice() || second_above != first_above {
        return Err(TransitionError::NextGroupNotEmpty(tree));
    }
    children[position + 1] = shape.climb(next, subtree(&second)?, second_below);
    Ok(shape.climb(group >> (a * meet), shape.hash(&children), first_above))
}

/// A path's sibling values.
fn siblings(path: &NodePath) -> Vec<Fq> {
    path.siblings.iter().map(|d| d.0).collect()
}

/// A path's siblings below a meeting node (`below` of them), those of its children (`per`) and
/// those above it.
fn split(siblings: &[Fq], below: usize, per: usize) -> (&[Fq], &[Fq], &[Fq]) {
    let (lower, upper) = siblings.split_at(below);
    let (meet, above) = upper.split_at(per);
    (lower, meet, above)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use zkpsm_primitives::chain_step::Digest;

    /// A tree held as its nonzero leaves: every node is hashed from them, empty subtrees from
    /// their empty roots, independently of the batch write.
    struct Sparse {
        shape: TreeShape,
        leaves: BTreeMap<u64, Fq>,
    }

    impl Sparse {
        fn node(&self, level: usize, index: u64) -> Fq {
            let bits = self.shape.arity_log2 * level;
            let (from, to) = (index << bits, (index + 1) << bits);
            if self.leaves.range(from..to).next().is_none() {
                return self.shape.empty_root(level);
            }
            if level == 0 {
                return self.leaves[&index];
            }
            let arity = self.shape.arity() as u64;
            let children: Vec<Fq> = (0..arity)
                .map(|c| self.node(level - 1, index * arity + c))
                .collect();
            self.shape.hash(&children)
        }

        fn root(&self) -> Fq {
            self.node(self.shape.levels, 0)
        }

        fn path(&self, level: usize, index: u64) -> NodePath {
            let arity = self.shape.arity() as u64;
            let mut siblings = Vec::new();
            for l in level..self.shape.levels {
                let at = index >> (self.shape.arity_log2 * (l - level));
                let first = at - at % arity;
                for c in (first..first + arity).filter(|&c| c != at) {
                    siblings.push(Digest(self.node(l, c)));
                }
            }
            NodePath { index, siblings }
        }
    }

    /// A tree of `size` leaves and the batch write of `count` more: the tree, its root after the
    /// write, the new leaves and the witness.
    fn write(shape: TreeShape, size: u64, count: usize) -> (Sparse, Fq, Vec<Fq>, BatchAppend) {
        let leaf = |i: u64| Fq::from(1000 + i);
        let mut tree = Sparse {
            shape,
            leaves: (0..size).map(|i| (i, leaf(i))).collect(),
        };
        let level = shape.group_level(count);
        let bits = shape.arity_log2 * level;
        let group = size >> bits;
        let existing = (0..1u64 << bits)
            .map(|i| {
                Digest(
                    tree.leaves
                        .get(&((group << bits) + i))
                        .copied()
                        .unwrap_or_default(),
                )
            })
            .collect();
        let first = tree.path(level, group);
        let new: Vec<Fq> = (0..count as u64).map(|i| leaf(size + i)).collect();
        let mut after_first = Sparse {
            shape,
            leaves: tree.leaves.clone(),
        };
        for (i, l) in new.iter().enumerate() {
            let at = size + i as u64;
            if at >> bits == group {
                after_first.leaves.insert(at, *l);
            }
        }
        let second = after_first.path(level, group + 1);
        for (i, l) in new.iter().enumerate() {
            tree.leaves.insert(size + i as u64, *l);
        }
        let root = tree.root();
        for i in 0..count as u64 {
            tree.leaves.remove(&(size + i));
        }
        (
            tree,
            root,
            new,
            BatchAppend {
                existing,
                first,
                second,
            },
        )
    }

    /// Writes that cross into the next group or not, at groups whose lowest common ancestor with
    /// the next lies one to several levels up, in both tree shapes.
    const CASES: [(u64, usize); 9] = [
        (0, 1),
        (0, 2),
        (1, 2),
        (3, 2),
        (6, 4),
        (7, 4),
        (15, 3),
        (30, 2),
        (63, 2),
    ];

    #[test]
    fn a_batch_write_reaches_the_root_of_the_written_tree() {
        for shape in [TreeShape::NOTES, TreeShape::NULLIFIERS] {
            for (size, count) in CASES {
                let (tree, expected, new, w) = write(shape, size, count);
                let got = append(Tree::Notes, shape, size, &new, tree.root(), &w);
                assert_eq!(got, Ok(expected), "{shape:?} at {size} + {count}");
            }
        }
    }

    #[test]
    fn every_sibling_of_both_paths_is_checked() {
        for shape in [TreeShape::NOTES, TreeShape::NULLIFIERS] {
            for (size, count) in CASES {
                let (tree, _, new, w) = write(shape, size, count);
                for path in 0..2 {
                    for i in 0..w.first.siblings.len() {
                        let mut bad = w.clone();
                        let sibling = match path {
                            0 => &mut bad.first.siblings[i],
                            _ => &mut bad.second.siblings[i],
                        };
                        sibling.0 += Fq::from(1);
                        let got = append(Tree::Notes, shape, size, &new, tree.root(), &bad);
                        assert!(got.is_err(), "{shape:?} at {size}: path {path} sibling {i}");
                    }
                }
                let mut bad = w.clone();
                bad.existing[0].0 += Fq::from(1);
                assert!(append(Tree::Notes, shape, size, &new, tree.root(), &bad).is_err());
            }
        }
    }
}
