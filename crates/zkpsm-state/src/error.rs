//! Errors of the state layer.

/// Why a state read or write failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The database failed (I/O, corruption detected by redb, ...).
    #[error("database: {0}")]
    Database(#[from] redb::Error),
    /// Stored bytes that do not decode: the database is corrupt or from another version.
    #[error("corrupt state: {0}")]
    Corrupt(String),
    /// The store has no genesis yet.
    #[error("the state is not initialized (run init first)")]
    NotInitialized,
    /// Genesis was already written with other contents.
    #[error("the state already holds a different genesis")]
    GenesisMismatch,
    /// A nullifier that is already in the set.
    #[error("nullifier {0} is already spent")]
    AlreadySpent(String),
    /// A nullifier of zero, which the indexed tree reserves.
    #[error("a nullifier of zero is invalid")]
    ZeroNullifier,
    /// A block whose height does not follow the last committed one.
    #[error("block height {got} does not follow the committed height {committed}")]
    HeightGap {
        /// The committed height.
        committed: u64,
        /// The block's height.
        got: u64,
    },
    /// The fees of a block exceed the remaining supply.
    #[error("fees exceed the remaining supply")]
    SupplyUnderflow,
    /// A tree is full (2^32 leaves).
    #[error("a state tree is full")]
    TreeFull,
    /// A transaction that does not reveal exactly two nullifiers and create exactly two notes.
    #[error(
        "a transaction must reveal 2 nullifiers and create 2 notes, got {nullifiers} and {outputs}"
    )]
    TxShape {
        /// Nullifiers revealed.
        nullifiers: usize,
        /// Notes created.
        outputs: usize,
    },
    /// An anchor that no block produced.
    #[error("anchor {0} is not the root after any block")]
    UnknownAnchor(String),
    /// A block with more transactions than the chain step capacity.
    #[error("a block of {txs} transactions exceeds the step capacity {capacity}")]
    BlockTooLarge {
        /// Transactions in the block.
        txs: usize,
        /// The step capacity.
        capacity: usize,
    },
    /// The block's recorded step witness fails the transition the chain proves (a bug of the
    /// executor: it never commits such a block).
    #[error("the block's step witness fails the proven transition: {0}")]
    Transition(#[from] zkpsm_transition::TransitionError),
    /// The executor's trees and the proven transition disagree on the new state.
    #[error("the executor's state and the proven transition's disagree at height {0}")]
    TransitionMismatch(u64),
    /// A block whose chain step witness is not kept (only a chain prover's node keeps them,
    /// until folded).
    #[error(
        "no chain step witness kept for block {0}: only a node started with --prove keeps them, \
         until its prover folds them; `zkpsm prove` regenerates them from the committed blocks"
    )]
    NoStepWitness(u64),
    /// A height the store has not committed.
    #[error("block {0} is not committed")]
    NotCommitted(u64),
}

macro_rules! from_redb {
    ($($t:ty),*) => {
        $(impl From<$t> for StateError {
            fn from(e: $t) -> Self {
                StateError::Database(e.into())
            }
        })*
    };
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
