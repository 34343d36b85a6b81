//! Application errors: each is a rejection with a stable code and a message, never a crash.

use zkpsm_proofs::ProofError;
use zkpsm_state::StateError;

/// Why the application refused a transaction or a block.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bytes that do not decode.
    #[error("malformed: {0}")]
    Malformed(String),
    /// A proof or a stateless rule failed.
    #[error("invalid proof or transaction: {0}")]
    Invalid(#[from] ProofError),
    /// The transaction's expiry height has passed, or lies too far ahead.
    #[error("expiry: {0}")]
    Expiry(String),
    /// The anchor is unknown or older than the anchor window.
    #[error("anchor: {0}")]
    Anchor(String),
    /// A nullifier is already spent, or revealed twice in one block or mempool.
    #[error("double spend: {0}")]
    DoubleSpend(String),
    /// A module refused the transaction.
    #[error("module '{module}': {reason}")]
    Module {
        /// The module's name.
        module: String,
        /// Its reason.
        reason: String,
    },
    /// A block that breaks a consensus rule (size, count, height, chain id).
    #[error("block: {0}")]
    Block(String),
    /// The state layer failed.
    #[error("state: {0}")]
    State(#[from] StateError),
    /// A genesis or configuration problem.
    #[error("genesis: {0}")]
    Genesis(String),
    /// The node cannot check the transaction right now (its verifier stopped); try again.
    #[error("unavailable: {0}; try again")]
    Unavailable(String),
    /// The node is verifying as many transactions as it queues; send again shortly.
    #[error("busy: {0}; send it again shortly")]
    Busy(String),
    /// The fee is below what the chain's fee rule asks of a transaction this size.
    #[error(
        "fee: {paid} is below the {required} a {bytes}-byte transaction pays on this chain \
         ({base} + {per_kib} per started KiB); build it again with a fee of at least {required}"
    )]
    Fee {
        /// The fee the transaction pays.
        paid: u64,
        /// The least fee the rule asks of it.
        required: u64,
        /// Its encoded size.
        bytes: usize,
        /// The rule's floor.
        base: u64,
        /// The rule's price per started KiB.
        per_kib: u64,
    },
}

impl AppError {
    /// Bytes that did not decode (the primitives' reason, kept as the message).
    pub fn malformed(e: zkpsm_primitives::Error) -> Self {
        AppError::Malformed(e.to_string())
    }

    /// A stable numeric code (as in ABCI: 0 is success).
    pub fn code(&self) -> u32 {
        match self {
            AppError::Malformed(_) => 1,
            AppError::Invalid(_) => 2,
            AppError::Expiry(_) => 3,
            AppError::Anchor(_) => 4,
            AppError::DoubleSpend(_) => 5,
            AppError::Module { .. } => 6,
            AppError::Block(_) => 7,
            AppError::State(_) => 8,
            AppError::Genesis(_) => 9,
            AppError::Unavailable(_) => 10,
            AppError::Fee { .. } => 11,
            AppError::Busy(_) => 12,
        }
    }
}
