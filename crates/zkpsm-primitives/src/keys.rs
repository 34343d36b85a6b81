//! The key hierarchy (Orchard-like, simplified) and diversified addresses.
//!
//! From a 32-byte spending key `sk`, blake3 PRFs derive `ask`, `nk`, `rivk` and `ovk` independently.
//! `ak = H(ask)` and `ivk = H(ak, nk, rivk)` (Poseidon). An address at a diversifier `d` is
//! `(d, pk_d = [ivk] G_d, own = H(ivk, d))`; two addresses of one wallet share no field.
//!
//! | key | can |
//! |---|---|
//! | [`SpendingKey`] | everything, including spending (through `ask`) |
//! | [`FullViewingKey`] | see incoming and outgoing notes and their spends, never spend |
//! | [`IncomingViewingKey`] | find and check incoming notes, make addresses; no nullifiers |
//! | [`OutgoingViewingKey`] | recover what it sent |

use crate::Error;
use crate::field::{self, Fq};
use crate::poseidon;
use crate::prf::{context, prf_bytes, prf_field};
use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32m, Hrp};
use group::GroupEncoding;
use halo2curves::CurveExt;
use halo2curves::pasta::Pallas;
use rand_core::{CryptoRng, RngCore};
use std::fmt;
use std::str::FromStr;

/// The bech32m prefix of addresses.
pub const ADDRESS_HRP: &str = "zkpsm";
/// The bech32m prefix of full viewing keys.
pub const FULL_VIEWING_KEY_HRP: &str = "zkpsmfvk";
/// The hash-to-curve domain of diversified base points `G_d`.
pub const DIVERSIFY_DOMAIN: &str = "zkpsm:2026:diversify";
/// Length of an encoded address in bytes: `d ‖ pk_d ‖ own`.
pub const ADDRESS_BYTES: usize = 11 + 32 + 32;

/// The 32-byte root secret of a wallet.
#[derive(Clone, PartialEq, Eq)]
pub struct SpendingKey([u8; 32]);

impl fmt::Debug for SpendingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpendingKey(..)")
    }
}

impl SpendingKey {
    /// A fresh random spending key.
    pub fn random(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The spending key with these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw bytes (keep them secret).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The spend authorizing key `ask`: knowing it inside a proof authorizes a spend.
    pub fn spend_authorizing_key(&self) -> SpendAuthorizingKey {
        SpendAuthorizingKey(prf_field(context::ASK, &[&self.0]))
    }

    /// The full viewing key `(ak, nk, rivk, ovk)`.
    pub fn full_viewing_key(&self) -> FullViewingKey {
        let ask = self.spend_authorizing_key();
        FullViewingKey {
            ak: ask.ak(),
            nk: prf_field(context::NK, &[&self.0]),
            rivk: prf_field(context::RIVK, &[&self.0]),
            ovk: OutgoingViewingKey(prf_bytes(context::OVK, &[&self.0])),
        }
    }
}

/// `ask`, the secret whose knowledge inside the spend proof authorizes a spend.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SpendAuthorizingKey(pub Fq);

impl fmt::Debug for SpendAuthorizingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SpendAuthorizingKey(..)")
    }
}

impl SpendAuthorizingKey {
    /// `ak = H(ask)`.
    pub fn ak(&self) -> Fq {
        poseidon::hash(poseidon::ak(), &[self.0])
    }
}

/// The full viewing key: sees all incoming and outgoing notes and their spends, cannot spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullViewingKey {
    /// `ak = H(ask)`.
    pub ak: Fq,
    /// The nullifier deriving key.
    pub nk: Fq,
    /// The randomness binding `ivk`.
    pub rivk: Fq,
    /// The outgoing viewing key.
    pub ovk: OutgoingViewingKey,
}

impl FullViewingKey {
    /// The incoming viewing key `ivk = H(ak, nk, rivk)` with the diversifier key.
    pub fn incoming_viewing_key(&self) -> IncomingViewingKey {
        let ivk = poseidon::hash(poseidon::ivk(), &[self.ak, self.nk, self.rivk]);
        let dk = prf_bytes(
            context::DK,
            &[
                &field::to_bytes(&self.ak),
                &field::to_bytes(&self.nk),
                &field::to_bytes(&self.rivk),
            ],
        );
        IncomingViewingKey { ivk, dk }
    }

    /// The address at a diversifier index.
    pub fn address_at(&self, index: u64) -> Address {
        self.incoming_viewing_key().address_at(index)
    }

