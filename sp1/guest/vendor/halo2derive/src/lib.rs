//! halo2derive 0.2.0, vendored for the zkpsm SP1 guest (see `../README.md`): the proc-macro that
//! writes halo2curves' field arithmetic, with 256-bit multiplication on SP1's mulmod precompile
//! inside the zkVM.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

mod field;
mod utils;

/// Implements a prime field type (its arithmetic, `ff::Field`, `ff::PrimeField` and the rest) from
/// its modulus, multiplicative generator, cube root of unity and encoding.
#[proc_macro]
pub fn impl_field(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    field::impl_field(input)
}
