//! The zkpsm wallet: keys in a file, incremental scanning, witnesses (shardtree), and building and
//! proving shielded transactions on the user's own machine.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod builder;
pub mod example;
pub mod file;
pub mod history;
pub mod scan;
pub mod send;
pub mod witness;

pub use builder::{BuildError, Payment, SpendableNote, TransactionRequest, build_transaction};
pub use file::{WalletError, WalletFile};
