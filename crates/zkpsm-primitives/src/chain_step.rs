//! The chain step: what one block does to the running state `z` (docs/protocol.md), as the executor
//! computes it natively and as the chain step circuit proves it, and the witness that connects the
//! two.
//!
//! `z = [height, cm_root, cm_size, nf_root, nf_size, anchors_root, supply, block_chain_hash]`. One
//! block is one step; its transactions fill the step's slots in order (empty slots are no-ops).
//! Per transaction, in this order: its anchor is a member of the anchors tree; each nullifier is
//! absent from the indexed nullifier tree and then inserted (one at a time, each against the root
//! the previous one left); each output commitment is appended to the note tree; the fee is burned
//! from `supply`. At the end the new note root is appended to the anchors tree, and the block hash
//! chain is extended with the effects digest and the hash of the block's transaction ids.

use crate::field::Fq;
use crate::field_newtype;
use crate::indexed_leaf::NullifierLeaf;
use crate::merkle::DEPTH;
use crate::poseidon;
use crate::prf::prf_field;
use crate::transaction::TxId;
use crate::tree::TreeShape;
use borsh::{BorshDeserialize, BorshSerialize};

field_newtype!(
    /// A Poseidon digest, Merkle root or other field element of the chain state and its witnesses.
    Digest
);

/// Number of elements of the running state `z`.
pub const Z_LEN: usize = 8;

/// The position of each element in `z`.
pub mod z_at {
    /// The height.
    pub const HEIGHT: usize = 0;
    /// The note tree's root.
    pub const CM_ROOT: usize = 1;
    /// The note tree's size.
    pub const CM_SIZE: usize = 2;
    /// The nullifier tree's root.
    pub const NF_ROOT: usize = 3;
    /// The nullifier tree's size (the sentinel included).
    pub const NF_SIZE: usize = 4;
    /// The root of the ring of recent anchors.
    pub const ANCHORS_ROOT: usize = 5;
    /// The supply.
    pub const SUPPLY: usize = 6;
    /// The block hash chain.
    pub const BLOCK_CHAIN_HASH: usize = 7;
}

/// Nullifiers and output commitments per transaction (2-in-2-out).
pub const ARITY: usize = 2;

/// Kinds of single effects folded into a block's effects digest (a transaction's effects are
/// folded together, see [`EffectsDigest::absorb_tx`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum EffectKind {
    /// A note created outside a transaction (genesis allocations).
    Commitment = 3,
    /// The block's resulting anchor.
    NewAnchor = 5,
}

/// A block's effects digest from 0: each transaction folded in with one hash, in block order,
/// then the block's new anchor (`acc' = H(acc, kind, value)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EffectsDigest(pub Fq);

impl EffectsDigest {
    /// Folds one effect in.
    pub fn absorb(&mut self, kind: EffectKind, value: Fq) {
        self.0 = poseidon::hash(poseidon::effects(), &[self.0, Fq::from(kind as u64), value]);
    }

    /// Folds one transaction's effects in with a single hash:
    /// `acc' = H(acc, anchor, nf_1, nf_2, cm_1, cm_2, fee)`.
    pub fn absorb_tx(
        &mut self,
        anchor: Fq,
        nullifiers: [Fq; ARITY],
        commitments: [Fq; ARITY],
        fee: u64,
    ) {
        let [nf1, nf2] = nullifiers;
        let [cm1, cm2] = commitments;
        self.0 = poseidon::hash(
            poseidon::tx_effects(),
            &[self.0, anchor, nf1, nf2, cm1, cm2, Fq::from(fee)],
        );
    }
}

/// The context string of a block's transaction-id hash.
const TXS_HASH_CONTEXT: &str = "zkpsm 2026 block txs hash";

/// The hash of a block's transaction ids, as one field element.
pub fn txs_hash(txids: &[TxId]) -> Fq {
    let parts: Vec<&[u8]> = txids.iter().map(|t| t.0.as_slice()).collect();
    prf_field(TXS_HASH_CONTEXT, &parts)
}

/// The next link of the block hash chain.
pub fn next_block_chain_hash(previous: Fq, effects: EffectsDigest, txs_hash: Fq) -> Fq {
    poseidon::hash(poseidon::block_chain(), &[previous, effects.0, txs_hash])
}

/// A Merkle authentication path in a depth-32 tree: the leaf's index (whose bits, least
/// significant first, say whether the node is a right child) and the siblings from the leaf up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PathWitness {
    /// The leaf's index.
    pub index: u64,
    /// Sibling hashes from the leaf level up to just below the root.
    pub siblings: [Digest; DEPTH],
}

/// The path of an inner node (or of a leaf of a shallower tree): the node's index at its level
/// and the siblings from that level up to just below the root.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct NodePath {
    /// The node's index at its level.
    pub index: u64,
    /// Sibling hashes from the node's level up to just below the root.
    pub siblings: Vec<Digest>,
}

impl NodePath {
    /// A path of `len` zeros at index 0: the filler of a shape-only witness.
    pub fn zero(len: usize) -> Self {
        Self {
            index: 0,
            siblings: vec![Digest::default(); len],
        }
    }
}

/// Depth of the ring of recent anchors: the anchors tree holds the note roots of the last
/// [`ANCHOR_RING_SLOTS`] blocks, the root after block `h` in slot `h mod ANCHOR_RING_SLOTS`.
pub const ANCHOR_RING_DEPTH: usize = 8;

/// Slots of the ring of recent anchors; a chain's anchor window may not exceed it.
pub const ANCHOR_RING_SLOTS: u64 = 1 << ANCHOR_RING_DEPTH;

