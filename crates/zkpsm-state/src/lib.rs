//! State of a zkpsm chain on redb: the note commitment tree (a Poseidon Merkle tree of persisted
//! nodes), the nullifier set as an indexed Merkle tree with non-membership
//! proofs, the anchors of recent blocks and their tree, the blocks themselves, the app hash, and
//! the chain step witness of each block (what the chain prover folds).
//!
//! A block's whole effect is one redb write transaction: after a crash the state is exactly that
//! of the last committed block.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chain_state;
pub mod error;
pub mod merkle_table;
pub mod nullifier_tree;
pub mod store;
pub mod synthetic;
mod tables;

pub use chain_state::ChainState;
pub use error::StateError;
pub use store::{BlockEffects, Committed, PendingBlock, Store, TxEffects};
