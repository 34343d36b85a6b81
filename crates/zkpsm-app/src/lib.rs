//! The zkpsm state machine: the [`Module`](module::Module) trait, the built-in shielded pool,
//! validation in phases (stateless checks with proofs verified in parallel, then stateful checks,
//! then one sequential write), block execution and genesis. Nothing here knows about consensus:
//! the embedded sequencer and CometBFT drive the same calls. The chain prover follows what they
//! commit.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod app;
pub mod block;
pub mod chain_prover;
pub mod committed_txs;
pub mod error;
pub mod genesis;
pub mod lanes;
pub mod module;
pub mod shielded;
mod witness_replay;

pub use app::{Admission, App};
pub use block::{Block, ChainTx};
pub use error::AppError;
pub use genesis::{ConsensusParams, Genesis};
pub use lanes::Lanes;
pub use module::Module;
pub use witness_replay::restore_step_witnesses;
