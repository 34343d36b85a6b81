//! Circuits of zkpsm, written once against bellpepper-core: the gadgets (Poseidon, Merkle paths,
//! range checks, comparisons), the 2-input 2-output spend circuit and the chain step circuit. The proof systems live in `zkpsm-proofs`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chain_step;
pub mod gadgets;
pub mod inspect;
pub mod spend;

pub use bellpepper_core::SynthesisError;
