//! The application: the calls consensus drives (check, prepare, process, finalize, commit) over
//! the store, the shielded pool and the registered modules.

use crate::AppError;
use crate::block::{Block, ChainTx};
use crate::genesis::Genesis;
use crate::module::{Module, ModuleState, ModuleWrites};
use crate::shielded::ShieldedPool;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use zkpsm_primitives::transaction::{Transaction, TxId};
use zkpsm_proofs::SpendKeys;
use zkpsm_state::{BlockEffects, Committed, PendingBlock, Store, TxEffects};

/// The zkpsm application.
pub struct App {
    store: Store,
    genesis: Genesis,
    pool: ShieldedPool,
    modules: Vec<Box<dyn Module>>,
    /// The committed height a chain proof was asked for (0: none).
    chain_proof_requested: AtomicU64,
    /// Whether a chain prover follows this application.
    chain_prover_running: AtomicBool,
}

/// Where a transaction stands after every admission check but its proof.
pub enum Admission {
    /// Admissible: nothing is left to verify (a module transaction, or a proof that verified).
    Ready(TxId),
    /// Admissible once its proof verifies.
    NeedsProof {
        /// The transaction.
        tx: Box<Transaction>,
        /// The height it was checked for (the next block's).
        height: u64,
    },
}

/// A decoded transaction of a block, with its id.
struct Decoded {
    id: TxId,
    tx: ChainTx,
}

impl App {
    /// Opens the state at `db_path`, writing genesis if the state is new (safe to repeat), with the
    /// given extra modules.
    pub fn open(
        db_path: &Path,
        genesis: Genesis,
        keys: Arc<SpendKeys>,
        modules: Vec<Box<dyn Module>>,
    ) -> Result<Self, AppError> {
        genesis.validate()?;
        if keys.vk_digest_hex() != genesis.spend_vk_digest {
            return Err(AppError::Genesis(format!(
                "genesis pins spend verifier key {}, this build has {}",
                genesis.spend_vk_digest,
                keys.vk_digest_hex()
            )));
        }
        let mut names = BTreeSet::new();
        for m in &modules {
            if !names.insert(m.name().to_owned()) || m.name().is_empty() || m.name().len() > 32 {
                return Err(AppError::Genesis(format!(
                    "bad or duplicate module name '{}'",
                    m.name()
                )));
            }
        }
        let store = Store::open(db_path)?;
        store.init_genesis(
            &genesis.to_bytes(),
            &genesis.outputs()?,
            genesis.supply()?,
            genesis.params.max_txs_per_block,
        )?;
        // Step witnesses are kept only while a chain prover follows (it reads them).
        store.set_records_step_witnesses(false);
        Ok(Self {
            store,
            genesis,
            pool: ShieldedPool::new(keys),
            modules,
            chain_proof_requested: AtomicU64::new(0),
            chain_prover_running: AtomicBool::new(false),
        })
    }

    /// The state store (for queries).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many transaction proofs this application has verified since it opened.
    pub fn proof_verifications(&self) -> u64 {
        self.pool.verifications()
    }

    /// How many times this application verified several proofs as one batch.
    pub fn proof_batches(&self) -> u64 {
        self.pool.batches()
    }