    /// The canonical 128 bytes `ak ‖ nk ‖ rivk ‖ ovk`.
    pub fn to_bytes(&self) -> [u8; 128] {
        let mut out = [0u8; 128];
        out[..32].copy_from_slice(&field::to_bytes(&self.ak));
        out[32..64].copy_from_slice(&field::to_bytes(&self.nk));
        out[64..96].copy_from_slice(&field::to_bytes(&self.rivk));
        out[96..].copy_from_slice(&self.ovk.0);
        out
    }

    /// Decodes the canonical 128 bytes.
    pub fn from_bytes(bytes: &[u8; 128]) -> Result<Self, Error> {
        let part = |i: usize| -> [u8; 32] {
            let mut b = [0u8; 32];
            b.copy_from_slice(&bytes[i * 32..(i + 1) * 32]);
            b
        };
        Ok(Self {
            ak: field::from_bytes(&part(0), "ak")?,
            nk: field::from_bytes(&part(1), "nk")?,
            rivk: field::from_bytes(&part(2), "rivk")?,
            ovk: OutgoingViewingKey(part(3)),
        })
    }
}

impl fmt::Display for FullViewingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_bech32m(FULL_VIEWING_KEY_HRP, &self.to_bytes()))
    }
}

impl FromStr for FullViewingKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = decode_bech32m(s, FULL_VIEWING_KEY_HRP, "full viewing key")?;
        let bytes: [u8; 128] = bytes.try_into().map_err(|v: Vec<u8>| Error::BadEncoding {
            kind: "full viewing key",
            reason: format!("expected 128 bytes, got {}", v.len()),
        })?;
        Self::from_bytes(&bytes)
    }
}

/// The incoming viewing key: trial-decrypts and checks incoming notes, derives addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncomingViewingKey {
    /// `ivk`, the scalar of every transmission key `pk_d = [ivk] G_d`.
    pub ivk: Fq,
    /// The diversifier key, turning indices into unlinkable diversifiers.
    pub dk: [u8; 32],
}

impl IncomingViewingKey {
    /// The diversifier at an index: pseudo-random under `dk`, so addresses are unlinkable.
    pub fn diversifier_at(&self, index: u64) -> Diversifier {
        let bytes = prf_bytes(context::DIVERSIFIER, &[&self.dk, &index.to_le_bytes()]);
        let mut d = [0u8; 11];
        d.copy_from_slice(&bytes[..11]);
        Diversifier(d)
    }

    /// The address at a diversifier index.
    pub fn address_at(&self, index: u64) -> Address {
        self.address_for(self.diversifier_at(index))
    }

    /// The address of this key at a given diversifier.
    pub fn address_for(&self, d: Diversifier) -> Address {
        Address {
            d,
            pk_d: d.base_point() * self.ivk,
            own: self.owner_tag(&d),
        }
    }

    /// The owner tag `own = H(ivk, d)` bound into note commitments.
    pub fn owner_tag(&self, d: &Diversifier) -> Fq {
        poseidon::hash(poseidon::own(), &[self.ivk, d.to_field()])
    }
}

/// The outgoing viewing key: decrypts `out_ct` so a wallet sees what it sent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OutgoingViewingKey(pub [u8; 32]);

impl fmt::Debug for OutgoingViewingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OutgoingViewingKey(..)")
    }
}

/// An 11-byte diversifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Diversifier(pub [u8; 11]);

impl Diversifier {
    /// `G_d`, the diversified base point (hash to the Pallas curve).
    pub fn base_point(&self) -> Pallas {
        Pallas::hash_to_curve(DIVERSIFY_DOMAIN)(&self.0)
    }

    /// The diversifier as a field element (its 88 bits, little-endian).
    pub fn to_field(&self) -> Fq {
        let mut bytes = [0u8; 32];
        bytes[..11].copy_from_slice(&self.0);
        // 88 bits are always below the modulus.
        field::from_bytes(&bytes, "diversifier").unwrap_or_else(|_| unreachable!())
    }
}

/// A shielded payment address `(d, pk_d, own)`, shown as bech32m with the `zkpsm` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address {
    /// The diversifier.
    pub d: Diversifier,
    /// The transmission key `[ivk] G_d`, target of note encryption.
    pub pk_d: Pallas,
    /// The owner tag `H(ivk, d)`, bound into the note commitment.
    pub own: Fq,
}

impl Address {
    /// The canonical 75 bytes `d ‖ pk_d ‖ own`.
    pub fn to_bytes(&self) -> [u8; ADDRESS_BYTES] {
        let mut out = [0u8; ADDRESS_BYTES];
        out[..11].copy_from_slice(&self.d.0);
        out[11..43].copy_from_slice(&encode_point(&self.pk_d));
        out[43..].copy_from_slice(&field::to_bytes(&self.own));
        out
    }

