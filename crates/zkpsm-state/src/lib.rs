//! State of a zkpsm chain on redb: the note commitment tree (an `incrementalmerkletree` frontier
//! over Poseidon, persisted), the nullifier set as an indexed Merkle tree with non-membership
//! proofs, the anchors of recent blocks and their tree, the blocks themselves, and the app hash.
//!
//! A block's whole effect is one redb write transaction: after a crash the state is exactly that
//! of the last committed block.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chain_state;
pub mod error;
pub mod nullifier_tree;
pub mod store;
mod tables;

pub use chain_state::ChainState;
pub use error::StateError;
pub use store::{BlockEffects, Committed, PendingBlock, Store, TxEffects};
