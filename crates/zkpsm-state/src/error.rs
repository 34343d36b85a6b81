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
    /// The note commitment tree is full (2^32 notes).
    #[error("the note commitment tree is full")]
    TreeFull,
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
