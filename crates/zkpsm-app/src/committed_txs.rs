//! What a committed block holds in public: each transaction's id, size and public parts, and
//! where its outputs and nullifiers sit among the chain's. Explorers and wallets' histories read
//! it; consensus never does.

use crate::{AppError, Block};
use zkpsm_primitives::chain_tx::ChainTx;
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::TxId;
use zkpsm_state::Store;

/// The public parts of one committed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedTx {
    /// Its id.
    pub txid: TxId,
    /// Its encoded size in bytes.
    pub bytes: usize,
    /// Its shielded parts, or the module it belongs to.
    pub kind: CommittedTxKind,
}

/// What kind of transaction a [`CommittedTx`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommittedTxKind {
    /// A shielded transfer.
    Shielded {
        /// The nullifiers it revealed.
        nullifiers: Vec<Nullifier>,
        /// The index of its first nullifier among those its block revealed.
        first_nullifier: u32,
        /// The note commitments it created.
        commitments: Vec<NoteCommitment>,
        /// The note tree position of its first output.
        first_position: u64,
        /// The fee it burned.
        fee: u64,
    },
    /// A transaction of another module.
    Module {
        /// The module's name.
        module: String,
    },
}

impl CommittedTx {
    /// Whether this transaction created the output at note tree position `position`.
    pub fn created(&self, position: u64) -> bool {
        match &self.kind {
            CommittedTxKind::Shielded {
                commitments,
                first_position,
                ..
            } => (*first_position..*first_position + commitments.len() as u64).contains(&position),
            CommittedTxKind::Module { .. } => false,
        }
    }

    /// Whether this transaction revealed its block's `index`th nullifier.
    pub fn revealed(&self, index: u32) -> bool {
        match &self.kind {
            CommittedTxKind::Shielded {
                nullifiers,
                first_nullifier,
                ..
            } => (u64::from(*first_nullifier)
                ..u64::from(*first_nullifier) + nullifiers.len() as u64)
                .contains(&u64::from(index)),
            CommittedTxKind::Module { .. } => false,
        }
    }
}

/// The transactions of the committed block at `height`, in execution order (`None` if no block
/// is committed there; genesis, at height 0, has none).
pub fn committed_txs(store: &Store, height: u64) -> Result<Option<Vec<CommittedTx>>, AppError> {
    let Some(encoded) = store.block(height)? else {
        return Ok(None);
    };
    if height == 0 {
        return Ok(Some(Vec::new()));
    }
    let before = store
        .committed_at(height - 1)?
        .ok_or_else(|| AppError::Block(format!("no committed state before block {height}")))?;
    let block = Block::decode(&encoded, usize::MAX)?;
    let mut position = before.state.cm_size;
    let mut nullifier_index = 0u32;
    let mut txs = Vec::with_capacity(block.txs.len());
    for bytes in &block.txs {
        let tx = ChainTx::decode(bytes).map_err(AppError::malformed)?;
        let kind = match &tx {
            ChainTx::Shielded(t) => {
                let kind = CommittedTxKind::Shielded {
                    nullifiers: t.body.nullifiers.to_vec(),
                    first_nullifier: nullifier_index,
                    commitments: t.body.outputs.iter().map(|o| o.cm).collect(),
                    first_position: position,
                    fee: t.body.fee,
                };
                position += t.body.outputs.len() as u64;
                nullifier_index += t.body.nullifiers.len() as u32;
                kind
            }
            ChainTx::Module { module, .. } => CommittedTxKind::Module {
                module: module.clone(),
            },
        };
        txs.push(CommittedTx {
            txid: tx.id(),
            bytes: bytes.len(),
            kind,
        });
    }
    Ok(Some(txs))
}
