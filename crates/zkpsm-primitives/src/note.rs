//! Notes, note commitments and nullifiers.
//!
//! A note is `(d, pk_d, own, value, rseed)`. Its commitment is `cm = H(value, own, rcm)` with
//! `rcm = PRF(rseed, "rcm")`. Its nullifier is `nf = H(nk, cm, position)`, where `position` packs the
//! 32 direction bits of its Merkle path: one note, one position, one nullifier.

use crate::field::{self, Fq};
use crate::field_newtype;
use crate::keys::Address;
use crate::poseidon;
use crate::prf::{context, prf_field};
use rand_core::{CryptoRng, RngCore};

field_newtype!(
    /// A note commitment `H(value, own, rcm)`, a leaf of the note commitment tree.
    NoteCommitment
);
field_newtype!(
    /// A nullifier `H(nk, cm, position)`, published when the note is spent. Never zero.
    Nullifier
);

/// A shielded note: a value owned by an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// The address that owns the note.
    pub recipient: Address,
    /// The value in the smallest unit.
    pub value: u64,
    /// The seed of the commitment randomness and of the encryption's ephemeral key.
    pub rseed: [u8; 32],
}

impl Note {
    /// A note of `value` to `recipient` with a fresh random seed.
    pub fn new(recipient: Address, value: u64, rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut rseed = [0u8; 32];
        rng.fill_bytes(&mut rseed);
        Self {
            recipient,
            value,
            rseed,
        }
    }

    /// The commitment randomness `rcm = PRF(rseed, "rcm")`.
    pub fn rcm(&self) -> Fq {
        prf_field(context::RCM, &[&self.rseed])
    }

    /// The ephemeral secret key `esk = PRF(rseed, "esk")` of this note's encryption.
    pub fn esk(&self) -> Fq {
        prf_field(context::ESK, &[&self.rseed])
    }

    /// The note commitment.
    pub fn commitment(&self) -> NoteCommitment {
        commit(self.value, self.recipient.own, self.rcm())
    }

    /// The nullifier of this note at a tree position, under the owner's `nk`.
    pub fn nullifier(&self, nk: Fq, position: u32) -> Nullifier {
        nullifier(nk, self.commitment(), position)
    }
}

/// `cm = H(value, own, rcm)`.
pub fn commit(value: u64, own: Fq, rcm: Fq) -> NoteCommitment {
    NoteCommitment(poseidon::hash(
        poseidon::note_commitment(),
        &[field::from_u64(value), own, rcm],
    ))
}

/// `nf = H(nk, cm, position)`.
pub fn nullifier(nk: Fq, cm: NoteCommitment, position: u32) -> Nullifier {
    Nullifier(poseidon::hash(
        poseidon::nullifier(),
        &[nk, cm.0, Fq::from(u64::from(position))],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SpendingKey;
    use rand::rngs::OsRng;

    #[test]
    fn nullifier_depends_on_key_commitment_and_position() {
        let fvk = SpendingKey::random(&mut OsRng).full_viewing_key();
        let note = Note::new(fvk.address_at(0), 5, &mut OsRng);
        let nf = note.nullifier(fvk.nk, 7);
        assert_ne!(nf, note.nullifier(fvk.nk, 8));
        assert_ne!(nf, note.nullifier(fvk.nk + Fq::from(1), 7));
        let other = Note { value: 6, ..note };
        assert_ne!(nf, other.nullifier(fvk.nk, 7));
        assert_ne!(note.commitment(), other.commitment());
    }
}
