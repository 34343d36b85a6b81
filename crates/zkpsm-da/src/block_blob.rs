//! What a block blob carries: the encoded block and the evidence that the chain committed it, so
//! that a reader of the DA layer alone can tell the chain's blocks from anyone else's posts.

use borsh::{BorshDeserialize, BorshSerialize};

/// The evidence that the chain committed a block, with the app hash it committed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum BlockCommit {
    /// The embedded sequencer's ed25519 signature on (chain id, height, app hash).
    Sequencer {
        /// The app hash after the block.
        app_hash: [u8; 32],
        /// The signature, by the key genesis pins.
        signature: [u8; 64],
    },
    /// A CometBFT commit: the signed header of the next height (which carries the app hash after
    /// this block) and its validator set, both as CometBFT's JSON.
    Cometbft {
        /// The next height's `SignedHeader` (JSON).
        signed_header: Vec<u8>,
        /// That height's validator set (JSON).
        validators: Vec<u8>,
    },
}

/// A committed block as published: its canonical encoding and its commit.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BlockBlob {
    /// The block's canonical encoding.
    pub block: Vec<u8>,
    /// The chain's commit of it.
    pub commit: BlockCommit,
}

impl BlockBlob {
    /// The payload's encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).expect("encoding into a Vec cannot fail")
    }

    /// Decodes a payload, refusing anything else.
    pub fn decode(bytes: &[u8]) -> Result<Self, crate::DaError> {
        borsh::from_slice(bytes)
            .map_err(|e| crate::DaError::Malformed(format!("not a block payload: {e}")))
    }
}
