//! A transaction as the chain carries it: a shielded transfer or another module's payload, behind
//! one tag byte. Wallets, the API and the node all speak this encoding.

use crate::Error;
use crate::prf::prf_bytes;
use crate::transaction::{Transaction, TxId};
use borsh::{BorshDeserialize, BorshSerialize};

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
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        match bytes.split_first() {
            Some((&TAG_SHIELDED, rest)) => {
                Transaction::decode(rest).map(|tx| ChainTx::Shielded(Box::new(tx)))
            }
            Some((&TAG_MODULE, rest)) => {
                if rest.len() > MAX_MODULE_PAYLOAD_BYTES + MAX_MODULE_NAME_BYTES + 8 {
                    return Err(Error::MalformedTransaction(
                        "module transaction too large".into(),
                    ));
                }
                let e: ModuleEnvelope = borsh::from_slice(rest)
                    .map_err(|e| Error::MalformedTransaction(e.to_string()))?;
                if e.module.is_empty() || e.module.len() > MAX_MODULE_NAME_BYTES {
                    return Err(Error::MalformedTransaction("bad module name".into()));
                }
                Ok(ChainTx::Module {
                    module: e.module,
                    payload: e.payload,
                })
            }
            Some((tag, _)) => Err(Error::MalformedTransaction(format!(
                "unknown transaction kind {tag}"
            ))),
            None => Err(Error::MalformedTransaction("empty transaction".into())),
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
