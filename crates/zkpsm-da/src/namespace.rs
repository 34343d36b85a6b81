//! Namespaces: a chain's blocks and its chain proofs each live under their own namespace, derived
//! from the chain id so that two chains never share one.

use std::fmt;

/// The 10-byte id of a version-0 namespace (Celestia's user namespaces), never all zero.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub struct Namespace(pub [u8; 10]);

/// What a namespace carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Committed blocks with their commit (sequencer signature or CometBFT commit).
    Blocks,
    /// Compressed chain proofs.
    ChainProofs,
}

impl Namespace {
    /// The namespace of `chain_id`'s `purpose`: the first 10 bytes of
    /// blake3("zkpsm namespace" ‖ purpose ‖ chain id), with the first byte forced nonzero (ids
    /// that are zero but for the last byte are reserved on Celestia).
    pub fn of(chain_id: &str, purpose: Purpose) -> Self {
        let tag: &[u8] = match purpose {
            Purpose::Blocks => b"blocks",
            Purpose::ChainProofs => b"chain-proofs",
        };
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"zkpsm namespace\0");
        hasher.update(tag);
        hasher.update(b"\0");
        hasher.update(chain_id.as_bytes());
        let mut id = [0u8; 10];
        id.copy_from_slice(&hasher.finalize().as_bytes()[..10]);
        id[0] |= 0x80;
        Self(id)
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Namespace({})", hex::encode(self.0))
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}
