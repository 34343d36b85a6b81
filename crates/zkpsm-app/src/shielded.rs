//! The shielded pool, zkpsm's first and built-in module: its state is the note commitment tree,
//! the nullifier set and the anchors (the proven part of the app hash).

use crate::AppError;
use crate::genesis::ConsensusParams;
use crate::lanes::Lanes;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::SpendKeys;
use zkpsm_proofs::verifier::verify_proof;
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

/// One proof verification in progress. Whoever asks for the same proof meanwhile waits for its
/// outcome instead of verifying it a second time (CheckTx of a transaction and ProcessProposal
/// of a block holding it often overlap).
#[derive(Default)]
struct Flight {
    /// `None` while running; then whether the proof verified.
    outcome: Mutex<Option<bool>>,
    done: Condvar,
}

impl Flight {
    /// Waits for the outcome. Holds no lock of the pool while waiting.
    fn wait(&self) -> bool {
        let Ok(mut outcome) = self.outcome.lock() else {
            return false;
        };
        loop {
            if let Some(verified) = *outcome {
                return verified;
            }
            outcome = match self.done.wait(outcome) {
                Ok(o) => o,
                Err(_) => return false,
            };
        }
    }
}

/// The right, and the duty, to verify one proof that nobody else is verifying: publishing the
/// outcome (also when dropped without one, e.g. on a panic) wakes every waiter.
struct Lead<'a> {
    pool: &'a ShieldedPool,
    key: [u8; 32],
    flight: Arc<Flight>,
    published: bool,
}

impl Lead<'_> {
    fn publish(&mut self, verified: bool) {
        if self.published {
            return;
        }
        self.published = true;
        // The cache first, then the flight leaves the map: a caller finds one or the other.
        if verified && let Ok(mut cache) = self.pool.verified.lock() {
            cache.insert(self.key);
        }
        if let Ok(mut flights) = self.pool.in_flight.lock() {
            flights.remove(&self.key);
        }
        if let Ok(mut outcome) = self.flight.outcome.lock() {
            *outcome = Some(verified);
        }
        self.flight.done.notify_all();
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        self.publish(false);
    }
}

/// Where a proof stands for one caller.
enum Claim<'a> {
    /// It already verified.
    Verified,
    /// This caller verifies it.
    Lead(Lead<'a>),
    /// Another caller is verifying it.
    Wait(Arc<Flight>),
}