    /// Asks the chain prover for a compressed proof covering at least `height`, as soon as it
    /// has folded that far. At most one request is outstanding: false while one is (until the
    /// prover has stored a proof that covers it).
    pub fn request_chain_proof(&self, height: u64) -> bool {
        self.chain_proof_requested
            .compare_exchange(0, height.max(1), Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Whether a request is outstanding that a proof of `folded` blocks covers.
    pub fn chain_proof_requested(&self, folded: u64) -> bool {
        let requested = self.chain_proof_requested.load(Ordering::SeqCst);
        requested != 0 && requested <= folded
    }

    /// A proof of `height` blocks is stored: the request it covers, if any, is answered.
    pub fn chain_proof_made(&self, height: u64) {
        let _ = self.chain_proof_requested.fetch_update(
            Ordering::SeqCst,
            Ordering::SeqCst,
            |requested| (requested != 0 && requested <= height).then_some(0),
        );
    }

    /// Whether a chain prover follows this application (`start --prove`).
    pub fn chain_prover_running(&self) -> bool {
        self.chain_prover_running.load(Ordering::SeqCst)
    }

    /// Set by whoever runs the chain prover: before any block it will fold is committed, and
    /// when it stops. From the first, every block keeps its step witness, even after a prover
    /// that failed stops, so that the one started next resumes without replaying the chain.
    pub fn set_chain_prover_running(&self, running: bool) {
        if running {
            self.store.set_records_step_witnesses(true);
        }
        self.chain_prover_running.store(running, Ordering::SeqCst);
    }

    /// The genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The last committed state.
    pub fn head(&self) -> Result<Committed, AppError> {
        self.store
            .head()?
            .ok_or(AppError::State(zkpsm_state::StateError::NotInitialized))
    }

    fn module(&self, name: &str) -> Result<&dyn Module, AppError> {
        self.modules
            .iter()
            .find(|m| m.name() == name)
            .map(|m| m.as_ref())
            .ok_or_else(|| AppError::Module {
                module: name.to_owned(),
                reason: "no such module".into(),
            })
    }

    /// Mempool admission: decode, the cheap checks against the committed state, then the proof
    /// (once per transaction). Returns the transaction id.
    pub fn check_tx(&self, bytes: &[u8]) -> Result<TxId, AppError> {
        match self.check_tx_before_proof(bytes)? {
            Admission::Ready(id) => Ok(id),
            Admission::NeedsProof { tx, height } => {
                self.pool.verify(&tx, &self.genesis.chain_id, height)?;
                Ok(tx.txid())
            }
        }
    }

    /// Admission's first half: decode and every check but the proof. A shielded transaction
    /// whose proof has not verified yet comes back for [`Self::verify_proofs`]; callers that
    /// batch admission verify many such proofs together, then call [`Self::check_tx`] again (a
    /// cache hit for the proof) against the state of that moment.
    pub fn check_tx_before_proof(&self, bytes: &[u8]) -> Result<Admission, AppError> {
        let tx = ChainTx::decode(bytes).map_err(AppError::malformed)?;
        let id = tx.id();
        let height = self.head()?.state.height + 1;
        match tx {
            ChainTx::Shielded(t) => {
                self.pool.check_cheap(
                    &self.store,
                    &self.genesis.params,
                    &self.genesis.chain_id,
                    &t,
                    bytes.len(),
                    height,
                )?;
                if self.pool.is_verified(&t) {
                    Ok(Admission::Ready(id))
                } else {
                    Ok(Admission::NeedsProof { tx: t, height })
                }
            }
            ChainTx::Module { module, payload } => {
                let m = self.module(&module)?;
                let reject = |reason| AppError::Module {
                    module: module.clone(),
                    reason,
                };
                m.check_stateless(&payload).map_err(reject)?;
                m.check_stateful(&ModuleWrites::new(m.name(), &self.store), &payload)
                    .map_err(reject)?;
                Ok(Admission::Ready(id))
            }
        }
    }

    /// Verifies the proofs of transactions checked at `height` (batched, each at most once) and
    /// returns each one's verdict, in order.
    pub fn verify_proofs(&self, txs: &[(&Transaction, u64)]) -> Vec<Result<(), AppError>> {
        // Callers batch transactions checked against the same head; any other height is
        // verified in its own group, so each transaction's context rules see its own height.
        let mut verdicts: Vec<Option<Result<(), AppError>>> =
            (0..txs.len()).map(|_| None).collect();
        let heights: BTreeSet<u64> = txs.iter().map(|(_, h)| *h).collect();
        for height in heights {
            let (indices, group): (Vec<usize>, Vec<&Transaction>) = txs
                .iter()
                .enumerate()
                .filter(|(_, (_, h))| *h == height)
                .map(|(i, (tx, _))| (i, *tx))
                .unzip();
            let results = self
                .pool
                .verify_each(&group, &self.genesis.chain_id, height);
            for (i, result) in indices.into_iter().zip(results) {
                verdicts[i] = Some(result);
            }
        }
        verdicts
            .into_iter()
            .map(|v| v.unwrap_or_else(|| Err(AppError::Block("no verdict".into()))))
            .collect()
    }

    /// Chooses the transactions of the next block from candidates, in order: each valid against
    /// the state, none revealing a nullifier another chosen one reveals, within the block limits.
    pub fn prepare_proposal(&self, candidates: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let params = &self.genesis.params;
        let mut chosen = Vec::new();
        let mut bytes = 0usize;
        let mut nullifiers = BTreeSet::new();
        for candidate in candidates {
            if chosen.len() >= params.max_txs_per_block as usize
                || (bytes + candidate.len()) as u64 > params.max_block_bytes.saturating_sub(1024)
            {
                break;
            }
            if self.check_tx(candidate).is_err() {
                continue;
            }
            if let Ok(ChainTx::Shielded(t)) = ChainTx::decode(candidate) {
                let nfs: Vec<[u8; 32]> = t.body.nullifiers.iter().map(|n| n.to_bytes()).collect();
                if nfs.iter().any(|n| nullifiers.contains(n)) {
                    continue;
                }
                nullifiers.extend(nfs);
            }
            bytes += candidate.len();
            chosen.push(candidate.clone());
        }
        chosen
    }

    /// Validates a proposed block completely, without keeping its effects.
    pub fn process_proposal(&self, block: &Block) -> Result<(), AppError> {
        self.execute(block).map(drop)
    }

    /// Executes a block against the committed state in phases: block rules; decoding; the cheap
    /// checks; proofs verified in parallel (each at most once); the stateful rules and module
    /// execution in order; one pending write. Commit the result to make it durable.
    pub fn execute(&self, block: &Block) -> Result<PendingBlock, AppError> {
        let params = &self.genesis.params;
        let head = self.head()?;
        if block.chain_id != self.genesis.chain_id {
            return Err(AppError::Block(format!(
                "chain id '{}' is not this chain's",
                block.chain_id
            )));
        }
        if block.height != head.state.height + 1 {
            return Err(AppError::Block(format!(
                "height {} does not follow {}",
                block.height, head.state.height
            )));
        }
        if block.txs.len() > params.max_txs_per_block as usize {
            return Err(AppError::Block(format!(
                "{} transactions, at most {}",
                block.txs.len(),
                params.max_txs_per_block
            )));
        }
        let size: usize = block.txs.iter().map(Vec::len).sum();
        if size as u64 > params.max_block_bytes {
            return Err(AppError::Block(format!(
                "{size} bytes, at most {}",
                params.max_block_bytes
            )));
        }
        let height = block.height;

        // Decoding and the cheap checks, in order.
        let decoded = block
            .txs
            .iter()
            .map(|bytes| {
                ChainTx::decode(bytes)
                    .map(|tx| Decoded { id: tx.id(), tx })
                    .map_err(AppError::malformed)
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (d, bytes) in decoded.iter().zip(&block.txs) {
            match &d.tx {
                ChainTx::Shielded(t) => self.pool.check_cheap(
                    &self.store,
                    params,
                    &self.genesis.chain_id,
                    t,
                    bytes.len(),
                    height,
                )?,
                ChainTx::Module { module, payload } => self
                    .module(module)?
                    .check_stateless(payload)
                    .map_err(|reason| AppError::Module {
                        module: module.clone(),
                        reason,
                    })?,
            }
        }

        // Proofs, in parallel across transactions; results in block order.
        let shielded: Vec<&Transaction> = decoded
            .iter()
            .filter_map(|d| match &d.tx {
                ChainTx::Shielded(t) => Some(t.as_ref()),
                ChainTx::Module { .. } => None,
            })
            .collect();
        self.pool
            .verify_all(&shielded, &self.genesis.chain_id, height)?;

        // Stateful rules and execution, sequentially.
        let mut revealed = BTreeSet::new();
        let mut writes: Vec<ModuleWrites<'_>> = self
            .modules
            .iter()
            .map(|m| ModuleWrites::new(m.name(), &self.store))
            .collect();
        let mut effects = Vec::with_capacity(decoded.len());
        for d in &decoded {
            match &d.tx {
                ChainTx::Shielded(t) => {
                    for nf in &t.body.nullifiers {
                        if !revealed.insert(nf.to_bytes()) {
                            return Err(AppError::DoubleSpend(format!(
                                "nullifier {nf} appears twice in the block"
                            )));
                        }
                    }
                    effects.push(TxEffects {
                        txid: d.id,
                        anchor: t.body.anchor,
                        nullifiers: t.body.nullifiers.to_vec(),
                        outputs: t.body.outputs.to_vec(),
                        fee: t.body.fee,
                    });
                }
                ChainTx::Module { module, payload } => {
                    let index = self
                        .modules
                        .iter()
                        .position(|m| m.name() == module)
                        .unwrap_or(usize::MAX);
                    let (m, w) = match (self.modules.get(index), writes.get_mut(index)) {
                        (Some(m), Some(w)) => (m, w),
                        _ => {
                            return Err(AppError::Module {
                                module: module.clone(),
                                reason: "no such module".into(),
                            });
                        }
                    };
                    let reject = |reason| AppError::Module {
                        module: module.clone(),
                        reason,
                    };
                    m.check_stateful(w, payload).map_err(reject)?;
                    m.execute(w, payload).map_err(reject)?;
                }
            }
        }
        let mut module_roots = Vec::with_capacity(self.modules.len());
        let mut module_writes = Vec::new();
        for (m, mut w) in self.modules.iter().zip(writes) {
            let reject = |reason| AppError::Module {
                module: m.name().to_owned(),
                reason,
            };
            m.end_block(&mut w, height).map_err(reject)?;
            module_roots.push((
                m.name().to_owned(),
                m.root(&w as &dyn ModuleState).map_err(reject)?,
            ));
            module_writes.extend(w.into_writes());
        }
        let effects = BlockEffects {
            height,
            block: block.to_bytes(),
            txs: effects,
            module_writes,
            module_roots,
        };
        Ok(self.store.begin_block(&effects)?)
    }

    /// Executes and commits a block (the embedded sequencer's path, and a replay's).
    pub fn execute_and_commit(&self, block: &Block) -> Result<Committed, AppError> {
        Ok(self.execute(block)?.commit()?)
    }
}
