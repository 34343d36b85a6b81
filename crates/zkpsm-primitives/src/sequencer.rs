//! The embedded sequencer's signature on what it committed: ed25519 (`ed25519-consensus`, the
//! Zcash Foundation's ZIP 215 implementation) over a digest of the chain id, the height and the
//! app hash. Genesis pins the sequencer's verification key; a light client (and a node syncing from
//! data availability) accepts an app hash from the embedded chain only with this signature.

use crate::Error;
use ed25519_consensus::{Signature, SigningKey, VerificationKey};
use rand_core::{CryptoRng, RngCore};

const COMMIT_CONTEXT: &str = "zkpsm 2026 sequencer commit";

/// The digest a sequencer signs for the block at `height` of `chain_id` with `app_hash`.
pub fn commit_message(chain_id: &str, height: u64, app_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(COMMIT_CONTEXT);
    h.update(&(chain_id.len() as u64).to_le_bytes());
    h.update(chain_id.as_bytes());
    h.update(&height.to_le_bytes());
    h.update(app_hash);
    *h.finalize().as_bytes()
}

/// The sequencer's signing key.
pub struct SequencerKey(SigningKey);

impl SequencerKey {
    /// A fresh key.
    pub fn random(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        Self(SigningKey::new(rng))
    }

    /// The key from its 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(SigningKey::from(bytes))
    }

    /// The 32 secret bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The verification key, as genesis pins it.
    pub fn verification_key(&self) -> [u8; 32] {
        self.0.verification_key().to_bytes()
    }

    /// Signs the commit of `height` with `app_hash`.
    pub fn sign_commit(&self, chain_id: &str, height: u64, app_hash: &[u8; 32]) -> [u8; 64] {
        self.0
            .sign(&commit_message(chain_id, height, app_hash))
            .to_bytes()
    }
}

/// Checks a sequencer's signature on the commit of `height` with `app_hash`.
pub fn verify_commit(
    verification_key: &[u8; 32],
    chain_id: &str,
    height: u64,
    app_hash: &[u8; 32],
    signature: &[u8; 64],
) -> Result<(), Error> {
    let key = VerificationKey::try_from(*verification_key)
        .map_err(|_| Error::BadSignature("not a valid ed25519 verification key"))?;
    key.verify(
        &Signature::from(*signature),
        &commit_message(chain_id, height, app_hash),
    )
    .map_err(|_| Error::BadSignature("the sequencer's signature does not verify"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_chain_height_and_app_hash() {
        let key = SequencerKey::random(&mut rand_core::OsRng);
        let vk = key.verification_key();
        let sig = key.sign_commit("zkpsm-a", 7, &[1; 32]);
        assert!(verify_commit(&vk, "zkpsm-a", 7, &[1; 32], &sig).is_ok());
        assert!(verify_commit(&vk, "zkpsm-b", 7, &[1; 32], &sig).is_err());
        assert!(verify_commit(&vk, "zkpsm-a", 8, &[1; 32], &sig).is_err());
        assert!(verify_commit(&vk, "zkpsm-a", 7, &[2; 32], &sig).is_err());
        let other = SequencerKey::random(&mut rand_core::OsRng).verification_key();
        assert!(verify_commit(&other, "zkpsm-a", 7, &[1; 32], &sig).is_err());
        let restored = SequencerKey::from_bytes(key.to_bytes());
        assert_eq!(restored.sign_commit("zkpsm-a", 7, &[1; 32]), sig);
    }
}