/// The shielded pool's checks.
pub struct ShieldedPool {
    keys: Arc<SpendKeys>,
    /// Where proofs are verified: one lane per core, each proof on one thread, so concurrent
    /// verifications (CheckTx's, a block's) share the cores without oversubscribing them.
    lanes: Lanes,
    verified: Mutex<VerifiedCache>,
    /// Verifications in progress, by cache key.
    in_flight: Mutex<BTreeMap<[u8; 32], Arc<Flight>>>,
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
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Self {
            keys,
            lanes: Lanes::new(cores),
            verified: Mutex::new(VerifiedCache::default()),
            in_flight: Mutex::new(BTreeMap::new()),
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

    /// Verifies the proof unless this exact transaction already verified, or waits for the
    /// outcome if another caller is verifying it right now: each proof is verified once.
    pub fn verify(&self, tx: &Transaction, chain_id: &str, height: u64) -> Result<(), AppError> {
        self.verify_all(&[tx], chain_id, height)
    }

    /// Verifies the proofs of `txs` (in parallel, each at most once across all callers) and
    /// returns the first failure in their order. A proof another caller is verifying is waited
    /// for, after this caller's own share is done and while it holds no lock.
    pub fn verify_all(
        &self,
        txs: &[&Transaction],
        chain_id: &str,
        height: u64,
    ) -> Result<(), AppError> {
        // The context rules are cheap and depend on the caller's height: each caller checks them.
        for tx in txs {
            tx.body
                .check_stateless()
                .map_err(|e| AppError::Invalid(e.into()))?;
            tx.body
                .check_context(chain_id, height)
                .map_err(|e| AppError::Invalid(e.into()))?;
        }
        let mut outcomes: Vec<Option<Result<(), AppError>>> = Vec::with_capacity(txs.len());
        let mut leads = Vec::new();
        let mut waits = Vec::new();
        for (i, tx) in txs.iter().enumerate() {
            match self.claim(tx) {
                Claim::Verified => outcomes.push(Some(Ok(()))),
                Claim::Lead(lead) => {
                    outcomes.push(None);
                    leads.push((i, *tx, lead));
                }
                Claim::Wait(flight) => {
                    outcomes.push(None);
                    waits.push((i, *tx, flight));
                }
            }
        }
        // This caller's share, in parallel across proofs: as many threads as lanes, each taking
        // the next proof (a lane waits for its turn while others verify for CheckTx).
        let workers = leads.len().min(self.lanes.len()).max(1);
        let queue = Mutex::new(leads.into_iter());
        let take = || queue.lock().ok().and_then(|mut q| q.next());
        let work = || {
            let mut done = Vec::new();
            while let Some((i, tx, lead)) = take() {
                done.push((i, self.run(tx, lead)));
            }
            done
        };
        let led: Vec<(usize, Result<(), AppError>)> = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut all = work();
            for h in helpers {
                // A panicked helper's leads publish "not verified" as they drop; their outcomes
                // stay unset and are verified again below.
                all.extend(h.join().unwrap_or_default());
            }
            all
        });
        for (i, result) in led {
            outcomes[i] = Some(result);
        }
        for (i, tx, flight) in waits {
            // Waiting cannot deadlock: a leader verifies in a lane, and a lane is held only while
            // a proof is verified, never while waiting. A failed or abandoned verification is
            // repeated here, so the error is this caller's own.
            let verified = flight.wait();
            outcomes[i] = Some(if verified {
                Ok(())
            } else {
                self.verify_now(tx)
            });
        }
        // Anything still unset (a helper thread panicked) is verified here.
        for (i, slot) in outcomes.iter_mut().enumerate() {
            if slot.is_none() {
                *slot = Some(self.verify_now(txs[i]));
            }
        }
        outcomes
            .into_iter()
            .flatten()
            .find(Result::is_err)
            .unwrap_or(Ok(()))
    }

    /// Where the proof of `tx` stands: verified, to verify, or being verified by another caller.
    fn claim(&self, tx: &Transaction) -> Claim<'_> {
        let key = verified_key(tx);
        let Ok(mut flights) = self.in_flight.lock() else {
            // A poisoned map: verify without single-flight (correct, only slower).
            return Claim::Lead(Lead {
                pool: self,
                key,
                flight: Arc::default(),
                published: false,
            });
        };
        if self.verified.lock().is_ok_and(|c| c.set.contains(&key)) {
            return Claim::Verified;
        }
        if let Some(flight) = flights.get(&key) {
            return Claim::Wait(flight.clone());
        }
        let flight = Arc::new(Flight::default());
        flights.insert(key, flight.clone());
        Claim::Lead(Lead {
            pool: self,
            key,
            flight,
            published: false,
        })
    }

    /// Verifies the proof as the leader and publishes the outcome to the waiters.
    fn run(&self, tx: &Transaction, mut lead: Lead<'_>) -> Result<(), AppError> {
        let result = self.verify_now(tx);
        lead.publish(result.is_ok());
        result
    }

    /// Verifies the proof against the public values computed from the body, in a lane, counting
    /// it. It never waits for another caller, so a lane is always handed back.
    fn verify_now(&self, tx: &Transaction) -> Result<(), AppError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let expected = tx.body.public_values();
        let result = self
            .lanes
            .run(|| verify_proof(&self.keys, &tx.proof, &expected));
        if result.is_ok()
            && let Ok(mut cache) = self.verified.lock()
        {
            cache.insert(verified_key(tx));
        }
        Ok(result?)
    }
}
