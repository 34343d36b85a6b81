//! Reusable R1CS gadgets over `Fq`.

pub mod merkle;
pub mod poseidon;
pub mod range;
