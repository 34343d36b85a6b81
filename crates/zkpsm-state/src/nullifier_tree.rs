//! The nullifier set as an indexed Merkle tree (a sorted linked list in a 4-ary Poseidon tree of 16
//! levels, 2^32 leaves, as Aztec does with a binary one), persisted in redb. The leaf format is
//! [`NullifierLeaf`].
//!
//! Leaves and nodes are versioned by the height that wrote them, so the tree can be read as it was
//! after any block (the tables' view is fixed at one height, `at`).
//!
//! Insertion finds the low leaf (the largest value below the new one), points it at the new leaf,
//! and records the new leaf at the next free index: one insert at a time, each against the state
//! the previous one left. A block's new leaves are hashed into the tree together after its last
//! insertion, as the chain step circuit writes them; each insertion and the final write return the
//! witness the circuit proves them with.

use crate::StateError;
use crate::merkle_table::{self, NodeKey};
use crate::tables::{NF_BY_VALUE, NF_LEAVES, NF_LOW_CHAIN, NF_NODES};
use redb::{ReadableTable, Table};
use zkpsm_primitives::chain_step::{BatchAppend, Digest, NodePath, NullifierInsert};
use zkpsm_primitives::field::{self, Fq};
pub use zkpsm_primitives::indexed_leaf::{NullifierLeaf, less, sort_key};
use zkpsm_primitives::tree::TreeShape;

/// A proof that a nullifier is absent: the low leaf that brackets it, with its Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonMembershipProof {
    /// The low leaf.
    pub low_leaf: NullifierLeaf,
    /// The low leaf's path.
    pub path: NodePath,
}

/// A proof that a nullifier is present: its leaf and Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipProof {
    /// The leaf.
    pub leaf: NullifierLeaf,
    /// The leaf's path.
    pub path: NodePath,
}

impl NonMembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::from(0)
            && self.low_leaf.brackets(nf)
            && SHAPE.root_from(0, self.low_leaf.hash(), &self.path) == Some(*root)
    }
}

impl MembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::from(0)
            && self.leaf.value == *nf
            && SHAPE.root_from(0, self.leaf.hash(), &self.path) == Some(*root)
    }
}

/// The tree's shape.
const SHAPE: TreeShape = TreeShape::NULLIFIERS;

/// A leaf's key: `(index, height that wrote it)`.
type LeafKey = (u64, u64);
/// A value's entry: `(leaf index, height that inserted it)`.
type Inserted = (u64, u64);
/// A leaf's place in the chain of low leaves (see [`NF_LOW_CHAIN`]).
type LowLink = (u64, u64, u64, u64, u64);

/// The nullifier tree's tables, seen as of block `at`.
pub(crate) struct NullifierTables<L, N, V, C> {
    pub leaves: L,
    pub nodes: N,
    pub by_value: V,
    pub low_chain: C,
    pub at: u64,
}

