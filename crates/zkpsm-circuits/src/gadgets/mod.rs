//! Reusable R1CS gadgets over `Fq`.

pub mod compare;
pub mod merkle;
pub mod poseidon;
pub mod range;
pub mod shift;
