//! The shielded pool, zkpsm's first and built-in module: its state is the note commitment tree,
//! the nullifier set and the anchors (the proven part of the app hash).

use crate::AppError;
use crate::genesis::ConsensusParams;
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{SpendKeys, VerifyContext, verify_transaction};
use zkpsm_state::Store;

/// How many verified transactions are remembered (so none is verified twice).
const VERIFIED_CACHE: usize = 100_000;

/// Remembers `(txid, proof)` pairs whose proofs verified, bounded, oldest forgotten first.
#[derive(Default)]
struct VerifiedCache {
    set: BTreeSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

impl VerifiedCache {
    fn insert(&mut self, key: [u8; 32]) {
        if self.set.insert(key) {
            self.order.push_back(key);
            if self.order.len() > VERIFIED_CACHE
                && let Some(old) = self.order.pop_front()
            {
                self.set.remove(&old);
            }
        }
    }
}

/// The shielded pool's checks.
pub struct ShieldedPool {
    keys: Arc<SpendKeys>,
    verified: Mutex<VerifiedCache>,
    verifications: AtomicU64,
}

/// The cache key of a verified transaction: its id and its exact proof (the id alone does not
/// cover the proof).
fn verified_key(tx: &Transaction) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key("zkpsm 2026 verified tx");
    h.update(&tx.txid().0);
    h.update(&tx.proof);
    *h.finalize().as_bytes()
}

impl ShieldedPool {
    /// The pool with these spend keys.
    pub fn new(keys: Arc<SpendKeys>) -> Self {
        Self {
            keys,
            verified: Mutex::new(VerifiedCache::default()),
            verifications: AtomicU64::new(0),
        }
    }

    /// The spend keys.
    pub fn keys(&self) -> &Arc<SpendKeys> {
        &self.keys
    }

    /// The cheap checks, before any proof: form, chain id, expiry, anchor window, unspent nullifiers.
    pub fn check_cheap(
        &self,
        store: &Store,
        params: &ConsensusParams,
        chain_id: &str,
        tx: &Transaction,
        height: u64,
    ) -> Result<(), AppError> {
        let body = &tx.body;
        body.check_stateless()
            .map_err(|e| AppError::Invalid(e.into()))?;
        if body.chain_id != chain_id {
            return Err(AppError::Invalid(
                zkpsm_primitives::Error::InvalidTransaction(format!(
                    "chain id '{}' is not '{chain_id}'",
                    body.chain_id
                ))
                .into(),
            ));
        }
        if height > body.expiry_height {
            return Err(AppError::Expiry(format!(
                "expired at height {}, now {height}",
                body.expiry_height
            )));
        }
        if body.expiry_height - height > params.max_expiry_delta {
            return Err(AppError::Expiry(format!(
                "expiry {} is more than {} blocks ahead",
                body.expiry_height, params.max_expiry_delta
            )));
        }
        match store.anchor_height(&body.anchor)? {
            None => return Err(AppError::Anchor(format!("unknown anchor {}", body.anchor))),
            Some(h) if height.saturating_sub(h) > params.anchor_window => {
                return Err(AppError::Anchor(format!(
                    "anchor from height {h} is outside the window of {} blocks",
                    params.anchor_window
                )));
            }
            Some(_) => {}
        }
        for nf in &body.nullifiers {
            if store.is_spent(nf)? {
                return Err(AppError::DoubleSpend(format!(
                    "nullifier {nf} is already spent"
                )));
            }
        }
        Ok(())
    }

    /// How many proofs this pool has verified (cached ones are not verified again).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Whether this exact transaction (id and proof) already verified.
    pub fn is_verified(&self, tx: &Transaction) -> bool {
        self.verified
            .lock()
            .map(|c| c.set.contains(&verified_key(tx)))
            .unwrap_or(false)
    }

    /// Verifies the proof unless this exact transaction already verified.
    pub fn verify(&self, tx: &Transaction, chain_id: &str, height: u64) -> Result<(), AppError> {
        if self.is_verified(tx) {
            return Ok(());
        }
        let context = VerifyContext {
            chain_id: chain_id.to_owned(),
            height,
        };
        self.verifications.fetch_add(1, Ordering::Relaxed);
        verify_transaction(&self.keys, tx, &context)?;
        if let Ok(mut cache) = self.verified.lock() {
            cache.insert(verified_key(tx));
        }
        Ok(())
    }
}
