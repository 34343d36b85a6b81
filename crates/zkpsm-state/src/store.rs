//! The store: one redb database holding the whole chain state, written one block per transaction.

use crate::StateError;
use crate::chain_state::{
    ChainState, Digest, EffectKind, EffectsDigest, next_block_chain_hash, txs_hash,
};
use crate::merkle_table;
use crate::nullifier_tree::{self, MembershipProof, NonMembershipProof};
use crate::tables::*;
use borsh::{BorshDeserialize, BorshSerialize};
use ff::Field;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use zkpsm_primitives::chain_step::{
    ARITY, PathWitness, StepWitness, TxSlot, anchor_slot, group_level,
};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::{Output, TxId};
use zkpsm_primitives::tree::TreeShape;

/// The effects of one transaction, in the order they are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEffects {
    /// The transaction id.
    pub txid: TxId,
    /// The anchor its proof is against.
    pub anchor: Anchor,
    /// The nullifiers it reveals.
    pub nullifiers: Vec<Nullifier>,
    /// The notes it creates.
    pub outputs: Vec<Output>,
    /// The fee it burns.
    pub fee: u64,
}

/// Everything one block changes, applied atomically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEffects {
    /// The block's height: the committed height plus one.
    pub height: u64,
    /// The encoded block, kept for queries, replay and data availability.
    pub block: Vec<u8>,
    /// The transactions' effects, in block order.
    pub txs: Vec<TxEffects>,
    /// Writes of other modules to their key-value state: `(module, key, value or deletion)`.
    pub module_writes: Vec<(String, Vec<u8>, Option<Vec<u8>>)>,
    /// The other modules' roots after the block, in registration order.
    pub module_roots: Vec<(String, [u8; 32])>,
}

/// Other modules' `(name, root)` pairs, in registration order.
pub type ModuleRoots = Vec<(String, [u8; 32])>;

/// A committed state: the chain state and the app hash that commits to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Committed {
    /// The chain state `z`.
    pub state: ChainState,
    /// The app hash.
    pub app_hash: [u8; 32],
}

fn corrupt(what: &str) -> StateError {
    StateError::Corrupt(what.to_owned())
}

const GENESIS: &str = "genesis";
const STEP_CAPACITY: &str = "step capacity";

/// A block executed but not yet committed.
pub struct PendingBlock {
    txn: redb::WriteTransaction,
    committed: Committed,
}

impl PendingBlock {
    /// The state and app hash the block leads to.
    pub fn committed(&self) -> &Committed {
        &self.committed
    }

    /// Makes the block durable (redb's commit is durable when it returns).
    pub fn commit(self) -> Result<Committed, StateError> {
        self.txn.commit()?;
        Ok(self.committed)
    }
}

/// The chain state database.
pub struct Store {
    db: Database,
    /// Whether each block's chain step witness is kept with it (see
    /// [`Store::set_records_step_witnesses`]).
    records_step_witnesses: AtomicBool,
}

