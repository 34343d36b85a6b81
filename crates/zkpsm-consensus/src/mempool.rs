//! The mempool: admitted transactions in arrival order, with no two revealing the same nullifier,
//! bounded in count and in bytes. When it is full, a transaction paying a higher fee per byte
//! evicts the lowest-paying ones (the newest of those first); otherwise it is refused.

use std::cmp::Reverse;
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
    /// The mempool is full, and nothing pending pays less per byte.
    #[error(
        "the mempool is full ({txs} transactions, {bytes} bytes) and nothing pending pays a lower \
         fee per byte; pay a higher fee, or try again after the next block"
    )]
    Full {
        /// Pending transactions.
        txs: usize,
        /// Their bytes.
        bytes: usize,
    },
}

/// How much the mempool holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MempoolLimits {
    /// Most pending transactions.
    pub max_txs: usize,
    /// Most pending bytes (encoded transactions).
    pub max_bytes: usize,
}

/// A fee per byte, scaled so that rates of transactions of similar size compare exactly.
type FeeRate = u128;

fn fee_rate(fee: u64, bytes: usize) -> FeeRate {
    (u128::from(fee) << 32) / bytes.max(1) as u128
}

struct Pending {
    id: TxId,
    bytes: Vec<u8>,
    /// The nullifiers it reveals (decoded once, when it was added).
    nullifiers: Vec<[u8; 32]>,
    rate: FeeRate,
}

/// Pending transactions.
pub struct Mempool {
    order: BTreeMap<u64, Pending>,
    ids: BTreeMap<TxId, u64>,
    nullifiers: BTreeMap<[u8; 32], TxId>,
    /// Eviction order: the lowest fee rate first, and among equal rates the newest.
    by_rate: BTreeSet<(FeeRate, Reverse<u64>)>,
    bytes: usize,
    next: u64,
    limits: MempoolLimits,
}

/// The nullifiers a transaction reveals and the fee it pays (module transactions pay none).
fn nullifiers_and_fee(bytes: &[u8]) -> (Vec<[u8; 32]>, u64) {
    match ChainTx::decode(bytes) {
        Ok(ChainTx::Shielded(tx)) => (
            tx.body.nullifiers.iter().map(|n| n.to_bytes()).collect(),
            tx.body.fee,
        ),
        _ => (Vec::new(), 0),
    }
}

