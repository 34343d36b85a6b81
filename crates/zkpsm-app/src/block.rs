//! Blocks and the transactions they carry: a shielded transaction or another module's payload.

use crate::AppError;
use borsh::{BorshDeserialize, BorshSerialize};
use zkpsm_primitives::prf::prf_bytes;
use zkpsm_primitives::transaction::{MAX_TX_BYTES, Transaction, TxId};

/// Largest payload of a non-shielded module transaction.
pub const MAX_MODULE_PAYLOAD_BYTES: usize = 64 * 1024;
/// Longest module name.
pub const MAX_MODULE_NAME_BYTES: usize = 32;

const TAG_SHIELDED: u8 = 0;
const TAG_MODULE: u8 = 1;

/// A transaction as the chain carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainTx {
    /// A shielded transfer.
    Shielded(Box<Transaction>),
    /// A transaction of another module.
    Module {
        /// The module's name.
        module: String,
        /// Its payload, which only that module interprets.
        payload: Vec<u8>,
    },
}

#[derive(BorshSerialize, BorshDeserialize)]
struct ModuleEnvelope {
    module: String,
    payload: Vec<u8>,
}

impl ChainTx {
    /// The canonical encoding: a tag byte, then the transaction.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            ChainTx::Shielded(tx) => [vec![TAG_SHIELDED], tx.to_bytes()].concat(),
            ChainTx::Module { module, payload } => {
                let envelope = ModuleEnvelope {
                    module: module.clone(),
                    payload: payload.clone(),
                };
                [
                    vec![TAG_MODULE],
                    borsh::to_vec(&envelope).unwrap_or_default(),
                ]
                .concat()
            }
        }
    }

    /// Decodes canonical bytes; anything else is an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, AppError> {
        match bytes.split_first() {
            Some((&TAG_SHIELDED, rest)) => Transaction::decode(rest)
                .map(|tx| ChainTx::Shielded(Box::new(tx)))
                .map_err(|e| AppError::Malformed(e.to_string())),
            Some((&TAG_MODULE, rest)) => {
                if rest.len() > MAX_MODULE_PAYLOAD_BYTES + MAX_MODULE_NAME_BYTES + 8 {
                    return Err(AppError::Malformed("module transaction too large".into()));
                }
                let e: ModuleEnvelope =
                    borsh::from_slice(rest).map_err(|e| AppError::Malformed(e.to_string()))?;
                if e.module.is_empty() || e.module.len() > MAX_MODULE_NAME_BYTES {
                    return Err(AppError::Malformed("bad module name".into()));
                }
                Ok(ChainTx::Module {
                    module: e.module,
                    payload: e.payload,
                })
            }
            Some((tag, _)) => Err(AppError::Malformed(format!(
                "unknown transaction kind {tag}"
            ))),
            None => Err(AppError::Malformed("empty transaction".into())),
        }
    }

    /// The id: a shielded transaction's body hash, or a hash of a module transaction's bytes.
    pub fn id(&self) -> TxId {
        match self {
            ChainTx::Shielded(tx) => tx.txid(),
            ChainTx::Module { .. } => {
                TxId(prf_bytes("zkpsm 2026 module tx id", &[&self.to_bytes()]))
            }
        }
    }
}

/// A block: an ordered list of encoded transactions at a height of a chain.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Block {
    /// The chain id.
    pub chain_id: String,
    /// The height.
    pub height: u64,
    /// The encoded transactions, in execution order.
    pub txs: Vec<Vec<u8>>,
}

impl Block {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// Decodes canonical bytes of at most `max_bytes`.
    pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Self, AppError> {
        if bytes.len() > max_bytes.max(MAX_TX_BYTES) {
            return Err(AppError::Malformed("block too large".into()));
        }
        borsh::from_slice(bytes).map_err(|e| AppError::Malformed(e.to_string()))
    }
}
