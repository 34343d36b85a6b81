//! Proofs of zkpsm: the spend circuit proven with spartan2's zero-knowledge Spartan over
//! Pallas/Hyrax (transparent, no trusted setup), key generation and caching, proving, and the
//! verification of a transaction against its body; and the chain proof, one Nova IVC step per
//! block, compressed into a constant-size zero-knowledge proof of the whole chain.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chain;
pub mod circuit;
pub mod error;
pub mod keys;
pub mod prover;
pub mod transition_prover;
pub mod verifier;

pub use circuit::{CommitmentLayout, SPEND_COMMITMENT};
pub use error::ProofError;
pub use keys::SpendKeys;
pub use prover::SpendProver;
pub use transition_prover::NovaTransitionProver;
pub use verifier::{
    VerifyContext, proof_parts, verify_batch, verify_proof, verify_proofs, verify_transaction,
};
