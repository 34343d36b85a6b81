//! Genesis: the chain id, the consensus parameters, the spend verifier key digest, and the initial
//! notes that give a fresh chain money to move.

use crate::AppError;
use serde::{Deserialize, Serialize};
use zkpsm_primitives::chain_step::ANCHOR_RING_SLOTS;
use zkpsm_primitives::encryption::{EncryptedNote, encrypt_note};
use zkpsm_primitives::fee::FeeRule;
use zkpsm_primitives::keys::{Address, OutgoingViewingKey};
use zkpsm_primitives::note::Note;
use zkpsm_primitives::prf::prf_bytes;
use zkpsm_primitives::transaction::{MAX_TX_BYTES, Output, check_chain_id};

/// Consensus parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusParams {
    /// A transaction's anchor must be the root after one of the last `anchor_window` blocks.
    pub anchor_window: u64,
    /// Largest encoded block, in bytes.
    pub max_block_bytes: u64,
    /// Most transactions in one block (the chain-step capacity).
    pub max_txs_per_block: u32,
    /// Furthest ahead of the current height an expiry height may lie.
    pub max_expiry_delta: u64,
    /// The fee every transaction pays at least, whatever its size (see [`Self::fee_rule`]).
    pub fee_base: u64,
    /// The fee each started KiB of an encoded transaction adds: data availability's cost.
    pub fee_per_kib: u64,
}

impl ConsensusParams {
    /// The fee rule: `fee_base + fee_per_kib * ceil(bytes / 1024)`.
    pub fn fee_rule(&self) -> FeeRule {
        FeeRule {
            base: self.fee_base,
            per_kib: self.fee_per_kib,
        }
    }
}

impl Default for ConsensusParams {
    fn default() -> Self {
        Self {
            anchor_window: 100,
            max_block_bytes: 8 * 1024 * 1024,
            max_txs_per_block: 32,
            max_expiry_delta: 10_000,
            // A payment is about 12 KB: 13 units.
            fee_base: 1,
            fee_per_kib: 1,
        }
    }
}

/// One genesis allocation: a public amount to an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The recipient's address (bech32m).
    pub address: String,
    /// The amount.
    pub amount: u64,
}

/// The genesis document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// The chain id.
    pub chain_id: String,
    /// Consensus parameters.
    pub params: ConsensusParams,
    /// The hex digest of the spend verifier key every validator must use.
    pub spend_vk_digest: String,
    /// The initial notes.
    pub allocations: Vec<Allocation>,
    /// The embedded sequencer's ed25519 verification key (hex): light clients and nodes syncing
    /// from data availability accept its commits only with its signature. Absent for chains run
    /// by CometBFT, whose commits carry the validators' signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencer: Option<String>,
    /// The verifying key hash (`0x` and 64 hex digits) of the SP1 guest that proves this chain's
    /// block transition (`sp1/guest.vk`): the light client accepts an SP1 proof of a block range
    /// only under this key. Absent: no SP1 proof is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sp1_vk: Option<String>,
}

/// The genesis notes' outgoing viewing key: all zeros, because allocations are public anyway.
const GENESIS_OVK: OutgoingViewingKey = OutgoingViewingKey([0u8; 32]);

impl Genesis {
    /// Parses and checks a genesis document.
    pub fn from_json(text: &str) -> Result<Self, AppError> {
        let genesis: Self =
            serde_json::from_str(text).map_err(|e| AppError::Genesis(e.to_string()))?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// The canonical bytes of this genesis (its JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Checks the parameters and allocations.
    pub fn validate(&self) -> Result<(), AppError> {
        check_chain_id(&self.chain_id).map_err(|e| AppError::Genesis(e.to_string()))?;
        let p = &self.params;
        if p.anchor_window == 0 || p.max_txs_per_block == 0 || p.max_expiry_delta == 0 {
            return Err(AppError::Genesis(
                "anchor window, block capacity and expiry delta must be positive".into(),
            ));
        }
        if p.anchor_window > ANCHOR_RING_SLOTS {
            return Err(AppError::Genesis(format!(
                "the anchor window may not exceed the {ANCHOR_RING_SLOTS} recent anchors the chain \
                 proof keeps"
            )));
        }
        if p.max_block_bytes < MAX_TX_BYTES as u64 {
            return Err(AppError::Genesis(format!(
                "max_block_bytes must hold one transaction ({MAX_TX_BYTES} bytes)"
            )));
        }
        self.sequencer_key()?;
        if let Some(vk) = &self.sp1_vk {
            let digits = vk.strip_prefix("0x").unwrap_or_default();
            if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(AppError::Genesis(
                    "sp1_vk: not 0x and 64 hex digits (the guest's key, as sp1/guest.vk records it)"
                        .into(),
                ));
            }
        }
        self.notes()?;
        self.supply()?;
        Ok(())
    }

    /// The sequencer's verification key, if genesis names one.
    pub fn sequencer_key(&self) -> Result<Option<[u8; 32]>, AppError> {
        self.sequencer
            .as_deref()
            .map(|hex_key| {
                let mut key = [0u8; 32];
                hex::decode_to_slice(hex_key, &mut key)
                    .map_err(|_| AppError::Genesis("sequencer: not 32 bytes of hex".into()))?;
                Ok(key)
            })
            .transpose()
    }

    /// The total supply: the sum of the allocations.
    pub fn supply(&self) -> Result<u64, AppError> {
        self.allocations
            .iter()
            .try_fold(0u64, |acc, a| acc.checked_add(a.amount))
            .ok_or_else(|| AppError::Genesis("allocations overflow u64".into()))
    }

    /// The genesis notes, with deterministic public seeds.
    pub fn notes(&self) -> Result<Vec<Note>, AppError> {
        self.allocations
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let recipient: Address = a
                    .address
                    .parse()
                    .map_err(|e| AppError::Genesis(format!("allocation {i}: {e}")))?;
                let rseed = prf_bytes(
                    "zkpsm 2026 genesis note seed",
                    &[self.chain_id.as_bytes(), &(i as u64).to_le_bytes()],
                );
                Ok(Note {
                    recipient,
                    value: a.amount,
                    rseed,
                })
            })
            .collect()
    }

    /// The genesis outputs, encrypted to their recipients like any other note.
    pub fn outputs(&self) -> Result<Vec<Output>, AppError> {
        Ok(self
            .notes()?
            .iter()
            .map(|note| Output {
                cm: note.commitment(),
                encrypted: genesis_encryption(note),
            })
            .collect())
    }
}

fn genesis_encryption(note: &Note) -> EncryptedNote {
    encrypt_note(note, &[0u8; 512], &GENESIS_OVK)
}
