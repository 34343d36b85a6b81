//! Admission with batched proof verification: CheckTx (CometBFT's mempool) and the API's submit
//! (the embedded node) run every cheap check of a transaction at once, then hand its proof to a
//! batching service. A batch closes at [`AdmissionConfig::max_proofs`] proofs or after
//! [`AdmissionConfig::max_latency`], whichever comes first; its proofs are verified together
//! (one random linear combination, [`App::verify_proofs`]), and each caller gets its own
//! verdict: a bad proof is named and refused, the others in its batch are admitted.
//!
//! The batching is `tower-batch-control`'s (Zebra's pattern): [`Batch`] collects items and tells
//! the inner service when to flush; the inner service here keeps each item's reply channel and
//! answers them all when its batch has been verified.

use futures::future::BoxFuture;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{Semaphore, oneshot};
use tower::{Service, ServiceExt};
use tower_batch_control::{Batch, BatchControl, RequestWeight};
use zkpsm_app::{Admission, App, AppError};
use zkpsm_primitives::transaction::{Transaction, TxId};

/// When a batch of proofs closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdmissionConfig {
    /// A batch closes when it holds this many proofs.
    pub max_proofs: usize,
    /// A batch closes this long after its first proof arrived, full or not.
    pub max_latency: Duration,
    /// How many batches are verified at once (each on one core).
    pub max_batches: usize,
    /// How many transactions may be in admission at once (checked, waiting for their batch, or
    /// being verified); one more is refused at once with [`AppError::Busy`].
    pub max_waiting: usize,
}

impl Default for AdmissionConfig {
    /// 32 proofs or 20 ms (a batch of 32 verifies in about half a second on one core, so the
    /// wait is small against the verification), as many batches at once as there are cores, and
    /// 1,024 transactions in admission (about ten seconds of verification on two cores, 12 MiB).
    fn default() -> Self {
        Self {
            max_proofs: 32,
            max_latency: Duration::from_millis(20),
            max_batches: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            max_waiting: 1024,
        }
    }
}

/// One proof waiting for its batch: the transaction and the height its checks were run for.
struct ProofItem {
    tx: Box<Transaction>,
    height: u64,
}

impl RequestWeight for ProofItem {}

/// A proof's verdict, as the batching service returns it (its own error type is for the service
/// failing, never for a bad proof).
type Verdict = Result<(), AppError>;

/// The inner service: collects the items of the open batch, and verifies them on a flush.
struct BatchVerifier {
    app: Arc<App>,
    pending: Vec<(ProofItem, oneshot::Sender<Verdict>)>,
}

impl Service<BatchControl<ProofItem>> for BatchVerifier {
    type Response = Verdict;
    type Error = tower_abci::BoxError;
    type Future = BoxFuture<'static, Result<Verdict, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: BatchControl<ProofItem>) -> Self::Future {
        match request {
            BatchControl::Item(item) => {
                let (reply, verdict) = oneshot::channel();
                self.pending.push((item, reply));
                Box::pin(async move {
                    // A dropped reply means the batch's verification stopped (a panic).
                    Ok(verdict.await.unwrap_or_else(|_| {
                        Err(AppError::Unavailable("proof verification stopped".into()))
                    }))
                })
            }
            BatchControl::Flush => {
                let batch = std::mem::take(&mut self.pending);
                let app = self.app.clone();
                // A flush never fails: an error here would stop the batch worker for good.
                Box::pin(async move {
                    let verified = tokio::task::spawn_blocking(move || {
                        let (items, replies): (Vec<ProofItem>, Vec<_>) = batch.into_iter().unzip();
                        let txs: Vec<(&Transaction, u64)> =
                            items.iter().map(|i| (i.tx.as_ref(), i.height)).collect();
                        tracing::debug!(proofs = txs.len(), "verifying an admission batch");
                        for (reply, verdict) in replies.into_iter().zip(app.verify_proofs(&txs)) {
                            // The caller may have gone (a dropped request): nothing to tell.
                            let _ = reply.send(verdict);
                        }
                    })
                    .await;
                    if let Err(e) = verified {
                        tracing::error!(error = %e, "an admission batch's verification panicked");
                    }
                    Ok(Ok(()))
                })
            }
        }
    }
}

/// The admission front of an application: cheap checks, then the proof through the batcher.
/// Clones share one batcher.
#[derive(Clone)]
pub struct ProofAdmission {
    app: Arc<App>,
    batch: Batch<BatchVerifier, ProofItem>,
    slots: Arc<Semaphore>,
    max_waiting: usize,
}

impl ProofAdmission {
    /// The admission of `app`, batching as `config` says. Must be called inside a Tokio runtime
    /// (the batcher's worker is a task on it).
    pub fn new(app: Arc<App>, config: AdmissionConfig) -> Self {
        let verifier = BatchVerifier {
            app: app.clone(),
            pending: Vec::new(),
        };
        let batch = Batch::new(
            verifier,
            config.max_proofs.max(1),
            config.max_batches.max(1),
            config.max_latency,
        );
        let max_waiting = config.max_waiting.max(1);
        Self {
            app,
            batch,
            slots: Arc::new(Semaphore::new(max_waiting)),
            max_waiting,
        }
    }

    /// Every check of a transaction about to enter the mempool, against the committed state of
    /// now, with its proof verified in a batch; returns its id. Once this has passed, the
    /// application's own `check_tx` finds the proof verified and only repeats the cheap checks.
    /// When [`AdmissionConfig::max_waiting`] transactions are in admission already, it is refused
    /// at once with [`AppError::Busy`], before any work.
    pub async fn check(&self, bytes: Vec<u8>) -> Result<TxId, AppError> {
        let _slot = self.slots.clone().try_acquire_owned().map_err(|_| {
            AppError::Busy(format!(
                "{} transactions are in admission already",
                self.max_waiting
            ))
        })?;
        let app = self.app.clone();
        let admission = tokio::task::spawn_blocking(move || app.check_tx_before_proof(&bytes))
            .await
            .map_err(|e| AppError::Unavailable(format!("admission check stopped: {e}")))??;
        match admission {
            Admission::Ready(id) => Ok(id),
            Admission::NeedsProof { tx, height } => {
                let id = tx.txid();
                let mut batch = self.batch.clone();
                let verdict = batch
                    .ready()
                    .await
                    .map_err(|e| AppError::Unavailable(format!("proof batcher: {e}")))?
                    .call(ProofItem { tx, height })
                    .await
                    .map_err(|e| AppError::Unavailable(format!("proof batcher: {e}")))?;
                verdict.map(|()| id)
            }
        }
    }
}