impl<L, N, V, C> NullifierTables<L, N, V, C>
where
    L: ReadableTable<LeafKey, [u8; 72]>,
    N: ReadableTable<NodeKey, [u8; 32]>,
    V: ReadableTable<[u8; 32], Inserted>,
    C: ReadableTable<u64, LowLink>,
{
    /// The tree root.
    pub fn root(&self) -> Result<Fq, StateError> {
        merkle_table::root(&self.nodes, SHAPE, self.at)
    }

    /// The index of `nf`'s leaf, if `nf` is in the set.
    fn index_of(&self, nf: &Fq) -> Result<Option<u64>, StateError> {
        let entry = self.by_value.get(sort_key(nf))?;
        Ok(entry
            .map(|e| e.value())
            .and_then(|(index, height)| (height <= self.at).then_some(index)))
    }

    /// Whether `nf` is in the set.
    pub fn contains(&self, nf: &Fq) -> Result<bool, StateError> {
        Ok(self.index_of(nf)?.is_some())
    }

    fn leaf(&self, index: u64) -> Result<NullifierLeaf, StateError> {
        let newest = self
            .leaves
            .range((index, 0)..=(index, self.at))?
            .next_back();
        let bytes = newest
            .ok_or_else(|| StateError::Corrupt(format!("missing nullifier leaf {index}")))??
            .1
            .value();
        NullifierLeaf::from_bytes(&bytes).map_err(|_| StateError::Corrupt("nullifier leaf".into()))
    }

    /// The index of the leaf with the largest value strictly below `nf` as of `at`.
    fn low_index(&self, nf: &Fq) -> Result<u64, StateError> {
        Ok(self.low_entry(nf)?.0)
    }

    /// The leaf with the largest value strictly below `nf` as of `at`: its index, the height that
    /// inserted it, and the number of chain links followed to find it.
    ///
    /// The largest value below `nf` in the whole table is found by one ordered lookup. If it was
    /// inserted after `at`, the answer as of `at` is the first leaf inserted by `at` along its
    /// chain of low leaves (each leaf's low leaf when it was inserted): nothing between a leaf
    /// and its low leaf had been inserted before it, so nothing between them existed at `at`
    /// either. Heights never increase along the chain, so its jump pointers skip every stretch
    /// inserted after `at` in O(log n) links.
    fn low_entry(&self, nf: &Fq) -> Result<(u64, u64, usize), StateError> {
        let (mut index, mut height) = self
            .by_value
            .range(..sort_key(nf))?
            .next_back()
            .ok_or_else(|| StateError::Corrupt("nullifier tree has no sentinel".into()))??
            .1
            .value();
        let mut links = 0;
        while height > self.at {
            let (pred, pred_height, jump, jump_height, _) = self.low_link(index)?;
            (index, height) = if jump_height > self.at {
                (jump, jump_height)
            } else {
                (pred, pred_height)
            };
            links += 1;
        }
        Ok((index, height, links))
    }

    /// Leaf `index`'s place in the chain of low leaves; the sentinel is the chain's root.
    fn low_link(&self, index: u64) -> Result<LowLink, StateError> {
        if index == 0 {
            return Ok((0, 0, 0, 0, 0));
        }
        Ok(self
            .low_chain
            .get(index)?
            .ok_or_else(|| {
                StateError::Corrupt(format!(
                    "nullifier leaf {index} has no low-leaf chain entry (a state written by an \
                     older zkpsm: sync it again)"
                ))
            })?
            .value())
    }

    /// A proof that `nf` is absent, or `None` if it is present.
    pub fn non_membership(&self, nf: &Fq) -> Result<Option<NonMembershipProof>, StateError> {
        if *nf == Fq::from(0) || self.contains(nf)? {
            return Ok(None);
        }
        let low_index = self.low_index(nf)?;
        Ok(Some(NonMembershipProof {
            low_leaf: self.leaf(low_index)?,
            path: merkle_table::node_path(&self.nodes, SHAPE, 0, low_index, self.at)?,
        }))
    }

    /// A proof that `nf` is present, or `None` if it is absent.
    pub fn membership(&self, nf: &Fq) -> Result<Option<MembershipProof>, StateError> {
        let Some(index) = self.index_of(nf)? else {
            return Ok(None);
        };
        Ok(Some(MembershipProof {
            leaf: self.leaf(index)?,
            path: merkle_table::node_path(&self.nodes, SHAPE, 0, index, self.at)?,
        }))
    }
}

/// Write access: the tables of a write transaction.
pub(crate) type WriteTables<'t> = NullifierTables<
    Table<'t, LeafKey, [u8; 72]>,
    Table<'t, NodeKey, [u8; 32]>,
    Table<'t, [u8; 32], Inserted>,
    Table<'t, u64, LowLink>,
>;

