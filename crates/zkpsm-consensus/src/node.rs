//! A single node in embedded mode: the application, its mempool, and block production.

use crate::mempool::{Mempool, MempoolError, MempoolLimits};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use zkpsm_app::{App, AppError, Block, ChainTx};
use zkpsm_primitives::sequencer::SequencerKey;
use zkpsm_primitives::transaction::TxId;
use zkpsm_state::Committed;

/// Why a submitted transaction was refused.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The application refused it.
    #[error(transparent)]
    App(#[from] AppError),
    /// The mempool refused it.
    #[error(transparent)]
    Mempool(#[from] MempoolError),
}

/// A committed app hash and the sequencer's signature on it.
pub type SignedCommit = ([u8; 32], [u8; 64]);

/// The embedded node.
pub struct Node {
    app: Arc<App>,
    mempool: Mutex<Mempool>,
    /// Serializes block production (one block at a time).
    producing: Mutex<()>,
    /// The key this sequencer signs its commits with (genesis pins its verification key).
    sequencer: Option<SequencerKey>,
    /// Woken when the mempool holds a full block, so that the sequencer makes it at once.
    full_block: tokio::sync::Notify,
}

/// How much the mempool holds: 10,000 transactions or 64 MiB (about 5,000 payments), whichever
/// comes first.
pub const MEMPOOL_LIMITS: MempoolLimits = MempoolLimits {
    max_txs: 10_000,
    max_bytes: 64 * 1024 * 1024,
};

impl Node {
    /// A node over an opened application.
    pub fn new(app: Arc<App>) -> Self {
        Self {
            app,
            mempool: Mutex::new(Mempool::new(MEMPOOL_LIMITS)),
            producing: Mutex::new(()),
            sequencer: None,
            full_block: tokio::sync::Notify::new(),
        }
    }

    /// The same node, signing its commits with `key`.
    pub fn with_sequencer_key(mut self, key: SequencerKey) -> Self {
        self.sequencer = Some(key);
        self
    }

    /// The committed app hash at `height` and this sequencer's signature on it; `None` if no block
    /// of that height is committed or this node has no sequencer key.
    pub fn signed_commit(&self, height: u64) -> Result<Option<SignedCommit>, AppError> {
        let (Some(key), Some(committed)) =
            (&self.sequencer, self.app.store().committed_at(height)?)
        else {
            return Ok(None);
        };
        let chain_id = &self.app.genesis().chain_id;
        let signature = key.sign_commit(chain_id, height, &committed.app_hash);
        Ok(Some((committed.app_hash, signature)))
    }

    /// The application.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Number of pending transactions.
    pub fn mempool_len(&self) -> usize {
        self.mempool.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Resolves once the mempool has held a full block (the genesis `max_txs_per_block`) since
    /// the last time it resolved: the sequencer then closes a block without waiting for its tick.
    pub async fn full_block(&self) {
        self.full_block.notified().await;
    }

    /// Checks a transaction (CheckTx) and adds it to the mempool.
    ///
    /// The proof is verified first, outside any lock (and cached); the check is then repeated
    /// against the latest committed state while no block is being produced, so a transaction is
    /// never admitted against a state that a concurrent commit has just made stale.
    pub fn submit(&self, bytes: Vec<u8>) -> Result<TxId, SubmitError> {
        self.app.check_tx(&bytes)?;
        let _no_block_in_flight = self
            .producing
            .lock()
            .map_err(|_| AppError::Block("producer lock poisoned".into()))?;
        let id = self.app.check_tx(&bytes)?;
        let (evicted, pending) = {
            let mut mempool = self
                .mempool
                .lock()
                .map_err(|_| AppError::Block("mempool lock poisoned".into()))?;
            (mempool.add(id, bytes)?, mempool.len())
        };
        if pending >= self.app.genesis().params.max_txs_per_block as usize {
            self.full_block.notify_one();
        }
        for old in evicted {
            tracing::info!("mempool full: {old} evicted by {id}, which pays more per byte");
        }
        Ok(id)
    }

    /// Produces, executes and commits the next block from the mempool; then drops from the
    /// mempool what the block included and what is no longer valid (Recheck: proofs are cached,
    /// so this never verifies a proof again).
    pub fn produce_block(&self) -> Result<Committed, AppError> {
        let _one_at_a_time = self
            .producing
            .lock()
            .map_err(|_| AppError::Block("producer lock poisoned".into()))?;
        let pending: Vec<Vec<u8>> = self
            .mempool
            .lock()
            .map(|m| m.entries().into_iter().map(|(_, bytes)| bytes).collect())
            .unwrap_or_default();
        let txs = self.app.prepare_proposal(&pending);
        let height = self.app.head()?.state.height + 1;
        let block = Block {
            chain_id: self.app.genesis().chain_id.clone(),
            height,
            txs,
        };
        // Executing the proposal is processing it (ProcessProposal is execute-and-discard): the
        // one execution is checked and committed.
        let committed = self.app.execute(&block)?.commit()?;

        let included: BTreeSet<TxId> = block
            .txs
            .iter()
            .filter_map(|b| ChainTx::decode(b).ok().map(|t| t.id()))
            .collect();
        if let Ok(mut mempool) = self.mempool.lock() {
            mempool.remove(&included);
            let invalid: BTreeSet<TxId> = mempool
                .entries()
                .into_iter()
                .filter(|(_, bytes)| self.app.check_tx(bytes).is_err())
                .map(|(id, _)| id)
                .collect();
            mempool.remove(&invalid);
        }
        Ok(committed)
    }
}
