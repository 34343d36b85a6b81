//! Proofs of zkpsm: the spend circuit proven with spartan2's zero-knowledge Spartan over
//! Pallas/Hyrax (transparent, no trusted setup), key generation and caching, proving, and the
//! verification of a transaction against its body.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod circuit;
pub mod error;
pub mod keys;
pub mod prover;
pub mod verifier;

pub use error::ProofError;
pub use keys::SpendKeys;
pub use prover::SpendProver;
pub use verifier::{VerifyContext, verify_transaction};
