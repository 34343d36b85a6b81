//! The nullifier set as an indexed Merkle tree (a sorted linked list in a depth-32 Poseidon tree,
//! as Aztec does), persisted in redb. The leaf format is [`NullifierLeaf`].
//!
//! Leaves and nodes are versioned by the height that wrote them, so the tree can be read as it was
//! after any block (the tables' view is fixed at one height, `at`).
//!
//! Insertion finds the low leaf (the largest value below the new one), points it at the new leaf,
//! and writes the new leaf at the next free index: one insert at a time, each against the root left
//! by the previous one. Each insertion returns the witness the chain step circuit proves it with.

use crate::StateError;
use crate::merkle_table::{self, NodeKey, root_from};
use crate::tables::{NF_BY_VALUE, NF_LEAVES, NF_NODES};
use redb::{ReadableTable, Table};
use zkpsm_primitives::chain_step::{Digest, NullifierInsert, PathWitness};
use zkpsm_primitives::field::{self, Fq};
pub use zkpsm_primitives::indexed_leaf::{NullifierLeaf, less, sort_key};

/// A proof that a nullifier is absent: the low leaf that brackets it, with its Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonMembershipProof {
    /// The low leaf.
    pub low_leaf: NullifierLeaf,
    /// The low leaf's path.
    pub path: PathWitness,
}

/// A proof that a nullifier is present: its leaf and Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipProof {
    /// The leaf.
    pub leaf: NullifierLeaf,
    /// The leaf's path.
    pub path: PathWitness,
}

impl NonMembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::from(0)
            && self.low_leaf.brackets(nf)
            && root_from(self.low_leaf.hash(), &self.path) == *root
    }
}

impl MembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::from(0)
            && self.leaf.value == *nf
            && root_from(self.leaf.hash(), &self.path) == *root
    }
}

/// A leaf's key: `(index, height that wrote it)`.
type LeafKey = (u64, u64);
/// A value's entry: `(leaf index, height that inserted it)`.
type Inserted = (u64, u64);

/// The nullifier tree's tables, seen as of block `at`.
pub(crate) struct NullifierTables<L, N, V> {
    pub leaves: L,
    pub nodes: N,
    pub by_value: V,
    pub at: u64,
}

impl<L, N, V> NullifierTables<L, N, V>
where
    L: ReadableTable<LeafKey, [u8; 72]>,
    N: ReadableTable<NodeKey, [u8; 32]>,
    V: ReadableTable<[u8; 32], Inserted>,
{
    /// The tree root.
    pub fn root(&self) -> Result<Fq, StateError> {
        merkle_table::root(&self.nodes, self.at)
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

    /// The index of the leaf with the largest value strictly below `nf`.
    fn low_index(&self, nf: &Fq) -> Result<u64, StateError> {
        for entry in self.by_value.range(..sort_key(nf))?.rev() {
            let (index, height) = entry?.1.value();
            if height <= self.at {
                return Ok(index);
            }
        }
        Err(StateError::Corrupt("nullifier tree has no sentinel".into()))
    }

    /// A proof that `nf` is absent, or `None` if it is present.
    pub fn non_membership(&self, nf: &Fq) -> Result<Option<NonMembershipProof>, StateError> {
        if *nf == Fq::from(0) || self.contains(nf)? {
            return Ok(None);
        }
        let low_index = self.low_index(nf)?;
        Ok(Some(NonMembershipProof {
            low_leaf: self.leaf(low_index)?,
            path: merkle_table::path(&self.nodes, low_index, self.at)?,
        }))
    }

    /// A proof that `nf` is present, or `None` if it is absent.
    pub fn membership(&self, nf: &Fq) -> Result<Option<MembershipProof>, StateError> {
        let Some(index) = self.index_of(nf)? else {
            return Ok(None);
        };
        Ok(Some(MembershipProof {
            leaf: self.leaf(index)?,
            path: merkle_table::path(&self.nodes, index, self.at)?,
        }))
    }
}

/// Write access: the tables of a write transaction.
pub(crate) type WriteTables<'t> = NullifierTables<
    Table<'t, LeafKey, [u8; 72]>,
    Table<'t, NodeKey, [u8; 32]>,
    Table<'t, [u8; 32], Inserted>,
>;

impl WriteTables<'_> {
    fn write_leaf(&mut self, index: u64, leaf: NullifierLeaf) -> Result<(), StateError> {
        self.leaves.insert((index, self.at), leaf.to_bytes())?;
        merkle_table::write_leaf(&mut self.nodes, index, leaf.hash(), self.at)
    }

    /// Writes the sentinel into an empty tree; returns the new size (1).
    pub fn init(&mut self) -> Result<u64, StateError> {
        self.write_leaf(0, NullifierLeaf::SENTINEL)?;
        self.by_value.insert(sort_key(&Fq::from(0)), (0, self.at))?;
        Ok(1)
    }

    /// Inserts `nf` at index `size` (the next free slot). Returns the new size and the witness of
    /// the insertion, in the order the chain step circuit checks it.
    pub fn insert(&mut self, nf: &Fq, size: u64) -> Result<(u64, NullifierInsert), StateError> {
        if *nf == Fq::from(0) {
            return Err(StateError::ZeroNullifier);
        }
        if self.contains(nf)? {
            return Err(StateError::AlreadySpent(field::to_hex(nf)));
        }
        if size >> zkpsm_primitives::merkle::DEPTH != 0 {
            return Err(StateError::TreeFull);
        }
        let low_index = self.low_index(nf)?;
        let low = self.leaf(low_index)?;
        let low_path = merkle_table::path(&self.nodes, low_index, self.at)?;
        let new_leaf = NullifierLeaf {
            value: *nf,
            next_index: low.next_index,
            next_value: low.next_value,
        };
        self.write_leaf(
            low_index,
            NullifierLeaf {
                next_index: size,
                next_value: *nf,
                ..low
            },
        )?;
        let new_path = merkle_table::path(&self.nodes, size, self.at)?;
        self.write_leaf(size, new_leaf)?;
        self.by_value.insert(sort_key(nf), (size, self.at))?;
        let witness = NullifierInsert {
            nullifier: Digest(*nf),
            low_leaf: low,
            low_path,
            new_path,
        };
        Ok((size + 1, witness))
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
        at,
    })
}

/// Read-only nullifier tables.
pub(crate) type ReadTables = NullifierTables<
    redb::ReadOnlyTable<LeafKey, [u8; 72]>,
    redb::ReadOnlyTable<NodeKey, [u8; 32]>,
    redb::ReadOnlyTable<[u8; 32], Inserted>,
>;

/// Opens the nullifier tables of a read transaction, seen as of block `at`.
pub(crate) fn open_read(txn: &redb::ReadTransaction, at: u64) -> Result<ReadTables, StateError> {
    Ok(NullifierTables {
        leaves: txn.open_table(NF_LEAVES)?,
        nodes: txn.open_table(NF_NODES)?,
        by_value: txn.open_table(NF_BY_VALUE)?,
        at,
    })
}
