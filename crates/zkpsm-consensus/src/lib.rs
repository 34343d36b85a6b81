//! Consensus drivers of zkpsm: the embedded single-node sequencer (with its mempool), which
//! produces blocks on a timer, and the ABCI 2.0 server for CometBFT v0.38 (tower-abci). Both drive
//! the same application calls (check, prepare, process, finalize, commit).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod abci;
pub mod admission;
pub mod forward;
pub mod mempool;
pub mod node;
pub mod sequencer;

pub use admission::{AdmissionConfig, ProofAdmission};
pub use mempool::{Mempool, MempoolError};
pub use node::{Node, SubmitError};
