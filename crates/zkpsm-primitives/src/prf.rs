//! Pseudo-random functions and key derivation, all from blake3 in its key-derivation mode with a
//! distinct context string per use.

use crate::field::{Fq, from_uniform};

/// Context strings of every PRF use in zkpsm. Each is a distinct blake3 `derive_key` context.
pub mod context {
    /// Spend authorizing key from the spending key.
    pub const ASK: &str = "zkpsm 2026 ask";
    /// Nullifier deriving key from the spending key.
    pub const NK: &str = "zkpsm 2026 nk";
    /// Commitment randomness of the incoming viewing key from the spending key.
    pub const RIVK: &str = "zkpsm 2026 rivk";
    /// Outgoing viewing key from the spending key.
    pub const OVK: &str = "zkpsm 2026 ovk";
    /// Diversifier key from the full viewing key.
    pub const DK: &str = "zkpsm 2026 diversifier key";
    /// Diversifier from the diversifier key and an index.
    pub const DIVERSIFIER: &str = "zkpsm 2026 diversifier";
    /// Note commitment randomness from the note's seed.
    pub const RCM: &str = "zkpsm 2026 rcm";
    /// Ephemeral secret key from the note's seed.
    pub const ESK: &str = "zkpsm 2026 esk";
    /// Symmetric key of a note ciphertext from the Diffie-Hellman secret.
    pub const NOTE_KEY: &str = "zkpsm 2026 note encryption key";
    /// Symmetric key of an outgoing ciphertext from the outgoing viewing key.
    pub const OUT_KEY: &str = "zkpsm 2026 outgoing cipher key";
    /// The transaction's binding value from its body.
    pub const BINDING: &str = "zkpsm 2026 transaction binding";
    /// The transaction id from its body.
    pub const TXID: &str = "zkpsm 2026 transaction id";
}

/// 32 pseudo-random bytes: blake3 `derive_key(context)` over the concatenated parts.
pub fn prf_bytes(context: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_derive_key(context);
    for part in parts {
        hasher.update(part);
    }
    *hasher.finalize().as_bytes()
}

/// A pseudo-random field element: 64 bytes of blake3 XOF output reduced into the field.
pub fn prf_field(context: &str, parts: &[&[u8]]) -> Fq {
    let mut hasher = blake3::Hasher::new_derive_key(context);
    for part in parts {
        hasher.update(part);
    }
    let mut wide = [0u8; 64];
    hasher.finalize_xof().fill(&mut wide);
    from_uniform(&wide)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_separate_outputs() {
        let seed = [7u8; 32];
        assert_ne!(
            prf_field(context::RCM, &[&seed]),
            prf_field(context::ESK, &[&seed])
        );
        assert_ne!(
            prf_bytes(context::TXID, &[&seed]),
            prf_bytes(context::OVK, &[&seed])
        );
        // Concatenation is what is hashed; the same bytes split differently agree.
        assert_eq!(
            prf_bytes(context::TXID, &[b"ab", b"c"]),
            prf_bytes(context::TXID, &[b"abc"])
        );
    }
}
