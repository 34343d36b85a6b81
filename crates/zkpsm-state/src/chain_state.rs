//! The running state `z` of the chain (DESIGN.md §3), the block effects digest, and the app hash.
//!
//! `z = [height, cm_root, cm_size, nf_root, nf_size, anchors_root, supply, block_chain_hash]`. The
//! app hash is blake3 of the canonical encoding of `z` and of the other modules' roots, so a
//! consensus commit signs exactly the state the chain proof attests.

use borsh::{BorshDeserialize, BorshSerialize};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::field_newtype;
use zkpsm_primitives::poseidon;
use zkpsm_primitives::prf::prf_field;
use zkpsm_primitives::transaction::TxId;

field_newtype!(
    /// A Poseidon digest or Merkle root in the chain state.
    Digest
);

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
/// The context string of a block's transaction-id hash.
const TXS_HASH_CONTEXT: &str = "zkpsm 2026 block txs hash";

impl ChainState {
    /// `z` as field elements, in order.
    pub fn z(&self) -> [Fq; 8] {
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

/// Kinds of effects folded into a block's effects digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum EffectKind {
    /// A transaction's anchor.
    Anchor = 1,
    /// A revealed nullifier.
    Nullifier = 2,
    /// A created note commitment.
    Commitment = 3,
    /// A burned fee.
    Fee = 4,
    /// The block's resulting anchor.
    NewAnchor = 5,
}

/// A block's effects digest, folded one effect at a time: `acc' = H(acc, kind, value)` from 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EffectsDigest(pub Fq);

impl EffectsDigest {
    /// Folds one effect in.
    pub fn absorb(&mut self, kind: EffectKind, value: Fq) {
        self.0 = poseidon::hash(poseidon::effects(), &[self.0, Fq::from(kind as u64), value]);
    }
}

/// The hash of a block's transaction ids, as one field element.
pub fn txs_hash(txids: &[TxId]) -> Fq {
    let parts: Vec<&[u8]> = txids.iter().map(|t| t.0.as_slice()).collect();
    prf_field(TXS_HASH_CONTEXT, &parts)
}

/// The next link of the block hash chain.
pub fn next_block_chain_hash(previous: Fq, effects: EffectsDigest, txs_hash: Fq) -> Fq {
    poseidon::hash(poseidon::block_chain(), &[previous, effects.0, txs_hash])
}