impl WriteTables<'_> {
    fn write_record(&mut self, index: u64, leaf: NullifierLeaf) -> Result<(), StateError> {
        self.leaves.insert((index, self.at), leaf.to_bytes())?;
        Ok(())
    }

    fn write_leaf(&mut self, index: u64, leaf: NullifierLeaf) -> Result<(), StateError> {
        self.write_record(index, leaf)?;
        merkle_table::write_leaf(&mut self.nodes, SHAPE, index, leaf.hash(), self.at)
    }

    /// Writes the sentinel into an empty tree; returns the new size (1).
    pub fn init(&mut self) -> Result<u64, StateError> {
        self.write_leaf(0, NullifierLeaf::SENTINEL)?;
        self.by_value.insert(sort_key(&Fq::from(0)), (0, self.at))?;
        Ok(1)
    }

    /// Inserts `nf` as the block's `position`-th nullifier, whose leaf goes at index
    /// `start + position` (`start` is the tree's size before the block), in the order the chain step
    /// circuit checks it: the low leaf (the largest value below `nf`, in the tree or among the
    /// block's earlier new leaves) is re-pointed at it at once; the new leaf is only recorded, its
    /// hash is written with the block's others by [`WriteTables::append_pending`]. Returns the
    /// witness of the insertion.
    pub fn insert_pending(
        &mut self,
        nf: &Fq,
        start: u64,
        position: u64,
    ) -> Result<NullifierInsert, StateError> {
        if *nf == Fq::from(0) {
            return Err(StateError::ZeroNullifier);
        }
        if self.contains(nf)? {
            return Err(StateError::AlreadySpent(field::to_hex(nf)));
        }
        let index = start + position;
        if index >> SHAPE.index_bits() != 0 {
            return Err(StateError::TreeFull);
        }
        let (low_index, low_height, _) = self.low_entry(nf)?;
        let low = self.leaf(low_index)?;
        let updated = NullifierLeaf {
            next_index: index,
            next_value: *nf,
            ..low
        };
        let (low_in_block, low_path) = if low_index >= start {
            let in_block = u32::try_from(low_index - start).map_err(|_| StateError::TreeFull)?;
            self.write_record(low_index, updated)?;
            (Some(in_block), self.empty_path(index)?)
        } else {
            let path = merkle_table::node_path(&self.nodes, SHAPE, 0, low_index, self.at)?;
            self.write_leaf(low_index, updated)?;
            (None, path)
        };
        self.write_record(
            index,
            NullifierLeaf {
                value: *nf,
                next_index: low.next_index,
                next_value: low.next_value,
            },
        )?;
        self.by_value.insert(sort_key(nf), (index, self.at))?;
        self.link_low(index, low_index, low_height)?;
        Ok(NullifierInsert {
            nullifier: Digest(*nf),
            low_leaf: low,
            low_in_block,
            low_path,
        })
    }

    /// Records that leaf `index`, inserted now, had `low` (inserted at `low_height`) as its low
    /// leaf, with the skip pointer of Myers' skew-binary scheme: when the two jumps below the low
    /// leaf span equal depths, the new jump spans both; else it is the low leaf itself.
    fn link_low(&mut self, index: u64, low: u64, low_height: u64) -> Result<(), StateError> {
        let (_, _, low_jump, _, low_depth) = self.low_link(low)?;
        let (_, _, far_jump, far_jump_height, jump_depth) = self.low_link(low_jump)?;
        let (_, _, _, _, far_depth) = self.low_link(far_jump)?;
        let (jump, jump_height) = if low_depth - jump_depth == jump_depth - far_depth {
            (far_jump, far_jump_height)
        } else {
            (low, low_height)
        };
        self.low_chain
            .insert(index, (low, low_height, jump, jump_height, low_depth + 1))?;
        Ok(())
    }

    /// The path of slot `index`, which must still be empty in the tree: what an empty slot's
    /// nullifier (and a pending low leaf) is checked against.
    pub fn empty_path(&self, index: u64) -> Result<NodePath, StateError> {
        merkle_table::node_path(&self.nodes, SHAPE, 0, index, self.at)
    }

    /// Writes the hashes of the block's `count` new leaves (recorded by
    /// [`WriteTables::insert_pending`] from index `start`) into the tree at once; returns the
    /// witness of the write for groups of `4^level` leaves.
    pub fn append_pending(
        &mut self,
        start: u64,
        count: u64,
        level: usize,
    ) -> Result<BatchAppend, StateError> {
        let leaves = (start..start + count)
            .map(|i| self.leaf(i).map(|l| l.hash()))
            .collect::<Result<Vec<_>, _>>()?;
        merkle_table::append(&mut self.nodes, SHAPE, start, &leaves, level, self.at)
    }
}

/// Opens the nullifier tables of a write transaction applying block `at`.
pub(crate) fn open_write(
    txn: &redb::WriteTransaction,
    at: u64,
) -> Result<WriteTables<'_>, StateError> {
    Ok(NullifierTables {
        leaves: txn.open_table(NF_LEAVES)?,
        nodes: txn.open_table(NF_NODES)?,
        by_value: txn.open_table(NF_BY_VALUE)?,
        low_chain: txn.open_table(NF_LOW_CHAIN)?,
        at,
    })
}

