//! Witnesses for the wallet's own notes, from zcash's `shardtree` over the chain's note commitments.

use crate::file::WalletError;
use incrementalmerkletree::{Marking, Position, Retention};
use shardtree::ShardTree;
use shardtree::store::memory::MemoryShardStore;
use std::collections::BTreeSet;
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::{Anchor, DEPTH, MerkleHash, MerklePath};

type Tree = ShardTree<MemoryShardStore<MerkleHash, u64>, 32, 16>;

/// The tree root after `leaves`, and the Merkle paths of the notes at `positions` to that root.
pub fn witnesses(
    leaves: &[Fq],
    positions: &[u64],
) -> Result<(Anchor, Vec<MerklePath>), WalletError> {
    let marked: BTreeSet<u64> = positions.iter().copied().collect();
    let mut tree = Tree::new(MemoryShardStore::empty(), 10);
    let broken = |e: String| WalletError::Inconsistent(format!("witness tree: {e}"));
    let count = leaves.len();
    for (i, leaf) in leaves.iter().enumerate() {
        let is_marked = marked.contains(&(i as u64));
        let retention = if i + 1 == count {
            Retention::Checkpoint {
                id: count as u64,
                marking: if is_marked {
                    Marking::Marked
                } else {
                    Marking::None
                },
            }
        } else if is_marked {
            Retention::Marked
        } else {
            Retention::Ephemeral
        };
        tree.append(MerkleHash(*leaf), retention)
            .map_err(|e| broken(e.to_string()))?;
    }
    if count == 0 {
        return Ok((
            Anchor(zkpsm_primitives::merkle::empty_root(DEPTH)),
            Vec::new(),
        ));
    }
    let root = tree
        .root_at_checkpoint_depth(Some(0))
        .map_err(|e| broken(e.to_string()))?
        .ok_or_else(|| broken("no checkpoint".into()))?;
    let paths = positions
        .iter()
        .map(|&p| {
            let path = tree
                .witness_at_checkpoint_depth(Position::from(p), 0)
                .map_err(|e| broken(e.to_string()))?
                .ok_or_else(|| broken(format!("no witness for position {p}")))?;
            let siblings: [Fq; DEPTH] = std::array::from_fn(|i| path.path_elems()[i].0);
            let position = u32::try_from(p).map_err(|_| broken("position beyond 2^32".into()))?;
            Ok(MerklePath { position, siblings })
        })
        .collect::<Result<Vec<_>, WalletError>>()?;
    Ok((Anchor(root.0), paths))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkpsm_primitives::merkle::MemoryTree;
    use zkpsm_primitives::note::NoteCommitment;

    #[test]
    fn shardtree_witnesses_match_the_memory_tree() {
        let leaves: Vec<Fq> = (0..37u64).map(|i| Fq::from(i * 7 + 1)).collect();
        let memory = MemoryTree::new(
            &leaves
                .iter()
                .map(|l| NoteCommitment(*l))
                .collect::<Vec<_>>(),
        );
        let (root, paths) = witnesses(&leaves, &[0, 5, 36]).unwrap();
        assert_eq!(root, memory.root());
        for (path, p) in paths.iter().zip([0u32, 5, 36]) {
            assert_eq!(*path, memory.path(p).unwrap());
        }
    }
}
