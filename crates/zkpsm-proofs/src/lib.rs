//! Proofs of zkpsm: the spend circuit proven with spartan2's zero-knowledge Spartan over
//! Pallas/Hyrax (transparent, no trusted setup), key generation and caching, proving, and the
//! verification of a transaction against its body, alone or in batches. The chain proof (Nova) is
//! `zkpsm-chain-proof`'s, so that a spend verifier links no nova-snark.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod circuit;
pub mod error;
pub mod keys;
pub mod prover;
pub mod verifier;

pub use circuit::{CommitmentLayout, SPEND_COMMITMENT, SPEND_PROOF_BYTES};
pub use error::ProofError;
pub use keys::SpendKeys;
pub use prover::SpendProver;
pub use verifier::{
    VerifyContext, proof_parts, verify_batch, verify_proof, verify_proofs, verify_transaction,
};
