//! The nullifier set as an indexed Merkle tree (a sorted linked list in a depth-32 Poseidon tree,
//! as Aztec does), persisted in redb.
//!
//! Leaf `= H(value, next_index, next_value)`; an empty slot is 0, distinct from every real leaf's
//! hash. Index 0 holds the sentinel `(0, 0, 0)`; `next_value = 0` means +infinity; a nullifier of 0
//! is invalid. Insertion finds the low leaf (the largest value below the new one), points it at the
//! new leaf, and writes the new leaf at the next free index: one insert at a time, each against the
//! root left by the previous one.

use crate::StateError;
use crate::tables::{NF_BY_VALUE, NF_LEAVES, NF_NODES};
use ff::Field;
use redb::{ReadableTable, Table};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::merkle::{DEPTH, empty_root, node};
use zkpsm_primitives::poseidon;

/// A leaf of the indexed tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NullifierLeaf {
    /// The nullifier (0 for the sentinel).
    pub value: Fq,
    /// The index of the leaf with the next larger value (0 if none).
    pub next_index: u64,
    /// The next larger value (0 means none: +infinity).
    pub next_value: Fq,
}

impl NullifierLeaf {
    /// The sentinel at index 0.
    pub const SENTINEL: Self = Self {
        value: Fq::ZERO,
        next_index: 0,
        next_value: Fq::ZERO,
    };

    /// The leaf's hash in the tree.
    pub fn hash(&self) -> Fq {
        poseidon::hash(
            poseidon::nullifier_leaf(),
            &[self.value, Fq::from(self.next_index), self.next_value],
        )
    }

    fn to_bytes(self) -> [u8; 72] {
        let mut out = [0u8; 72];
        out[..32].copy_from_slice(&field::to_bytes(&self.value));
        out[32..40].copy_from_slice(&self.next_index.to_le_bytes());
        out[40..].copy_from_slice(&field::to_bytes(&self.next_value));
        out
    }

    fn from_bytes(bytes: &[u8; 72]) -> Result<Self, StateError> {
        let part = |r: std::ops::Range<usize>| -> [u8; 32] {
            let mut b = [0u8; 32];
            b.copy_from_slice(&bytes[r]);
            b
        };
        let corrupt = |_| StateError::Corrupt("nullifier leaf".into());
        let mut index = [0u8; 8];
        index.copy_from_slice(&bytes[32..40]);
        Ok(Self {
            value: field::from_bytes(&part(0..32), "leaf value").map_err(corrupt)?,
            next_index: u64::from_le_bytes(index),
            next_value: field::from_bytes(&part(40..72), "leaf next").map_err(corrupt)?,
        })
    }

    /// Whether `nf` lies strictly between this leaf's value and the next (the gap it proves empty).
    pub fn brackets(&self, nf: &Fq) -> bool {
        less(&self.value, nf) && (self.next_value == Fq::ZERO || less(nf, &self.next_value))
    }
}

/// Big-endian bytes, whose lexicographic order is the numeric order of field elements.
pub fn sort_key(x: &Fq) -> [u8; 32] {
    let mut b = field::to_bytes(x);
    b.reverse();
    b
}

/// Strict numeric order of canonical field elements (as integers below the modulus).
pub fn less(a: &Fq, b: &Fq) -> bool {
    sort_key(a) < sort_key(b)
}

/// A proof that a nullifier is absent: the low leaf that brackets it, with its Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonMembershipProof {
    /// The low leaf's index.
    pub low_index: u64,
    /// The low leaf.
    pub low_leaf: NullifierLeaf,
    /// The low leaf's sibling hashes from the leaf level up.
    pub siblings: Vec<Fq>,
}

/// A proof that a nullifier is present: its leaf and Merkle path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MembershipProof {
    /// The leaf's index.
    pub index: u64,
    /// The leaf.
    pub leaf: NullifierLeaf,
    /// Sibling hashes from the leaf level up.
    pub siblings: Vec<Fq>,
}

fn root_from(leaf_hash: Fq, index: u64, siblings: &[Fq]) -> Option<Fq> {
    if siblings.len() != DEPTH || index >> DEPTH != 0 {
        return None;
    }
    Some(
        siblings
            .iter()
            .enumerate()
            .fold(leaf_hash, |cur, (level, sib)| {
                if (index >> level) & 1 == 1 {
                    node(*sib, cur)
                } else {
                    node(cur, *sib)
                }
            }),
    )
}

impl NonMembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::ZERO
            && self.low_leaf.brackets(nf)
            && root_from(self.low_leaf.hash(), self.low_index, &self.siblings) == Some(*root)
    }
}

impl MembershipProof {
    /// Checks the proof against a nullifier tree root.
    pub fn verify(&self, root: &Fq, nf: &Fq) -> bool {
        *nf != Fq::ZERO
            && self.leaf.value == *nf
            && root_from(self.leaf.hash(), self.index, &self.siblings) == Some(*root)
    }
}

/// Read access to the nullifier tree tables.
pub(crate) struct NullifierTables<L, N, V> {
    pub leaves: L,
    pub nodes: N,
    pub by_value: V,
}

type Node = (u8, u64);

fn node_at(
    nodes: &impl ReadableTable<Node, [u8; 32]>,
    level: usize,
    index: u64,
) -> Result<Fq, StateError> {
    match nodes.get((level as u8, index))? {
        Some(bytes) => field::from_bytes(&bytes.value(), "nullifier tree node")
            .map_err(|_| StateError::Corrupt("nullifier tree node".into())),
        None => Ok(empty_root(level)),
    }
}

