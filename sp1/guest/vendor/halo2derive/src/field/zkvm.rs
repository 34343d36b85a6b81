//! zkpsm's patch: the multiplication and squaring of a 256-bit field inside SP1's zkVM
//! (`target_os = "zkvm"`), on SP1's uint256 mulmod precompile instead of software limbs.
//!
//! An element is kept in Montgomery form, `a·R mod p` with `R = 2^256`, as everywhere else in
//! halo2curves, so a product is `a·b·R⁻¹ mod p`: two precompile calls, `a·b mod p` and then
//! `·R⁻¹ mod p`. The precompile is `syscall_uint256_mulmod(x, y)`, which sets `x = x·y mod m` where
//! `m` is the four words after `y`; sp1-zkvm defines the symbol, the guest links it.

use num_bigint::BigUint;
use quote::quote;

/// `mul` and `square`, each under `#[cfg(target_os = "zkvm")]`, for a field of four 64-bit limbs
/// whose modulus is `modulus`.
pub(crate) fn impl_mul_and_square(modulus: &BigUint) -> proc_macro2::TokenStream {
    let r = BigUint::from(1u64) << 256;
    let r_inv = crate::utils::mod_inv(&(&r % modulus), modulus);
    let modulus_limbs = crate::utils::big_to_limbs(modulus, 4);
    let r_inv_limbs = crate::utils::big_to_limbs(&r_inv, 4);
    quote! {
        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub fn mul(&self, rhs: &Self) -> Self {
            unsafe extern "C" {
                fn syscall_uint256_mulmod(x: *mut [u64; 4], y: *const [u64; 4]);
            }
            // R⁻¹ then the modulus: the precompile's second operand and its modulus.
            const R_INV_AND_MODULUS: [u64; 8] = [#(#r_inv_limbs,)* #(#modulus_limbs,)*];
            let mut product = self.0;
            let rhs_and_modulus: [u64; 8] = [
                rhs.0[0], rhs.0[1], rhs.0[2], rhs.0[3],
                #(#modulus_limbs,)*
            ];
            // SAFETY: both pointers are to live, 8-byte aligned arrays of eight words, of which the
            // precompile reads the operand and the modulus; it writes only `product`.
            unsafe {
                syscall_uint256_mulmod(&mut product, rhs_and_modulus.as_ptr() as *const [u64; 4]);
                syscall_uint256_mulmod(&mut product, R_INV_AND_MODULUS.as_ptr() as *const [u64; 4]);
            }
            Self(product)
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub fn square(&self) -> Self {
            self.mul(self)
        }
    }
}
