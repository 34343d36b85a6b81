//! The one field of zkpsm: the Pallas scalar field `Fq`, in which every hash, commitment and circuit
//! works, and its canonical 32-byte little-endian encoding.

use crate::Error;
use ff::{FromUniformBytes, PrimeField};

pub use halo2curves::pasta::Fq;

/// The canonical 32-byte little-endian encoding of a field element.
pub fn to_bytes(x: &Fq) -> [u8; 32] {
    x.to_repr().into()
}

/// Decodes a canonical 32-byte little-endian field element; `what` names the value in the error.
pub fn from_bytes(bytes: &[u8; 32], what: &'static str) -> Result<Fq, Error> {
    Option::from(Fq::from_repr((*bytes).into())).ok_or(Error::NonCanonicalField(what))
}

/// Reduces 64 uniformly random bytes into the field (statistically close to uniform).
pub fn from_uniform(bytes: &[u8; 64]) -> Fq {
    Fq::from_uniform_bytes(bytes)
}

/// The field element of a `u64`.
pub fn from_u64(v: u64) -> Fq {
    Fq::from(v)
}

/// The little-endian bits of a field element's canonical encoding (255 of them are significant).
pub fn to_le_bits(x: &Fq) -> [bool; 256] {
    let repr = to_bytes(x);
    let mut bits = [false; 256];
    for (i, bit) in bits.iter_mut().enumerate() {
        *bit = (repr[i / 8] >> (i % 8)) & 1 == 1;
    }
    bits
}

/// Lowercase hex of a field element's canonical encoding.
pub fn to_hex(x: &Fq) -> String {
    hex::encode(to_bytes(x))
}

/// Declares a newtype over `Fq` with canonical borsh encoding (decoding refuses non-canonical bytes)
/// and hex display.
#[macro_export]
macro_rules! field_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $crate::field::Fq);

        impl $name {
            /// The canonical 32-byte encoding.
            pub fn to_bytes(&self) -> [u8; 32] {
                $crate::field::to_bytes(&self.0)
            }

            /// Decodes canonical bytes.
            pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, $crate::Error> {
                $crate::field::from_bytes(bytes, stringify!($name)).map(Self)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), $crate::field::to_hex(&self.0))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::field::to_hex(&self.0))
            }
        }

        impl ::borsh::BorshSerialize for $name {
            fn serialize<W: ::std::io::Write>(&self, writer: &mut W) -> ::std::io::Result<()> {
                writer.write_all(&self.to_bytes())
            }
        }

        impl ::borsh::BorshDeserialize for $name {
            fn deserialize_reader<R: ::std::io::Read>(reader: &mut R) -> ::std::io::Result<Self> {
                let mut bytes = [0u8; 32];
                reader.read_exact(&mut bytes)?;
                Self::from_bytes(&bytes).map_err(|e| {
                    ::std::io::Error::new(::std::io::ErrorKind::InvalidData, e.to_string())
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_round_trip_and_rejection() {
        let x = from_u64(123_456_789);
        assert_eq!(from_bytes(&to_bytes(&x), "x"), Ok(x));
        // The modulus itself is not canonical, nor is 2^256 - 1.
        assert!(from_bytes(&[0xff; 32], "x").is_err());
        let mut modulus = [0u8; 32];
        hex::decode_to_slice(
            "010000002156eb8cdda89409fc98462200000000000000000000000000000040",
            &mut modulus,
        )
        .expect("hex literal");
        assert!(from_bytes(&modulus, "x").is_err());
    }

    #[test]
    fn bits_reconstruct_value() {
        let x = from_u64(0b1011);
        let bits = to_le_bits(&x);
        assert_eq!(&bits[..5], &[true, true, false, true, false]);
        assert!(bits[4..].iter().all(|b| !b));
    }
}