/// Read-only nullifier tables.
pub(crate) type ReadTables = NullifierTables<
    redb::ReadOnlyTable<LeafKey, [u8; 72]>,
    redb::ReadOnlyTable<NodeKey, [u8; 32]>,
    redb::ReadOnlyTable<[u8; 32], Inserted>,
    redb::ReadOnlyTable<u64, LowLink>,
>;

/// Opens the nullifier tables of a read transaction, seen as of block `at`.
pub(crate) fn open_read(txn: &redb::ReadTransaction, at: u64) -> Result<ReadTables, StateError> {
    Ok(NullifierTables {
        leaves: txn.open_table(NF_LEAVES)?,
        nodes: txn.open_table(NF_NODES)?,
        by_value: txn.open_table(NF_BY_VALUE)?,
        low_chain: txn.open_table(NF_LOW_CHAIN)?,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::{SeedableRng, rngs::StdRng};
    use redb::ReadableDatabase;

    const BLOCKS: u64 = 100;
    const PER_BLOCK: u64 = 100;

    /// A tree filled with `values`, `PER_BLOCK` a block from height 1; returns the database.
    fn filled(values: &[Fq]) -> redb::Database {
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .unwrap();
        let txn = db.begin_write().unwrap();
        open_write(&txn, 0).unwrap().init().unwrap();
        txn.commit().unwrap();
        for (block, chunk) in values.chunks(PER_BLOCK as usize).enumerate() {
            let height = block as u64 + 1;
            let txn = db.begin_write().unwrap();
            {
                let mut tables = open_write(&txn, height).unwrap();
                let start = 1 + block as u64 * PER_BLOCK;
                for (position, nf) in chunk.iter().enumerate() {
                    tables.insert_pending(nf, start, position as u64).unwrap();
                }
            }
            txn.commit().unwrap();
        }
        db
    }

    /// The low leaf of `nf` among the first `count` values (as sort keys), by brute force
    /// (index 0: the sentinel).
    fn reference_low(keys: &[[u8; 32]], count: usize, nf: &Fq) -> u64 {
        let key = sort_key(nf);
        keys[..count]
            .iter()
            .enumerate()
            .filter(|(_, k)| **k < key)
            .max_by_key(|(_, k)| **k)
            .map_or(0, |(i, _)| i as u64 + 1)
    }

    /// Checks every height's low leaves against brute force, with O(log n) links each.
    fn check(values: &[Fq], queries: &[Fq]) {
        let db = filled(values);
        let keys: Vec<[u8; 32]> = values.iter().map(sort_key).collect();
        let txn = db.begin_read().unwrap();
        let mut most_links = 0;
        for at in 0..=BLOCKS {
            let tables = open_read(&txn, at).unwrap();
            let count = (at * PER_BLOCK) as usize;
            for nf in queries {
                let (index, height, links) = tables.low_entry(nf).unwrap();
                assert_eq!(index, reference_low(&keys, count, nf), "at {at}");
                assert!(height <= at);
                most_links = most_links.max(links);
            }
        }
        // Myers' pointers reach any ancestor of a chain of 10,000 in under 3·log2 links; the
        // scan they replace stepped over every value inserted since.
        assert!(most_links <= 45, "{most_links} links");
    }

    #[test]
    fn low_leaves_at_old_heights_follow_the_chain_in_logarithmic_links() {
        let n = (BLOCKS * PER_BLOCK) as usize;
        // Increasing order, the worst case for a scan: every later value lies below the top.
        let increasing: Vec<Fq> = (0..n as u64).map(|k| Fq::from(k * 1000 + 1)).collect();
        let top = -Fq::from(1);
        let queries = [
            top,
            Fq::from(2),
            Fq::from(5_000_500),
            Fq::from(9_999_000),
            Fq::from(10_000_000_000),
        ];
        check(&increasing, &queries);
        // Random values in random order, queried between and beside them.
        let mut rng = StdRng::seed_from_u64(11);
        let mut random: Vec<Fq> = (0..n)
            .map(|_| <Fq as ff::Field>::random(&mut rng))
            .collect();
        random.shuffle(&mut rng);
        let mut queries: Vec<Fq> = random
            .iter()
            .step_by(997)
            .map(|v| *v + Fq::from(1))
            .collect();
        queries.extend([top, Fq::from(1)]);
        check(&random, &queries);
    }
}
