//! zkpsm's patch: the arithmetic of the Pasta fields inside SP1's zkVM (`target_os = "zkvm"`), on
//! SP1's uint256 mulmod precompile instead of software limbs.
//!
//! There an element is held as its plain integer, reduced below `p`, not in Montgomery form
//! (`a·R mod p`, as everywhere else in halo2curves): the precompile reduces a full product, so a
//! product is one call, `a·b mod p`, where the Montgomery form needed two (`a·b mod p`, then
//! `·R⁻¹ mod p`). Addition, subtraction and negation mean the same in both forms; here they branch
//! on the carry and on a comparison with `p` from the top limb down (which almost always decides
//! there) and subtract or add `p` only when needed, where the software versions run three
//! constant-time carry chains with masks: nothing a guest computes is secret from its prover, and
//! the zkVM's cycles are its proving cost. The constants whose value depends on the form (one,
//! `R2`, the generator, roots of unity, `ZETA`, ...) are written for each form in `field/mod.rs`,
//! and leaving the form (`from_mont`, behind `to_repr`) is the identity. The precompile is
//! `syscall_uint256_mulmod(x, y)`, which sets `x = x·y mod m` where `m` is the four words after
//! `y`; sp1-zkvm defines the symbol, the guest links it.

use num_bigint::BigUint;
use quote::quote;

/// `add`, `sub`, `neg`, `mul`, `square` and `from_mont`, each under `#[cfg(target_os = "zkvm")]`,
/// for a field of four 64-bit limbs whose modulus is `modulus`, and their helpers.
pub(crate) fn impl_arith(modulus: &BigUint) -> proc_macro2::TokenStream {
    let modulus_limbs = crate::utils::big_to_limbs(modulus, 4);
    quote! {
        /// `a + b` over four limbs, and whether it carried out of the top one.
        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        const fn add_limbs(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
            let mut sum = [0u64; 4];
            let mut carry = false;
            let mut i = 0;
            while i < 4 {
                let (s, c1) = a[i].overflowing_add(b[i]);
                let (s, c2) = s.overflowing_add(carry as u64);
                sum[i] = s;
                carry = c1 | c2;
                i += 1;
            }
            (sum, carry)
        }

        /// `a - b` over four limbs, and whether it borrowed past the top one (`a < b`).
        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        const fn sub_limbs(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
            let mut difference = [0u64; 4];
            let mut borrow = false;
            let mut i = 0;
            while i < 4 {
                let (d, b1) = a[i].overflowing_sub(b[i]);
                let (d, b2) = d.overflowing_sub(borrow as u64);
                difference[i] = d;
                borrow = b1 | b2;
                i += 1;
            }
            (difference, borrow)
        }

        /// Whether the integer of four limbs is at least the modulus, from the top limb down.
        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        const fn at_least_modulus(limbs: &[u64; 4]) -> bool {
            let mut i = 4;
            while i > 0 {
                i -= 1;
                if limbs[i] != Self::MODULUS_LIMBS[i] {
                    return limbs[i] > Self::MODULUS_LIMBS[i];
                }
            }
            true
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub const fn add(&self, rhs: &Self) -> Self {
            let (sum, carry) = Self::add_limbs(&self.0, &rhs.0);
            if carry || Self::at_least_modulus(&sum) {
                Self(Self::sub_limbs(&sum, &Self::MODULUS_LIMBS).0)
            } else {
                Self(sum)
            }
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub const fn sub(&self, rhs: &Self) -> Self {
            let (difference, borrow) = Self::sub_limbs(&self.0, &rhs.0);
            if borrow {
                Self(Self::add_limbs(&difference, &Self::MODULUS_LIMBS).0)
            } else {
                Self(difference)
            }
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub const fn neg(&self) -> Self {
            if self.0[0] | self.0[1] | self.0[2] | self.0[3] == 0 {
                *self
            } else {
                Self(Self::sub_limbs(&Self::MODULUS_LIMBS, &self.0).0)
            }
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub fn mul(&self, rhs: &Self) -> Self {
            unsafe extern "C" {
                fn syscall_uint256_mulmod(x: *mut [u64; 4], y: *const [u64; 4]);
            }
            // The precompile's second operand, then its modulus: the modulus is written once, here,
            // not stored (from immediates) on every call. A guest runs on one thread.
            static mut RHS_AND_MODULUS: [u64; 8] = [0, 0, 0, 0, #(#modulus_limbs,)*];
            let mut product = self.0;
            let operands: *mut [u64; 8] = &raw mut RHS_AND_MODULUS;
            // SAFETY: the guest is single-threaded and nothing else touches the buffer, so the
            // writes cannot race; both pointers are to live, 8-byte aligned words, of which the
            // precompile reads the operand and the modulus and writes only `product`.
            unsafe {
                (*operands)[0] = rhs.0[0];
                (*operands)[1] = rhs.0[1];
                (*operands)[2] = rhs.0[2];
                (*operands)[3] = rhs.0[3];
                syscall_uint256_mulmod(&mut product, operands as *const [u64; 4]);
            }
            Self(product)
        }

        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub fn square(&self) -> Self {
            self.mul(self)
        }

        /// The element's integer: it is held plain.
        #[cfg(target_os = "zkvm")]
        #[inline(always)]
        pub(crate) const fn from_mont(&self) -> [u64; 4] {
            self.0
        }
    }
}