impl Mempool {
    /// An empty mempool within `limits`.
    pub fn new(limits: MempoolLimits) -> Self {
        Self {
            order: BTreeMap::new(),
            ids: BTreeMap::new(),
            nullifiers: BTreeMap::new(),
            by_rate: BTreeSet::new(),
            bytes: 0,
            next: 0,
            limits,
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

    /// The pending transactions' bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Adds an admitted transaction; returns the ids of those it evicted to make room.
    pub fn add(&mut self, id: TxId, bytes: Vec<u8>) -> Result<Vec<TxId>, MempoolError> {
        if self.ids.contains_key(&id) {
            return Err(MempoolError::Duplicate(id));
        }
        let (nfs, fee) = nullifiers_and_fee(&bytes);
        if let Some(nf) = nfs.iter().find(|nf| self.nullifiers.contains_key(*nf)) {
            return Err(MempoolError::ConflictingNullifier(hex::encode(nf)));
        }
        let rate = fee_rate(fee, bytes.len());
        let evicted = self.room_for(bytes.len(), rate)?;
        let evicted_ids = evicted.iter().map(|seq| self.order[seq].id).collect();
        for seq in evicted {
            self.remove_seq(seq);
        }
        for nf in &nfs {
            self.nullifiers.insert(*nf, id);
        }
        self.bytes += bytes.len();
        self.by_rate.insert((rate, Reverse(self.next)));
        self.order.insert(
            self.next,
            Pending {
                id,
                bytes,
                nullifiers: nfs,
                rate,
            },
        );
        self.ids.insert(id, self.next);
        self.next += 1;
        Ok(evicted_ids)
    }

    /// The pending transactions to evict so that one of `len` bytes paying `rate` fits: each
    /// pays strictly less per byte. Nothing changes here; an error if no such set exists.
    fn room_for(&self, len: usize, rate: FeeRate) -> Result<Vec<u64>, MempoolError> {
        let full = || MempoolError::Full {
            txs: self.order.len(),
            bytes: self.bytes,
        };
        if len > self.limits.max_bytes || self.limits.max_txs == 0 {
            return Err(full());
        }
        let mut txs = self.order.len();
        let mut bytes = self.bytes;
        let mut evicted = Vec::new();
        let mut cheapest = self.by_rate.iter();
        while txs + 1 > self.limits.max_txs || bytes + len > self.limits.max_bytes {
            match cheapest.next() {
                Some(&(pending_rate, Reverse(seq))) if pending_rate < rate => {
                    txs -= 1;
                    bytes -= self.order[&seq].bytes.len();
                    evicted.push(seq);
                }
                _ => return Err(full()),
            }
        }
        Ok(evicted)
    }

    fn remove_seq(&mut self, seq: u64) {
        if let Some(pending) = self.order.remove(&seq) {
            self.ids.remove(&pending.id);
            self.by_rate.remove(&(pending.rate, Reverse(seq)));
            self.bytes -= pending.bytes.len();
            for nf in &pending.nullifiers {
                self.nullifiers.remove(nf);
            }
        }
    }

    /// Removes transactions (included in a block, or no longer valid).
    pub fn remove(&mut self, ids: &BTreeSet<TxId>) {
        for id in ids {
            if let Some(&seq) = self.ids.get(id) {
                self.remove_seq(seq);
            }
        }
    }

    /// The pending transactions with their ids, oldest first.
    pub fn entries(&self) -> Vec<(TxId, Vec<u8>)> {
        self.order
            .values()
            .map(|p| (p.id, p.bytes.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkpsm_primitives::field::Fq;
    use zkpsm_primitives::merkle::Anchor;
    use zkpsm_primitives::note::Nullifier;
    use zkpsm_primitives::transaction::{TX_VERSION, Transaction, TxBody};
    use zkpsm_test_support::placeholder_output;

    /// A shielded transaction (its proof is filler: the mempool holds admitted bytes) revealing
    /// nullifiers `2n` and `2n + 1` and paying `fee`.
    fn tx(n: u64, fee: u64) -> (TxId, Vec<u8>) {
        let output = placeholder_output(n);
        let tx = ChainTx::Shielded(Box::new(Transaction {
            body: TxBody {
                version: TX_VERSION,
                chain_id: "mempool-test".into(),
                expiry_height: 10,
                fee,
                anchor: Anchor(Fq::from(1)),
                nullifiers: [Nullifier(Fq::from(2 * n)), Nullifier(Fq::from(2 * n + 1))],
                outputs: [output.clone(), output],
            },
            proof: vec![7; 1000],
        }));
        (tx.id(), tx.to_bytes())
    }

    fn ids(mempool: &Mempool) -> Vec<TxId> {
        mempool.entries().into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn a_full_mempool_refuses_equal_fees_and_evicts_the_lowest_for_a_higher_one() {
        let len = tx(0, 0).1.len();
        let mut mempool = Mempool::new(MempoolLimits {
            max_txs: 100,
            max_bytes: 3 * len,
        });
        let (a, b, c) = (tx(1, 10), tx(2, 5), tx(3, 5));
        for (id, bytes) in [&a, &b, &c] {
            assert_eq!(mempool.add(*id, bytes.clone()), Ok(vec![]));
        }
        assert_eq!(mempool.bytes(), 3 * len);
        // Full in bytes: the same fee per byte is refused, and nothing is lost.
        let (d, d_bytes) = tx(4, 5);
        assert_eq!(
            mempool.add(d, d_bytes.clone()),
            Err(MempoolError::Full {
                txs: 3,
                bytes: 3 * len
            })
        );
        assert_eq!(ids(&mempool), vec![a.0, b.0, c.0]);
        // A higher fee evicts the lowest-paying, newest first; arrival order is kept.
        let (e, e_bytes) = tx(5, 6);
        assert_eq!(mempool.add(e, e_bytes), Ok(vec![c.0]));
        assert_eq!(ids(&mempool), vec![a.0, b.0, e]);
        // The evicted transaction's nullifiers are free again; the kept ones' are not.
        let (f, f_bytes) = tx(3, 100);
        assert_eq!(mempool.add(f, f_bytes), Ok(vec![b.0]));
        assert_eq!(
            mempool.add(tx(1, 1000).0, tx(1, 1000).1),
            Err(MempoolError::ConflictingNullifier(hex::encode(
                Nullifier(Fq::from(2)).to_bytes()
            )))
        );
        assert_eq!(mempool.len(), 3);
        assert_eq!(mempool.bytes(), 3 * len);
        // A transaction larger than the whole mempool is refused whatever it pays.
        let mut huge = d_bytes;
        huge.resize(3 * len + 1, 0);
        assert!(matches!(
            mempool.add(d, huge),
            Err(MempoolError::Full { .. })
        ));
    }

    #[test]
    fn a_full_mempool_by_count_evicts_module_transactions_first_and_removal_frees_room() {
        let mut mempool = Mempool::new(MempoolLimits {
            max_txs: 2,
            max_bytes: usize::MAX,
        });
        let module = ChainTx::Module {
            module: "counter".into(),
            payload: vec![1],
        };
        let (a, a_bytes) = tx(1, 1);
        mempool.add(module.id(), module.to_bytes()).unwrap();
        mempool.add(a, a_bytes).unwrap();
        let (b, b_bytes) = tx(2, 1);
        assert_eq!(mempool.add(b, b_bytes.clone()), Ok(vec![module.id()]));
        assert!(matches!(
            mempool.add(module.id(), module.to_bytes()),
            Err(MempoolError::Full { txs: 2, .. })
        ));
        mempool.remove(&BTreeSet::from([a, b]));
        assert!(mempool.is_empty());
        assert_eq!(mempool.bytes(), 0);
        assert_eq!(mempool.add(b, b_bytes), Ok(vec![]));
    }
}