    /// Decodes the canonical bytes, refusing an invalid or identity `pk_d`.
    pub fn from_bytes(bytes: &[u8; ADDRESS_BYTES]) -> Result<Self, Error> {
        let mut d = [0u8; 11];
        d.copy_from_slice(&bytes[..11]);
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&bytes[11..43]);
        let mut own = [0u8; 32];
        own.copy_from_slice(&bytes[43..]);
        Ok(Self {
            d: Diversifier(d),
            pk_d: decode_point(&pk, "pk_d")?,
            own: field::from_bytes(&own, "own")?,
        })
    }
}

/// The compressed 32-byte encoding of a Pallas point.
pub fn encode_point(point: &Pallas) -> [u8; 32] {
    point.to_bytes().into()
}

/// Decodes a compressed Pallas point, refusing invalid encodings and the identity.
pub fn decode_point(bytes: &[u8; 32], what: &'static str) -> Result<Pallas, Error> {
    let point: Option<Pallas> = Pallas::from_bytes(&(*bytes).into()).into();
    match point {
        Some(p) if !bool::from(group::Group::is_identity(&p)) => Ok(p),
        _ => Err(Error::InvalidPoint(what)),
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_bech32m(ADDRESS_HRP, &self.to_bytes()))
    }
}

impl FromStr for Address {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bytes = decode_bech32m(s, ADDRESS_HRP, "address")?;
        let bytes: [u8; ADDRESS_BYTES] =
            bytes.try_into().map_err(|v: Vec<u8>| Error::BadEncoding {
                kind: "address",
                reason: format!("expected {ADDRESS_BYTES} bytes, got {}", v.len()),
            })?;
        Self::from_bytes(&bytes)
    }
}

fn encode_bech32m(hrp: &str, data: &[u8]) -> String {
    let hrp = Hrp::parse(hrp).unwrap_or_else(|_| unreachable!("prefixes are valid constants"));
    bech32::encode::<Bech32m>(hrp, data)
        .unwrap_or_else(|_| unreachable!("fixed-size payloads are within bech32m's length limit"))
}

fn decode_bech32m(s: &str, hrp: &str, kind: &'static str) -> Result<Vec<u8>, Error> {
    let bad = |reason: String| Error::BadEncoding { kind, reason };
    let checked = CheckedHrpstring::new::<Bech32m>(s.trim()).map_err(|e| bad(e.to_string()))?;
    if checked.hrp().as_str() != hrp {
        return Err(bad(format!(
            "expected prefix '{hrp}', got '{}'",
            checked.hrp()
        )));
    }
    Ok(checked.byte_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn address_round_trips_through_bech32m() {
        let fvk = SpendingKey::random(&mut OsRng).full_viewing_key();
        let addr = fvk.address_at(3);
        let text = addr.to_string();
        assert!(text.starts_with("zkpsm1"));
        assert_eq!(text.parse::<Address>(), Ok(addr));
        assert_eq!(fvk.to_string().parse::<FullViewingKey>(), Ok(fvk));
    }

    #[test]
    fn malformed_addresses_are_refused() {
        let addr = SpendingKey::random(&mut OsRng)
            .full_viewing_key()
            .address_at(0)
            .to_string();
        let mut chars: Vec<char> = addr.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == 'q' { 'p' } else { 'q' };
        let tampered: String = chars.into_iter().collect();
        assert!(tampered.parse::<Address>().is_err());
        assert!("zkpsm1".parse::<Address>().is_err());
        assert!("".parse::<Address>().is_err());
        // A viewing key is not an address.
        let fvk = SpendingKey::random(&mut OsRng)
            .full_viewing_key()
            .to_string();
        assert!(fvk.parse::<Address>().is_err());
    }

    #[test]
    fn two_addresses_of_one_wallet_share_no_field() {
        let fvk = SpendingKey::random(&mut OsRng).full_viewing_key();
        let a = fvk.address_at(0);
        let b = fvk.address_at(1);
        assert_ne!(a.d, b.d);
        assert_ne!(a.pk_d, b.pk_d);
        assert_ne!(a.own, b.own);
        let (ab, bb) = (a.to_bytes(), b.to_bytes());
        // No 8-byte window of one address appears in the other.
        for w in ab.windows(8) {
            assert!(!bb.windows(8).any(|x| x == w));
        }
    }

    #[test]
    fn keys_are_deterministic_and_independent() {
        let sk = SpendingKey::from_bytes([1; 32]);
        let fvk = sk.full_viewing_key();
        assert_eq!(fvk, SpendingKey::from_bytes([1; 32]).full_viewing_key());
        let parts = [sk.spend_authorizing_key().0, fvk.ak, fvk.nk, fvk.rivk];
        for i in 0..parts.len() {
            for j in i + 1..parts.len() {
                assert_ne!(parts[i], parts[j]);
            }
        }
    }
}
