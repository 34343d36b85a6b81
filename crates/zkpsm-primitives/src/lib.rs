//! Primitives of zkpsm: the field, Poseidon with domain tags, the key hierarchy and diversified
//! addresses, notes with their commitments and nullifiers, note encryption, the note commitment tree's
//! hashing, and the canonical transaction encoding.
//!
//! Everything here is plain data and native computation; the circuits crate proves the same
//! relations in zero knowledge, and test vectors pin the two together.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod encryption;
pub mod error;
pub mod field;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod poseidon;
pub mod prf;
pub mod transaction;

pub use error::Error;
pub use field::Fq;
