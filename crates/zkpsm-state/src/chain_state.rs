//! The running state `z` of the chain (docs/protocol.md), the block effects digest, and the app hash.
//!
//! `z = [height, cm_root, cm_size, nf_root, nf_size, anchors_root, supply, block_chain_hash]`. The
//! app hash is blake3 of the canonical encoding of `z` and of the other modules' roots, so a
//! consensus commit signs exactly the state the chain proof attests.

use borsh::{BorshDeserialize, BorshSerialize};
pub use zkpsm_primitives::chain_step::{
    Digest, EffectKind, EffectsDigest, Z_LEN, next_block_chain_hash, txs_hash,
};
use zkpsm_primitives::field::{self, Fq};

/// The chain's running state after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ChainState {
    /// The height of the last applied block (0 is genesis).
    pub height: u64,
    /// The note commitment tree root (the newest anchor).
    pub cm_root: Digest,
    /// The number of notes in the tree.
    pub cm_size: u64,
    /// The indexed nullifier tree root.
    pub nf_root: Digest,
    /// The number of leaves of the nullifier tree (the sentinel included).
    pub nf_size: u64,
    /// The root of the tree of every block's anchor.
    pub anchors_root: Digest,
    /// The value in the shielded pool: genesis notes minus burned fees.
    pub supply: u64,
    /// The hash chain over every block's effects and transaction ids.
    pub block_chain_hash: Digest,
}

/// The context string of the app hash.
const APP_HASH_CONTEXT: &str = "zkpsm 2026 app hash";

impl ChainState {
    /// `z` as field elements, in order.
    pub fn z(&self) -> [Fq; Z_LEN] {
        [
            Fq::from(self.height),
            self.cm_root.0,
            Fq::from(self.cm_size),
            self.nf_root.0,
            Fq::from(self.nf_size),
            self.anchors_root.0,
            Fq::from(self.supply),
            self.block_chain_hash.0,
        ]
    }

    /// The state whose `z` this is; `None` if a count does not fit in 64 bits.
    pub fn from_z(z: &[Fq; Z_LEN]) -> Option<Self> {
        let count = |x: &Fq| -> Option<u64> {
            let bytes = field::to_bytes(x);
            let (low, high) = bytes.split_at(8);
            high.iter()
                .all(|b| *b == 0)
                .then(|| u64::from_le_bytes(low.try_into().unwrap_or_default()))
        };
        Some(Self {
            height: count(&z[0])?,
            cm_root: Digest(z[1]),
            cm_size: count(&z[2])?,
            nf_root: Digest(z[3]),
            nf_size: count(&z[4])?,
            anchors_root: Digest(z[5]),
            supply: count(&z[6])?,
            block_chain_hash: Digest(z[7]),
        })
    }

    /// The app hash: blake3 of `z` and of the other modules' `(name, root)` pairs, in order.
    pub fn app_hash(&self, module_roots: &[(String, [u8; 32])]) -> [u8; 32] {
        let mut h = blake3::Hasher::new_derive_key(APP_HASH_CONTEXT);
        for x in self.z() {
            h.update(&field::to_bytes(&x));
        }
        h.update(&(module_roots.len() as u64).to_le_bytes());
        for (name, root) in module_roots {
            h.update(&(name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update(root);
        }
        *h.finalize().as_bytes()
    }
}
