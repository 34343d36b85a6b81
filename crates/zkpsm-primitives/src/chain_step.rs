//! The chain step: what one block does to the running state `z` (DESIGN.md §3), as the executor
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
use borsh::{BorshDeserialize, BorshSerialize};

field_newtype!(
    /// A Poseidon digest, Merkle root or other field element of the chain state and its witnesses.
    Digest
);

/// Number of elements of the running state `z`.
pub const Z_LEN: usize = 8;

/// Nullifiers and output commitments per transaction (2-in-2-out).
pub const ARITY: usize = 2;

/// Kinds of effects folded into a block's effects digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum EffectKind {
    /// A transaction's anchor.
    Anchor = 1,
    /// A revealed nullifier.
    Nullifier = 2,
    /// A created note commitment.
    Commitment = 3,
    /// A burned fee.
    Fee = 4,
    /// The block's resulting anchor.
    NewAnchor = 5,
}

/// A block's effects digest, folded one effect at a time: `acc' = H(acc, kind, value)` from 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EffectsDigest(pub Fq);

impl EffectsDigest {
    /// Folds one effect in.
    pub fn absorb(&mut self, kind: EffectKind, value: Fq) {
        self.0 = poseidon::hash(poseidon::effects(), &[self.0, Fq::from(kind as u64), value]);
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

impl PathWitness {
    /// A path of zeros at index 0: the filler of a no-op slot.
    pub fn zero() -> Self {
        Self {
            index: 0,
            siblings: [Digest::default(); DEPTH],
        }
    }
}

/// One nullifier's insertion into the indexed tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct NullifierInsert {
    /// The nullifier.
    pub nullifier: Digest,
    /// The low leaf (the largest value below the nullifier) before it is updated.
    pub low_leaf: NullifierLeaf,
    /// The low leaf's path before it is updated.
    pub low_path: PathWitness,
    /// The path of the empty slot `nf_size`, after the low leaf's update.
    pub new_path: PathWitness,
}

/// One output commitment's append to the note commitment tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CommitmentAppend {
    /// The note commitment.
    pub commitment: Digest,
    /// The path of the empty slot `cm_size`.
    pub path: PathWitness,
}

/// One transaction's slot in the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TxSlot {
    /// Whether the slot holds a transaction; an empty slot changes nothing.
    pub enabled: bool,
    /// The transaction's anchor.
    pub anchor: Digest,
    /// The anchor's path in the anchors tree (its index is the height that produced it).
    pub anchor_path: PathWitness,
    /// The nullifiers' insertions, in order.
    pub nullifiers: [NullifierInsert; ARITY],
    /// The output commitments' appends, in order.
    pub commitments: [CommitmentAppend; ARITY],
    /// The burned fee.
    pub fee: u64,
}

impl TxSlot {
    /// An empty slot.
    pub fn noop() -> Self {
        let insert = NullifierInsert {
            nullifier: Digest::default(),
            low_leaf: NullifierLeaf::default(),
            low_path: PathWitness::zero(),
            new_path: PathWitness::zero(),
        };
        let append = CommitmentAppend {
            commitment: Digest::default(),
            path: PathWitness::zero(),
        };
        Self {
            enabled: false,
            anchor: Digest::default(),
            anchor_path: PathWitness::zero(),
            nullifiers: [insert; ARITY],
            commitments: [append; ARITY],
            fee: 0,
        }
    }
}

/// Everything the chain step circuit needs besides `z`: one block's slots, the path where its
/// new anchor goes, and the hash of its transaction ids.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StepWitness {
    /// The transactions, in block order.
    pub txs: Vec<TxSlot>,
    /// The path of the empty slot `height'` of the anchors tree, where the new anchor goes.
    pub new_anchor_path: PathWitness,
    /// [`txs_hash`] of the block's transaction ids.
    pub txs_hash: Digest,
}

impl StepWitness {
    /// A witness of the right shape for a step of `capacity` slots, all empty: what key
    /// generation synthesizes the circuit with.
    pub fn blank(capacity: usize) -> Self {
        Self {
            txs: vec![TxSlot::noop(); capacity],
            new_anchor_path: PathWitness::zero(),
            txs_hash: Digest::default(),
        }
    }

    /// Fills the slots up to `capacity` with no-ops; `None` if the block has more transactions.
    pub fn padded(mut self, capacity: usize) -> Option<Self> {
        if self.txs.len() > capacity {
            return None;
        }
        self.txs.resize(capacity, TxSlot::noop());
        Some(self)
    }
}
