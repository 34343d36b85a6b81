//! A leaf of the indexed nullifier tree (a sorted linked list in a depth-32 Poseidon tree, as Aztec
//! does) and the numeric order of field elements it is sorted by.
//!
//! Leaf `= H(value, next_index, next_value)`; an empty slot is 0, distinct from every real leaf's
//! hash. Index 0 holds the sentinel `(0, 0, 0)`; `next_value = 0` means +infinity; a nullifier of 0
//! is invalid.

use crate::field::{self, Fq};
use crate::poseidon;
use ff::Field;

/// A leaf of the indexed nullifier tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NullifierLeaf {
    /// The nullifier (0 for the sentinel).
    pub value: Fq,
    /// The index of the leaf with the next larger value (0 if none).
    pub next_index: u64,
    /// The next larger value (0 means none: +infinity).
    pub next_value: Fq,
}

impl NullifierLeaf {
    /// The sentinel at index 0.
    pub const SENTINEL: Self = Self {
        value: Fq::ZERO,
        next_index: 0,
        next_value: Fq::ZERO,
    };

    /// The leaf's hash in the tree.
    pub fn hash(&self) -> Fq {
        poseidon::hash(
            poseidon::nullifier_leaf(),
            &[self.value, Fq::from(self.next_index), self.next_value],
        )
    }

    /// The fixed-size encoding: `value ‖ next_index (u64 LE) ‖ next_value`.
    pub fn to_bytes(self) -> [u8; 72] {
        let mut out = [0u8; 72];
        out[..32].copy_from_slice(&field::to_bytes(&self.value));
        out[32..40].copy_from_slice(&self.next_index.to_le_bytes());
        out[40..].copy_from_slice(&field::to_bytes(&self.next_value));
        out
    }

    /// Decodes [`NullifierLeaf::to_bytes`]; non-canonical field elements are an error.
    pub fn from_bytes(bytes: &[u8; 72]) -> Result<Self, crate::Error> {
        let mut value = [0u8; 32];
        value.copy_from_slice(&bytes[..32]);
        let mut index = [0u8; 8];
        index.copy_from_slice(&bytes[32..40]);
        let mut next = [0u8; 32];
        next.copy_from_slice(&bytes[40..]);
        Ok(Self {
            value: field::from_bytes(&value, "leaf value")?,
            next_index: u64::from_le_bytes(index),
            next_value: field::from_bytes(&next, "leaf next value")?,
        })
    }

    /// Whether `nf` lies strictly between this leaf's value and the next (the gap it proves empty).
    pub fn brackets(&self, nf: &Fq) -> bool {
        less(&self.value, nf) && (self.next_value == Fq::ZERO || less(nf, &self.next_value))
    }
}

impl borsh::BorshSerialize for NullifierLeaf {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(&self.to_bytes())
    }
}

impl borsh::BorshDeserialize for NullifierLeaf {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let mut bytes = [0u8; 72];
        reader.read_exact(&mut bytes)?;
        Self::from_bytes(&bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

/// Big-endian bytes, whose lexicographic order is the numeric order of field elements.
pub fn sort_key(x: &Fq) -> [u8; 32] {
    let mut b = field::to_bytes(x);
    b.reverse();
    b
}

/// Strict numeric order of canonical field elements (as integers below the modulus).
pub fn less(a: &Fq, b: &Fq) -> bool {
    sort_key(a) < sort_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_order_is_numeric() {
        let leaf = NullifierLeaf {
            value: Fq::from(5),
            next_index: 9,
            next_value: -Fq::ONE,
        };
        assert_eq!(NullifierLeaf::from_bytes(&leaf.to_bytes()), Ok(leaf));
        assert!(NullifierLeaf::from_bytes(&[0xff; 72]).is_err());
        assert!(less(&Fq::from(255), &Fq::from(256)));
        assert!(less(&Fq::from(7), &-Fq::ONE));
        assert!(!less(&Fq::from(7), &Fq::from(7)));
        assert!(leaf.brackets(&Fq::from(6)));
        assert!(!leaf.brackets(&Fq::from(5)));
        assert!(!leaf.brackets(&-Fq::ONE));
        assert!(NullifierLeaf::SENTINEL.brackets(&-Fq::ONE));
    }
}
