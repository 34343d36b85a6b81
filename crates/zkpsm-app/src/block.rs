//! Blocks: ordered lists of encoded transactions (`ChainTx`, which lives in the primitives so that
//! wallets can build one without the app).

use crate::AppError;
use borsh::{BorshDeserialize, BorshSerialize};
pub use zkpsm_primitives::chain_tx::{ChainTx, MAX_MODULE_NAME_BYTES, MAX_MODULE_PAYLOAD_BYTES};
use zkpsm_primitives::transaction::MAX_TX_BYTES;

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
