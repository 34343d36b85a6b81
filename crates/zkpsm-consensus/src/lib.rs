//! Consensus drivers of zkpsm. Today: the mempool and the embedded single-node sequencer, which
//! produces blocks on a timer through the very calls a BFT engine would make (check, prepare,
//! process, finalize, commit).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod mempool;
pub mod node;
pub mod sequencer;

pub use mempool::{Mempool, MempoolError};
pub use node::{Node, SubmitError};