impl Store {
    /// Opens (or creates) the database at `path`; it records every block's step witness until
    /// told otherwise.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        Ok(Self {
            db: Database::create(path)?,
            records_step_witnesses: AtomicBool::new(true),
        })
    }

    /// Whether the blocks applied from now on keep their chain step witness (about 126 KB a
    /// block at 32 slots, empty or not). Only a chain prover reads them, and a pruned one can be
    /// regenerated from the committed blocks, so a node that proves nothing keeps none.
    pub fn set_records_step_witnesses(&self, records: bool) {
        self.records_step_witnesses.store(records, Ordering::SeqCst);
    }

    /// Writes genesis: the sentinel nullifier, the genesis notes (worth `supply` in all) and the
    /// first anchor, as height 0, and the chain step capacity (the most transactions a block may
    /// hold, whose step witnesses have that many slots). Safe to repeat with the same genesis; a
    /// different one is refused.
    pub fn init_genesis(
        &self,
        genesis: &[u8],
        outputs: &[Output],
        supply: u64,
        step_capacity: u32,
    ) -> Result<Committed, StateError> {
        if let Some(existing) = self.genesis()? {
            return if existing == genesis {
                self.head()?.ok_or(StateError::NotInitialized)
            } else {
                Err(StateError::GenesisMismatch)
            };
        }
        let txn = self.db.begin_write()?;
        let mut nf = nullifier_tree::open_write(&txn, 0)?;
        let nf_size = nf.init()?;
        let nf_root = nf.root()?;
        drop(nf);
        let effects = TxEffects {
            txid: TxId([0; 32]),
            anchor: Anchor(Fq::ZERO),
            nullifiers: Vec::new(),
            outputs: outputs.to_vec(),
            fee: 0,
        };
        let start = ChainState {
            height: 0,
            cm_root: Digest::default(),
            cm_size: 0,
            nf_root: Digest(nf_root),
            nf_size,
            anchors_root: Digest::default(),
            supply,
            block_chain_hash: Digest::default(),
        };
        let block = BlockEffects {
            height: 0,
            block: genesis.to_vec(),
            txs: vec![effects],
            module_writes: Vec::new(),
            module_roots: Vec::new(),
        };
        let committed = write_block(&txn, start, &block, true, 0, false)?;
        let mut meta = txn.open_table(META)?;
        meta.insert(GENESIS, genesis)?;
        meta.insert(STEP_CAPACITY, step_capacity.to_le_bytes().as_slice())?;
        drop(meta);
        txn.commit()?;
        Ok(committed)
    }

    /// The genesis bytes, if initialized.
    pub fn genesis(&self) -> Result<Option<Vec<u8>>, StateError> {
        let txn = self.db.begin_read()?;
        let meta = match txn.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(meta.get(GENESIS)?.map(|g| g.value().to_vec()))
    }

    /// The last committed state, or `None` before genesis.
    pub fn head(&self) -> Result<Option<Committed>, StateError> {
        let txn = self.db.begin_read()?;
        let states = match txn.open_table(STATES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let last = states.last()?;
        last.map(|(_, v)| borsh::from_slice(v.value()).map_err(|_| corrupt("chain state")))
            .transpose()
    }

    /// The committed state after block `height`.
    pub fn committed_at(&self, height: u64) -> Result<Option<Committed>, StateError> {
        let txn = self.db.begin_read()?;
        let states = txn.open_table(STATES)?;
        let got = states.get(height)?;
        got.map(|v| borsh::from_slice(v.value()).map_err(|_| corrupt("chain state")))
            .transpose()
    }

    /// Executes one block in a write transaction without committing it: the returned
    /// [`PendingBlock`] knows the new state and app hash; committing it makes the block durable,
    /// dropping it discards every effect.
    pub fn begin_block(&self, block: &BlockEffects) -> Result<PendingBlock, StateError> {
        let head = self.head()?.ok_or(StateError::NotInitialized)?;
        if block.height != head.state.height + 1 {
            return Err(StateError::HeightGap {
                committed: head.state.height,
                got: block.height,
            });
        }
        let capacity = self.step_capacity()?;
        let txn = self.db.begin_write()?;
        let record = self.records_step_witnesses.load(Ordering::SeqCst);
        let committed = write_block(&txn, head.state, block, false, capacity, record)?;
        Ok(PendingBlock { txn, committed })
    }

    /// The chain step capacity genesis fixed: the slots of every step witness.
    pub fn step_capacity(&self) -> Result<usize, StateError> {
        let txn = self.db.begin_read()?;
        let meta = match txn.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Err(StateError::NotInitialized),
            Err(e) => return Err(e.into()),
        };
        let got = meta.get(STEP_CAPACITY)?.ok_or(StateError::NotInitialized)?;
        let bytes: [u8; 4] = got
            .value()
            .try_into()
            .map_err(|_| corrupt("step capacity"))?;
        Ok(u32::from_le_bytes(bytes) as usize)
    }

    /// Applies one block in a single write transaction and returns the new committed state.
    pub fn apply_block(&self, block: &BlockEffects) -> Result<Committed, StateError> {
        self.begin_block(block)?.commit()
    }

    /// Whether a nullifier has been revealed.
    pub fn is_spent(&self, nf: &Nullifier) -> Result<bool, StateError> {
        let txn = self.db.begin_read()?;
        nullifier_tree::open_read(&txn, u64::MAX)?.contains(&nf.0)
    }

    /// A proof that `nf` was unspent after block `height`, against that block's nullifier root
    /// (`None` if it was spent).
    pub fn non_membership(
        &self,
        nf: &Nullifier,
        height: u64,
    ) -> Result<Option<NonMembershipProof>, StateError> {
        let txn = self.db.begin_read()?;
        nullifier_tree::open_read(&txn, height)?.non_membership(&nf.0)
    }

    /// A proof that `nf` was spent by block `height`, against that block's nullifier root (`None`
    /// if it was not).
    pub fn membership(
        &self,
        nf: &Nullifier,
        height: u64,
    ) -> Result<Option<MembershipProof>, StateError> {
        let txn = self.db.begin_read()?;
        nullifier_tree::open_read(&txn, height)?.membership(&nf.0)
    }

    /// The path of note commitment `cm` in the note tree after block `height`, against that
    /// block's root (`None` if no block up to `height` created it).
    pub fn commitment_path(
        &self,
        cm: &NoteCommitment,
        height: u64,
    ) -> Result<Option<PathWitness>, StateError> {
        let txn = self.db.begin_read()?;
        let Some(position) = txn
            .open_table(CM_POSITIONS)?
            .get(cm.to_bytes())?
            .map(|p| p.value())
        else {
            return Ok(None);
        };
        let created = txn
            .open_table(OUTPUT_HEIGHTS)?
            .get(position)?
            .map(|h| h.value())
            .ok_or_else(|| corrupt("output height"))?;
        if created > height {
            return Ok(None);
        }
        merkle_table::note_path(&txn.open_table(NOTE_NODES)?, position, height).map(Some)
    }

    /// The other modules' roots after block `height`, as its app hash covers them.
    pub fn module_roots(&self, height: u64) -> Result<Option<ModuleRoots>, StateError> {
        let txn = self.db.begin_read()?;
        let got = txn.open_table(MODULE_ROOTS)?.get(height)?;
        got.map(|r| borsh::from_slice(r.value()).map_err(|_| corrupt("module roots")))
            .transpose()
    }

    /// The height of the block that produced `anchor`, if any block did.
    pub fn anchor_height(&self, anchor: &Anchor) -> Result<Option<u64>, StateError> {
        let txn = self.db.begin_read()?;
        Ok(txn
            .open_table(ANCHOR_HEIGHTS)?
            .get(anchor.to_bytes())?
            .map(|h| h.value()))
    }

    /// The anchors of heights `from..=to` that exist.
    pub fn anchors(&self, from: u64, to: u64) -> Result<Vec<(u64, Anchor)>, StateError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(ANCHORS)?;
        let mut out = Vec::new();
        for entry in table.range(from..=to)? {
            let (h, a) = entry?;
            out.push((
                h.value(),
                Anchor::from_bytes(&a.value()).map_err(|_| corrupt("anchor"))?,
            ));
        }
        Ok(out)
    }

    /// Up to `limit` outputs from position `start` on, with their positions and heights.
    pub fn outputs_from(
        &self,
        start: u64,
        limit: usize,
    ) -> Result<Vec<(u64, u64, Output)>, StateError> {
        let txn = self.db.begin_read()?;
        let outputs = txn.open_table(OUTPUTS)?;
        let heights = txn.open_table(OUTPUT_HEIGHTS)?;
        let mut out = Vec::new();
        for entry in outputs.range(start..)?.take(limit) {
            let (pos, bytes) = entry?;
            let output: Output = borsh::from_slice(bytes.value()).map_err(|_| corrupt("output"))?;
            let height = heights
                .get(pos.value())?
                .map(|h| h.value())
                .ok_or_else(|| corrupt("output height"))?;
            out.push((pos.value(), height, output));
        }
        Ok(out)
    }

    /// Up to `limit` nullifiers revealed from the `index`th of block `height` on, each with its
    /// height and its index among its block's: a cursor that pages through a block revealing
    /// more nullifiers than one page holds.
    pub fn nullifiers_from(
        &self,
        height: u64,
        index: u32,
        limit: usize,
    ) -> Result<Vec<(u64, u32, Nullifier)>, StateError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(NF_BY_HEIGHT)?;
        let mut out = Vec::new();
        for entry in table.range((height, index)..)?.take(limit) {
            let (key, nf) = entry?;
            let (height, index) = key.value();
            out.push((
                height,
                index,
                Nullifier::from_bytes(&nf.value()).map_err(|_| corrupt("nullifier"))?,
            ));
        }
        Ok(out)
    }

    /// The encoded block at `height`.
    pub fn block(&self, height: u64) -> Result<Option<Vec<u8>>, StateError> {
        let txn = self.db.begin_read()?;
        Ok(txn
            .open_table(BLOCKS)?
            .get(height)?
            .map(|b| b.value().to_vec()))
    }

    /// The chain step witness of block `height`, if it is still kept (genesis has none).
    pub fn step_witness(&self, height: u64) -> Result<Option<StepWitness>, StateError> {
        match self.step_witnesses(height.saturating_sub(1), height) {
            Ok(mut one) => Ok(one.pop()),
            Err(StateError::NoStepWitness(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The chain step witnesses of blocks `from + 1..=to`, in order, from one snapshot; a block
    /// whose witness is no longer kept is [`StateError::NoStepWitness`].
    pub fn step_witnesses(&self, from: u64, to: u64) -> Result<Vec<StepWitness>, StateError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(STEP_WITNESSES) {
            Ok(t) => Some(t),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(e.into()),
        };
        (from.saturating_add(1)..=to)
            .map(|height| {
                let got = match &table {
                    Some(table) => table.get(height)?,
                    None => None,
                };
                let bytes = got.ok_or(StateError::NoStepWitness(height))?;
                borsh::from_slice(bytes.value()).map_err(|_| corrupt("step witness"))
            })
            .collect()
    }

    /// How many blocks' step witnesses are kept.
    pub fn kept_step_witnesses(&self) -> Result<u64, StateError> {
        self.table_len(STEP_WITNESSES)
    }

    /// How many entries `table` holds (none before it is first written).
    fn table_len<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        table: TableDefinition<K, V>,
    ) -> Result<u64, StateError> {
        let txn = self.db.begin_read()?;
        match txn.open_table(table) {
            Ok(table) => Ok(table.len()?),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps `witness` as the step witness of the committed block `height` again (one
    /// regenerated after it was pruned), once it is checked to take the state committed at
    /// `height - 1` to the one committed at `height`.
    pub fn restore_step_witness(
        &self,
        height: u64,
        witness: &StepWitness,
    ) -> Result<(), StateError> {
        let state = |h: u64| -> Result<ChainState, StateError> {
            Ok(self
                .committed_at(h)?
                .ok_or(StateError::NotCommitted(h))?
                .state)
        };
        // Genesis is z0, not a step: no transition leads to it.
        let before = height
            .checked_sub(1)
            .ok_or(StateError::TransitionMismatch(0))?;
        let after = state(height)?;
        check_step(height, &state(before)?, witness, &after)?;
        let txn = self.db.begin_write()?;
        insert_step_witness(&txn, height, witness)?;
        txn.commit()?;
        Ok(())
    }

    /// Whether the step witness of block `height` is kept (read without decoding it).
    pub fn has_step_witness(&self, height: u64) -> Result<bool, StateError> {
        let txn = self.db.begin_read()?;
        match txn.open_table(STEP_WITNESSES) {
            Ok(table) => Ok(table.get(height)?.is_some()),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Drops the step witnesses of blocks up to `height`, once the chain prover has folded them.
    pub fn prune_step_witnesses(&self, height: u64) -> Result<(), StateError> {
        let txn = self.db.begin_write()?;
        txn.open_table(STEP_WITNESSES)?
            .retain_in(..=height, |_, _| false)?;
        txn.commit()?;
        Ok(())
    }

    /// Keeps `proof` (an encoded compressed chain proof of blocks `1..=height`) as the latest.
    pub fn put_chain_proof(&self, height: u64, proof: &[u8]) -> Result<(), StateError> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(CHAIN_PROOFS)?;
            table.retain(|_, _| false)?;
            table.insert(height, proof)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// The latest compressed chain proof and the height it covers, if any.
    pub fn latest_chain_proof(&self) -> Result<Option<(u64, Vec<u8>)>, StateError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(CHAIN_PROOFS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let last = table.last()?;
        Ok(last.map(|(h, p)| (h.value(), p.value().to_vec())))
    }

    /// The lowest committed block height still waiting to be published to the DA layer.
    pub fn outbox_first(&self) -> Result<Option<u64>, StateError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(DA_OUTBOX) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let first = table.first()?;
        Ok(first.map(|(h, _)| h.value()))
    }

    /// How many committed blocks wait to be published.
    pub fn outbox_len(&self) -> Result<u64, StateError> {
        self.table_len(DA_OUTBOX)
    }

    /// Records that block `height` was published (`refs`: where it landed) and takes it out of
    /// the outbox, in one durable write.
    pub fn mark_published(&self, height: u64, refs: &[u8]) -> Result<(), StateError> {
        let txn = self.db.begin_write()?;
        txn.open_table(DA_OUTBOX)?.remove(height)?;
        txn.open_table(DA_REFS)?.insert(height, refs)?;
        txn.commit()?;
        Ok(())
    }

    /// Where block `height` landed on the DA layer, once published.
    pub fn published(&self, height: u64) -> Result<Option<Vec<u8>>, StateError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(DA_REFS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let got = table.get(height)?;
        Ok(got.map(|r| r.value().to_vec()))
    }

    /// A value of another module's state.
    pub fn module_get(&self, module: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(MODULE_KV) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(table.get((module, key))?.map(|v| v.value().to_vec()))
    }

    /// Number of outputs (notes) in the tree.
    pub fn output_count(&self) -> Result<u64, StateError> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(OUTPUTS)?.len()?)
    }
}

/// Refuses `witness` unless the transition the chain proves takes `before` to `after` with it.
fn check_step(
    height: u64,
    before: &ChainState,
    witness: &StepWitness,
    after: &ChainState,
) -> Result<(), StateError> {
    if zkpsm_transition::apply(&before.z(), witness)? != after.z() {
        return Err(StateError::TransitionMismatch(height));
    }
    Ok(())
}

/// Keeps `witness` as block `height`'s inside `txn`.
fn insert_step_witness(
    txn: &redb::WriteTransaction,
    height: u64,
    witness: &StepWitness,
) -> Result<(), StateError> {
    let encoded = borsh::to_vec(witness).map_err(|_| corrupt("step witness encoding"))?;
    txn.open_table(STEP_WITNESSES)?
        .insert(height, encoded.as_slice())?;
    Ok(())
}

/// Applies `block` on top of `state` inside `txn`, checking the chain step witness of every block
/// after genesis (genesis is `z0`, not a step), whose slots number `capacity`, against the state
/// it commits, and keeping that witness if `record`.
fn write_block(
    txn: &redb::WriteTransaction,
    mut state: ChainState,
    block: &BlockEffects,
    genesis: bool,
    capacity: usize,
    record: bool,
) -> Result<Committed, StateError> {
    if !genesis && block.txs.len() > capacity {
        return Err(StateError::BlockTooLarge {
            txs: block.txs.len(),
            capacity,
        });
    }
    let before = state;
    let mut nf = nullifier_tree::open_write(txn, block.height)?;
    let mut notes = txn.open_table(NOTE_NODES)?;
    let mut anchors = txn.open_table(ANCHOR_NODES)?;
    let anchor_heights = txn.open_table(ANCHOR_HEIGHTS)?;
    let mut outputs = txn.open_table(OUTPUTS)?;
    let mut output_heights = txn.open_table(OUTPUT_HEIGHTS)?;
    let mut nf_by_height = txn.open_table(NF_BY_HEIGHT)?;
    let mut cm_positions = txn.open_table(CM_POSITIONS)?;
    let mut digest = EffectsDigest::default();
    let nf_start = state.nf_size;
    let cm_start = state.cm_size;
    let mut revealed = 0u32;
    let mut commitments = Vec::new();
    let mut slots = Vec::with_capacity(capacity);
    for tx in &block.txs {
        if !genesis && (tx.nullifiers.len() != ARITY || tx.outputs.len() != ARITY) {
            return Err(StateError::TxShape {
                nullifiers: tx.nullifiers.len(),
                outputs: tx.outputs.len(),
            });
        }
        let mut inserts = Vec::with_capacity(ARITY);
        for n in &tx.nullifiers {
            inserts.push(nf.insert_pending(&n.0, nf_start, u64::from(revealed))?);
            nf_by_height.insert((block.height, revealed), n.to_bytes())?;
            revealed += 1;
        }
        for output in &tx.outputs {
            let position = cm_start + commitments.len() as u64;
            if cm_positions.get(output.cm.to_bytes())?.is_none() {
                cm_positions.insert(output.cm.to_bytes(), position)?;
            }
            let bytes = borsh::to_vec(output).map_err(|_| corrupt("output encoding"))?;
            outputs.insert(position, bytes.as_slice())?;
            output_heights.insert(position, block.height)?;
            commitments.push(output.cm.0);
        }
        if genesis {
            for output in &tx.outputs {
                digest.absorb(EffectKind::Commitment, output.cm.0);
            }
            continue;
        }
        let height = anchor_heights
            .get(tx.anchor.to_bytes())?
            .map(|h| h.value())
            .ok_or_else(|| StateError::UnknownAnchor(tx.anchor.to_string()))?;
        let slot = anchor_slot(height);
        if merkle_table::node_at(&anchors, TreeShape::ANCHOR_RING, 0, slot, block.height)?
            != tx.anchor.0
        {
            // The anchor has left the ring (the anchor window keeps transactions from this).
            return Err(StateError::UnknownAnchor(tx.anchor.to_string()));
        }
        state.supply = state
            .supply
            .checked_sub(tx.fee)
            .ok_or(StateError::SupplyUnderflow)?;
        let [cm1, cm2] = [tx.outputs[0].cm.0, tx.outputs[1].cm.0];
        digest.absorb_tx(
            tx.anchor.0,
            [tx.nullifiers[0].0, tx.nullifiers[1].0],
            [cm1, cm2],
            tx.fee,
        );
        slots.push(TxSlot {
            enabled: true,
            anchor: Digest(tx.anchor.0),
            anchor_path: merkle_table::node_path(
                &anchors,
                TreeShape::ANCHOR_RING,
                0,
                slot,
                block.height,
            )?,
            nullifiers: inserts
                .try_into()
                .map_err(|_| corrupt("a transaction's nullifier inserts"))?,
            commitments: [Digest(cm1), Digest(cm2)],
            fee: tx.fee,
        });
    }
    // Empty slots check paths of empty nullifier slots (left empty until the batch write).
    while !genesis && slots.len() < capacity {
        let position = nf_start + (slots.len() * ARITY) as u64;
        slots.push(TxSlot::noop([
            nf.empty_path(position)?,
            nf.empty_path(position + 1)?,
        ]));
    }
    let appends = if genesis {
        for (i, cm) in commitments.iter().enumerate() {
            merkle_table::write_leaf(
                &mut notes,
                TreeShape::NOTES,
                cm_start + i as u64,
                *cm,
                block.height,
            )?;
        }
        None
    } else {
        Some((
            nf.append_pending(
                nf_start,
                u64::from(revealed),
                group_level(TreeShape::NULLIFIERS, capacity),
            )?,
            merkle_table::append(
                &mut notes,
                TreeShape::NOTES,
                cm_start,
                &commitments,
                group_level(TreeShape::NOTES, capacity),
                block.height,
            )?,
        ))
    };
    state.nf_size = nf_start + u64::from(revealed);
    state.cm_size = cm_start + commitments.len() as u64;

    let anchor = Anchor(merkle_table::root(&notes, TreeShape::NOTES, block.height)?);
    digest.absorb(EffectKind::NewAnchor, anchor.0);
    let ring_slot = anchor_slot(block.height);
    let ring = TreeShape::ANCHOR_RING;
    let replaced_anchor = Digest(merkle_table::node_at(
        &anchors,
        ring,
        0,
        ring_slot,
        block.height,
    )?);
    let new_anchor_path = merkle_table::node_path(&anchors, ring, 0, ring_slot, block.height)?;
    merkle_table::write_leaf(&mut anchors, ring, ring_slot, anchor.0, block.height)?;
    let txids: Vec<TxId> = if genesis {
        Vec::new()
    } else {
        block.txs.iter().map(|t| t.txid).collect()
    };
    let txs_hash = txs_hash(&txids);
    state.height = block.height;
    state.cm_root = Digest(anchor.0);
    state.nf_root = Digest(nf.root()?);
    state.anchors_root = Digest(merkle_table::root(&anchors, ring, block.height)?);
    state.block_chain_hash = Digest(next_block_chain_hash(
        state.block_chain_hash.0,
        digest,
        txs_hash,
    ));
    let committed = Committed {
        state,
        app_hash: state.app_hash(&block.module_roots),
    };
    drop(anchor_heights);

    txn.open_table(ANCHORS)?
        .insert(block.height, anchor.to_bytes())?;
    txn.open_table(ANCHOR_HEIGHTS)?
        .insert(anchor.to_bytes(), block.height)?;
    txn.open_table(BLOCKS)?
        .insert(block.height, block.block.as_slice())?;
    if !genesis {
        txn.open_table(DA_OUTBOX)?.insert(block.height, ())?;
    }
    let roots = borsh::to_vec(&block.module_roots).map_err(|_| corrupt("module roots"))?;
    txn.open_table(MODULE_ROOTS)?
        .insert(block.height, roots.as_slice())?;
    let encoded = borsh::to_vec(&committed).map_err(|_| corrupt("state encoding"))?;
    txn.open_table(STATES)?
        .insert(block.height, encoded.as_slice())?;
    if let Some((nullifier_append, commitment_append)) = appends {
        let witness = StepWitness {
            txs: slots,
            nullifier_append,
            commitment_append,
            replaced_anchor,
            new_anchor_path,
            txs_hash: Digest(txs_hash),
        };
        // The state committed is the output of the transition the chain proves, from this witness.
        check_step(block.height, &before, &witness, &state)?;
        if record {
            insert_step_witness(txn, block.height, &witness)?;
        }
    }
    let mut kv = txn.open_table(MODULE_KV)?;
    for (module, key, value) in &block.module_writes {
        match value {
            Some(v) => kv.insert((module.as_str(), key.as_slice()), v.as_slice())?,
            None => kv.remove((module.as_str(), key.as_slice()))?,
        };
    }
    Ok(committed)
}
