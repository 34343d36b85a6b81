//! The mempool: admitted transactions in arrival order, with no two revealing the same nullifier.

use std::collections::{BTreeMap, BTreeSet};
use zkpsm_app::ChainTx;
use zkpsm_primitives::transaction::TxId;

/// Why the mempool refused a transaction.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MempoolError {
    /// The same transaction is already pending.
    #[error("transaction {0} is already pending")]
    Duplicate(TxId),
    /// Another pending transaction reveals one of its nullifiers.
    #[error("a pending transaction already spends nullifier {0}")]
    ConflictingNullifier(String),
    /// The mempool is full.
    #[error("the mempool is full ({0} transactions); try again after the next block")]
    Full(usize),
}

/// Pending transactions.
pub struct Mempool {
    order: BTreeMap<u64, (TxId, Vec<u8>)>,
    ids: BTreeMap<TxId, u64>,
    nullifiers: BTreeMap<[u8; 32], TxId>,
    next: u64,
    capacity: usize,
}

fn nullifiers_of(bytes: &[u8]) -> Vec<[u8; 32]> {
    match ChainTx::decode(bytes) {
        Ok(ChainTx::Shielded(tx)) => tx.body.nullifiers.iter().map(|n| n.to_bytes()).collect(),
        _ => Vec::new(),
    }
}

impl Mempool {
    /// An empty mempool holding at most `capacity` transactions.
    pub fn new(capacity: usize) -> Self {
        Self {
            order: BTreeMap::new(),
            ids: BTreeMap::new(),
            nullifiers: BTreeMap::new(),
            next: 0,
            capacity,
        }
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Adds an admitted transaction.
    pub fn add(&mut self, id: TxId, bytes: Vec<u8>) -> Result<(), MempoolError> {
        if self.ids.contains_key(&id) {
            return Err(MempoolError::Duplicate(id));
        }
        if self.order.len() >= self.capacity {
            return Err(MempoolError::Full(self.capacity));
        }
        let nfs = nullifiers_of(&bytes);
        if let Some(nf) = nfs.iter().find(|nf| self.nullifiers.contains_key(*nf)) {
            return Err(MempoolError::ConflictingNullifier(hex::encode(nf)));
        }
        for nf in nfs {
            self.nullifiers.insert(nf, id);
        }
        self.order.insert(self.next, (id, bytes));
        self.ids.insert(id, self.next);
        self.next += 1;
        Ok(())
    }

    /// Removes transactions (included in a block, or no longer valid).
    pub fn remove(&mut self, ids: &BTreeSet<TxId>) {
        for id in ids {
            if let Some(seq) = self.ids.remove(id)
                && let Some((_, bytes)) = self.order.remove(&seq)
            {
                for nf in nullifiers_of(&bytes) {
                    self.nullifiers.remove(&nf);
                }
            }
        }
    }

    /// The pending transactions with their ids, oldest first.
    pub fn entries(&self) -> Vec<(TxId, Vec<u8>)> {
        self.order.values().cloned().collect()
    }
}