fn siblings(nodes: &impl ReadableTable<Node, [u8; 32]>, index: u64) -> Result<Vec<Fq>, StateError> {
    (0..DEPTH)
        .map(|level| node_at(nodes, level, (index >> level) ^ 1))
        .collect()
}

impl<L, N, V> NullifierTables<L, N, V>
where
    L: ReadableTable<u64, [u8; 72]>,
    N: ReadableTable<Node, [u8; 32]>,
    V: ReadableTable<[u8; 32], u64>,
{
    /// The tree root.
    pub fn root(&self) -> Result<Fq, StateError> {
        node_at(&self.nodes, DEPTH, 0)
    }

    /// Whether `nf` is in the set.
    pub fn contains(&self, nf: &Fq) -> Result<bool, StateError> {
        Ok(self.by_value.get(sort_key(nf))?.is_some())
    }

    fn leaf(&self, index: u64) -> Result<NullifierLeaf, StateError> {
        let bytes = self
            .leaves
            .get(index)?
            .ok_or_else(|| StateError::Corrupt(format!("missing nullifier leaf {index}")))?
            .value();
        NullifierLeaf::from_bytes(&bytes)
    }

    /// The index of the leaf with the largest value strictly below `nf`.
    fn low_index(&self, nf: &Fq) -> Result<u64, StateError> {
        let mut range = self.by_value.range(..sort_key(nf))?;
        match range.next_back() {
            Some(entry) => Ok(entry?.1.value()),
            None => Err(StateError::Corrupt("nullifier tree has no sentinel".into())),
        }
    }

    /// A proof that `nf` is absent, or `None` if it is present.
    pub fn non_membership(&self, nf: &Fq) -> Result<Option<NonMembershipProof>, StateError> {
        if *nf == Fq::ZERO || self.contains(nf)? {
            return Ok(None);
        }
        let low_index = self.low_index(nf)?;
        Ok(Some(NonMembershipProof {
            low_index,
            low_leaf: self.leaf(low_index)?,
            siblings: siblings(&self.nodes, low_index)?,
        }))
    }

    /// A proof that `nf` is present, or `None` if it is absent.
    pub fn membership(&self, nf: &Fq) -> Result<Option<MembershipProof>, StateError> {
        let Some(index) = self.by_value.get(sort_key(nf))?.map(|g| g.value()) else {
            return Ok(None);
        };
        Ok(Some(MembershipProof {
            index,
            leaf: self.leaf(index)?,
            siblings: siblings(&self.nodes, index)?,
        }))
    }
}

/// Write access: the tables of a write transaction.
pub(crate) type WriteTables<'t> =
    NullifierTables<Table<'t, u64, [u8; 72]>, Table<'t, Node, [u8; 32]>, Table<'t, [u8; 32], u64>>;

impl WriteTables<'_> {
    /// Writes a leaf and recomputes its path to the root.
    fn write_leaf(&mut self, index: u64, leaf: NullifierLeaf) -> Result<(), StateError> {
        self.leaves.insert(index, leaf.to_bytes())?;
        let mut current = leaf.hash();
        for level in 0..DEPTH {
            let at = index >> level;
            self.nodes
                .insert((level as u8, at), field::to_bytes(&current))?;
            let sibling = node_at(&self.nodes, level, at ^ 1)?;
            current = if at & 1 == 1 {
                node(sibling, current)
            } else {
                node(current, sibling)
            };
        }
        self.nodes
            .insert((DEPTH as u8, 0), field::to_bytes(&current))?;
        Ok(())
    }

    /// Writes the sentinel into an empty tree; returns the new size (1).
    pub fn init(&mut self) -> Result<u64, StateError> {
        self.write_leaf(0, NullifierLeaf::SENTINEL)?;
        self.by_value.insert(sort_key(&Fq::ZERO), 0)?;
        Ok(1)
    }

    /// Inserts `nf` at index `size` (the next free slot); returns the new size.
    pub fn insert(&mut self, nf: &Fq, size: u64) -> Result<u64, StateError> {
        if *nf == Fq::ZERO {
            return Err(StateError::ZeroNullifier);
        }
        if self.contains(nf)? {
            return Err(StateError::AlreadySpent(field::to_hex(nf)));
        }
        if size >> DEPTH != 0 {
            return Err(StateError::TreeFull);
        }
        let low_index = self.low_index(nf)?;
        let low = self.leaf(low_index)?;
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
        self.write_leaf(size, new_leaf)?;
        self.by_value.insert(sort_key(nf), size)?;
        Ok(size + 1)
    }
}

/// Opens the nullifier tables of a write transaction.
pub(crate) fn open_write(txn: &redb::WriteTransaction) -> Result<WriteTables<'_>, StateError> {
    Ok(NullifierTables {
        leaves: txn.open_table(NF_LEAVES)?,
        nodes: txn.open_table(NF_NODES)?,
        by_value: txn.open_table(NF_BY_VALUE)?,
    })
}

/// Read-only nullifier tables.
pub(crate) type ReadTables = NullifierTables<
    redb::ReadOnlyTable<u64, [u8; 72]>,
    redb::ReadOnlyTable<Node, [u8; 32]>,
    redb::ReadOnlyTable<[u8; 32], u64>,
>;

/// Opens the nullifier tables of a read transaction.
pub(crate) fn open_read(txn: &redb::ReadTransaction) -> Result<ReadTables, StateError> {
    Ok(NullifierTables {
        leaves: txn.open_table(NF_LEAVES)?,
        nodes: txn.open_table(NF_NODES)?,
        by_value: txn.open_table(NF_BY_VALUE)?,
    })
}
