//! Primitives of zkpsm: the field, Poseidon with domain tags, the key hierarchy and diversified
//! addresses, notes with their commitments and nullifiers, note encryption, the note commitment tree's
//! hashing, the shapes of the state's trees, the indexed nullifier tree's leaves, the canonical transaction encoding and the chain's
//! transaction envelope (`ChainTx`) and its fee rule, and the
//! chain step: what a block does to the running state, and the witness its circuit needs.
//!
//! Everything here is plain data and native computation; the circuits crate proves the same
//! relations in zero knowledge, and test vectors pin the two together.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chain_step;
// The zkVM guest runs the transition over step witnesses and never decodes a chain transaction:
// its build leaves the envelope out, so the recorded guest (whose key genesis pins) stays the same.
#[cfg(not(target_os = "zkvm"))]
pub mod chain_tx;
pub mod encryption;
pub mod error;
// The fee rule prices a chain transaction's bytes; the guest never sees one (as above).
#[cfg(not(target_os = "zkvm"))]
pub mod fee;
pub mod field;
pub mod indexed_leaf;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod poseidon;
pub mod poseidon_parameters;
pub mod prf;
pub mod sequencer;
pub mod transaction;
pub mod tree;

pub use error::Error;
pub use field::Fq;