/// The ring slot of the anchor produced by block `height`.
pub fn anchor_slot(height: u64) -> u64 {
    height % ANCHOR_RING_SLOTS
}

/// The group level at which a step writes a block's `ARITY * capacity` new leaves into a tree of
/// `shape` (see [`BatchAppend`]).
pub fn group_level(shape: TreeShape, capacity: usize) -> usize {
    shape.group_level(ARITY * capacity)
}

/// A block's new leaves written at once: they start at the tree's size `start` and fill
/// positions `start..start + n`, inside the aligned group `start / S` of `S = arity^g` leaves (see
/// [`group_level`]) and possibly the next one.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BatchAppend {
    /// The `S` leaves of group `start / S` before the write (those from `start` on are empty).
    pub existing: Vec<Digest>,
    /// The path of that group's root before the write.
    pub first: NodePath,
    /// The path of the next group's root (empty before the write), after the first is written.
    pub second: NodePath,
}

impl BatchAppend {
    /// `log2 S`, if the group is well formed for a tree of `shape` and can take `new_leaves`: `S`
    /// a power of the arity above 1, and at least `new_leaves`.
    pub fn group_bits(&self, shape: TreeShape, new_leaves: usize) -> Option<usize> {
        let size = self.existing.len();
        let bits = size.trailing_zeros() as usize;
        (size.is_power_of_two()
            && bits != 0
            && bits.is_multiple_of(shape.arity_log2)
            && new_leaves <= size)
            .then_some(bits)
    }

    /// A shape-only filler for steps of `capacity` slots writing into a tree of `shape`.
    pub fn blank(shape: TreeShape, capacity: usize) -> Self {
        let level = group_level(shape, capacity);
        Self {
            existing: vec![Digest::default(); 1 << (shape.arity_log2 * level)],
            first: NodePath::zero(shape.path_len(level)),
            second: NodePath::zero(shape.path_len(level)),
        }
    }
}

/// One nullifier's insertion into the indexed tree: the low leaf is re-pointed at it (in the tree,
/// or, if the low leaf is the new leaf of an earlier nullifier of the same block, in the block's
/// pending leaves), and its own new leaf is written with the block's batch.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct NullifierInsert {
    /// The nullifier.
    pub nullifier: Digest,
    /// The low leaf (the largest value below the nullifier) before it is updated.
    pub low_leaf: NullifierLeaf,
    /// `Some(m)` if the low leaf is the new leaf of the block's `m`-th nullifier (block order).
    pub low_in_block: Option<u32>,
    /// The low leaf's path in the (4-ary) tree before its update; when the low leaf is pending
    /// (or the slot empty) the path of the new leaf's own slot, still empty.
    pub low_path: NodePath,
}

/// One transaction's slot in the step.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TxSlot {
    /// Whether the slot holds a transaction; an empty slot changes nothing. A block's
    /// transactions fill its first slots.
    pub enabled: bool,
    /// The transaction's anchor.
    pub anchor: Digest,
    /// The anchor's path in the ring of recent anchors (its index is its ring slot).
    pub anchor_path: NodePath,
    /// The nullifiers' insertions, in order.
    pub nullifiers: [NullifierInsert; ARITY],
    /// The output commitments, in order.
    pub commitments: [Digest; ARITY],
    /// The burned fee.
    pub fee: u64,
}

impl TxSlot {
    /// An empty slot whose nullifier paths are `empty_paths` (paths of its nullifiers' own empty
    /// slots in the nullifier tree; zeros in a shape-only witness).
    pub fn noop(empty_paths: [NodePath; ARITY]) -> Self {
        let insert = |low_path| NullifierInsert {
            nullifier: Digest::default(),
            low_leaf: NullifierLeaf::default(),
            low_in_block: None,
            low_path,
        };
        Self {
            enabled: false,
            anchor: Digest::default(),
            anchor_path: NodePath::zero(ANCHOR_RING_DEPTH),
            nullifiers: empty_paths.map(insert),
            commitments: [Digest::default(); ARITY],
            fee: 0,
        }
    }
}

/// Everything the chain step circuit needs besides `z`: one block's slots (exactly the step's
/// capacity, the empty ones last), the batch writes of its new nullifier leaves and note
/// commitments, the ring slot its new anchor replaces, and the hash of its transaction ids.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StepWitness {
    /// The slots, in block order.
    pub txs: Vec<TxSlot>,
    /// The write of the block's new nullifier leaves, after every low leaf's update.
    pub nullifier_append: BatchAppend,
    /// The write of the block's note commitments.
    pub commitment_append: BatchAppend,
    /// The anchor the new one replaces in its ring slot (0 while the ring fills).
    pub replaced_anchor: Digest,
    /// The path of the new anchor's ring slot.
    pub new_anchor_path: NodePath,
    /// [`txs_hash`] of the block's transaction ids.
    pub txs_hash: Digest,
}

impl StepWitness {
    /// A witness of the right shape for a step of `capacity` slots, all empty: what key
    /// generation synthesizes the circuit with.
    pub fn blank(capacity: usize) -> Self {
        Self {
            txs: vec![
                TxSlot::noop(
                    [(); ARITY].map(|_| NodePath::zero(TreeShape::NULLIFIERS.path_len(0)))
                );
                capacity
            ],
            nullifier_append: BatchAppend::blank(TreeShape::NULLIFIERS, capacity),
            commitment_append: BatchAppend::blank(TreeShape::NOTES, capacity),
            replaced_anchor: Digest::default(),
            new_anchor_path: NodePath::zero(ANCHOR_RING_DEPTH),
            txs_hash: Digest::default(),
        }
    }

    /// The step capacity the witness was made for.
    pub fn capacity(&self) -> usize {
        self.txs.len()
    }
}
