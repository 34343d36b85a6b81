//! The shielded pool, zkpsm's first and built-in module: its state is the note commitment tree,
//! the nullifier set and the anchors (the proven part of the app hash).

use crate::AppError;
use crate::genesis::ConsensusParams;
use crate::lanes::Lanes;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::verify_proofs;
use zkpsm_proofs::{ProofError, SpendKeys};
use zkpsm_state::Store;

/// How many verified transactions are remembered (so none is verified twice).
const VERIFIED_CACHE: usize = 100_000;
/// How many transactions whose proofs failed are remembered (so the same bad bytes, sent again,
/// cost no second verification).
const FAILED_CACHE: usize = 10_000;

/// The fewest proofs a batch of a block's (or an admission batch's) proofs is split into, when
/// there are more lanes than batches: verified together, a proof costs about half of what it
/// costs alone, so spreading few proofs over lanes would buy latency with twice the work.
const MIN_BATCH: usize = 4;

/// Remembers values under `(txid, proof)` keys, bounded, oldest forgotten first.
struct RecentMap<V> {
    map: BTreeMap<[u8; 32], V>,
    order: VecDeque<[u8; 32]>,
    capacity: usize,
}

impl<V> RecentMap<V> {
    fn new(capacity: usize) -> Self {
        Self {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn insert(&mut self, key: [u8; 32], value: V) {
        if self.map.insert(key, value).is_none() {
            self.order.push_back(key);
            if self.order.len() > self.capacity
                && let Some(old) = self.order.pop_front()
            {
                self.map.remove(&old);
            }
        }
    }

    fn get(&self, key: &[u8; 32]) -> Option<&V> {
        self.map.get(key)
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
            cache.insert(self.key, ());
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
    /// It failed recently, for this reason: refused without verifying again.
    Failed(String),
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
    verified: Mutex<RecentMap<()>>,
    /// Why recently failed proofs failed, by cache key: the exact bytes, so a copy of an honest
    /// transaction's body with a bad proof never blocks the honest one.
    failed: Mutex<RecentMap<String>>,
    /// Verifications in progress, by cache key.
    in_flight: Mutex<BTreeMap<[u8; 32], Arc<Flight>>>,
    verifications: AtomicU64,
    /// How many times several proofs were verified as one batch.
    batches: AtomicU64,
}

/// A recent failure, repeated without verifying again.
fn failed_again(reason: String) -> AppError {
    AppError::Invalid(ProofError::BadProof(format!(
        "{reason} (this exact transaction failed recently; refused without verifying again)"
    )))
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
            verified: Mutex::new(RecentMap::new(VERIFIED_CACHE)),
            failed: Mutex::new(RecentMap::new(FAILED_CACHE)),
            in_flight: Mutex::new(BTreeMap::new()),
            verifications: AtomicU64::new(0),
            batches: AtomicU64::new(0),
        }
    }

    /// The spend keys.
    pub fn keys(&self) -> &Arc<SpendKeys> {
        &self.keys
    }

    /// The cheap checks, before any proof: form, the fee rule (for the transaction's `bytes`
    /// encoded bytes), chain id, expiry, anchor window, unspent nullifiers.
    pub fn check_cheap(
        &self,
        store: &Store,
        params: &ConsensusParams,
        chain_id: &str,
        tx: &Transaction,
        bytes: usize,
        height: u64,
    ) -> Result<(), AppError> {
        let body = &tx.body;
        body.check_stateless()
            .map_err(|e| AppError::Invalid(e.into()))?;
        let rule = params.fee_rule();
        let required = rule.required(bytes);
        if body.fee < required {
            return Err(AppError::Fee {
                paid: body.fee,
                required,
                bytes,
                base: rule.base,
                per_kib: rule.per_kib,
            });
        }
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

    /// How many times several proofs were verified as one batch.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Whether this exact transaction (id and proof) already verified.
    pub fn is_verified(&self, tx: &Transaction) -> bool {
        self.verified
            .lock()
            .map(|c| c.get(&verified_key(tx)).is_some())
            .unwrap_or(false)
    }

    /// Verifies the proof unless this exact transaction already verified, or waits for the
    /// outcome if another caller is verifying it right now: each proof is verified once.
    pub fn verify(&self, tx: &Transaction, chain_id: &str, height: u64) -> Result<(), AppError> {
        self.verify_all(&[tx], chain_id, height)
    }

    /// Verifies the proofs of `txs` (batched, in parallel, each at most once across all callers)
    /// and returns the first failure in their order.
    pub fn verify_all(
        &self,
        txs: &[&Transaction],
        chain_id: &str,
        height: u64,
    ) -> Result<(), AppError> {
        self.verify_each(txs, chain_id, height)
            .into_iter()
            .find(Result::is_err)
            .unwrap_or(Ok(()))
    }

    /// Verifies the proofs of `txs` and returns each one's verdict, in order. The proofs nobody
    /// has verified yet are split into batches (at most one per lane), each batch checked as one random
    /// linear combination (a bad proof makes its batch verify each proof alone, so it is named
    /// and the others pass). A proof another caller is verifying is waited for, after this
    /// caller's own share is done and while it holds no lock.
    pub fn verify_each(
        &self,
        txs: &[&Transaction],
        chain_id: &str,
        height: u64,
    ) -> Vec<Result<(), AppError>> {
        let mut outcomes: Vec<Option<Result<(), AppError>>> = Vec::with_capacity(txs.len());
        let mut leads = Vec::new();
        let mut waits = Vec::new();
        for (i, tx) in txs.iter().enumerate() {
            // The context rules are cheap and depend on the caller's height: each caller checks
            // them.
            let context = tx
                .body
                .check_stateless()
                .and_then(|()| tx.body.check_context(chain_id, height));
            if let Err(e) = context {
                outcomes.push(Some(Err(AppError::Invalid(e.into()))));
                continue;
            }
            outcomes.push(None);
            match self.claim(tx) {
                Claim::Verified => outcomes[i] = Some(Ok(())),
                Claim::Failed(reason) => outcomes[i] = Some(Err(failed_again(reason))),
                Claim::Lead(lead) => leads.push((i, *tx, lead)),
                Claim::Wait(flight) => waits.push((i, *tx, flight)),
            }
        }
        // This caller's share: batches of at least MIN_BATCH proofs, at most one per lane, side
        // by side (a lane waits for its turn while others verify for CheckTx).
        let workers = leads.len().div_ceil(MIN_BATCH).min(self.lanes.len()).max(1);
        let per_batch = leads.len().div_ceil(workers).max(1);
        let mut batches: Vec<Vec<(usize, &Transaction, Lead<'_>)>> = Vec::new();
        let mut leads = leads.into_iter().peekable();
        while leads.peek().is_some() {
            batches.push(leads.by_ref().take(per_batch).collect());
        }
        let work = |batch: Vec<(usize, &Transaction, Lead<'_>)>| {
            let txs: Vec<&Transaction> = batch.iter().map(|(_, tx, _)| *tx).collect();
            let verdicts = self.verify_now(&txs);
            batch
                .into_iter()
                .zip(verdicts)
                .map(|((i, _, mut lead), verdict)| {
                    lead.publish(verdict.is_ok());
                    (i, verdict)
                })
                .collect::<Vec<_>>()
        };
        let led: Vec<(usize, Result<(), AppError>)> = std::thread::scope(|scope| {
            let mut batches = batches.into_iter();
            let first = batches.next();
            let helpers: Vec<_> = batches.map(|b| scope.spawn(move || work(b))).collect();
            let mut all = first.map(work).unwrap_or_default();
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
            // proofs are verified, never while waiting. A failed or abandoned verification is
            // repeated here, so the error is this caller's own.
            let verified = flight.wait();
            outcomes[i] = Some(if verified {
                Ok(())
            } else if let Some(reason) = self.failure_of(tx) {
                Err(failed_again(reason))
            } else {
                self.verify_one(tx)
            });
        }
        // Anything still unset (a helper thread panicked) is verified here.
        outcomes
            .into_iter()
            .enumerate()
            .map(|(i, slot)| slot.unwrap_or_else(|| self.verify_one(txs[i])))
            .collect()
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
        if self.verified.lock().is_ok_and(|c| c.get(&key).is_some()) {
            return Claim::Verified;
        }
        if let Some(reason) = self.failure_of(tx) {
            return Claim::Failed(reason);
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

    /// Why this exact transaction's proof failed, if it did recently.
    fn failure_of(&self, tx: &Transaction) -> Option<String> {
        self.failed
            .lock()
            .ok()
            .and_then(|f| f.get(&verified_key(tx)).cloned())
    }

    /// Verifies one proof (see [`Self::verify_now`]).
    fn verify_one(&self, tx: &Transaction) -> Result<(), AppError> {
        self.verify_now(&[tx])
            .pop()
            .unwrap_or_else(|| Err(AppError::Block("no verdict".into())))
    }

    /// Verifies proofs against the public values computed from their bodies, together, in one
    /// lane, counting them, and returns each one's verdict. It never waits for another caller,
    /// so a lane is always handed back.
    fn verify_now(&self, txs: &[&Transaction]) -> Vec<Result<(), AppError>> {
        self.verifications
            .fetch_add(txs.len() as u64, Ordering::Relaxed);
        if txs.len() > 1 {
            self.batches.fetch_add(1, Ordering::Relaxed);
        }
        let items: Vec<(&[u8], _)> = txs
            .iter()
            .map(|tx| (tx.proof.as_slice(), tx.body.public_values()))
            .collect();
        let verdicts = self.lanes.run(|| verify_proofs(&self.keys, &items));
        if let (Ok(mut verified), Ok(mut failed)) = (self.verified.lock(), self.failed.lock()) {
            for (tx, verdict) in txs.iter().zip(&verdicts) {
                match verdict {
                    Ok(_) => verified.insert(verified_key(tx), ()),
                    Err(e) => failed.insert(verified_key(tx), e.to_string()),
                }
            }
        }
        verdicts
            .into_iter()
            .map(|v| v.map_err(AppError::from))
            .collect()
    }
}
