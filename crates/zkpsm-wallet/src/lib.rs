//! The zkpsm wallet: building and proving shielded transactions on the user's own machine.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod builder;

pub use builder::{BuildError, Payment, SpendableNote, TransactionRequest, build_transaction};
