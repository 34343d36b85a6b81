//! The fee rule: a transaction pays for the bytes it makes every node store and post to data
//! availability, above a floor. Genesis fixes the rule; admission, blocks and wallets apply it.

use crate::chain_tx::ChainTx;
use crate::encryption::{ENC_CIPHERTEXT_BYTES, EncryptedNote, OUT_CIPHERTEXT_BYTES};
use crate::field::Fq;
use crate::merkle::Anchor;
use crate::note::{NoteCommitment, Nullifier};
use crate::transaction::{ARITY, Output, TX_VERSION, Transaction, TxBody};

/// `base + per_kib * ceil(bytes / 1024)`: the least fee a transaction of `bytes` encoded bytes
/// pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRule {
    /// The floor every transaction pays.
    pub base: u64,
    /// The price of each started KiB of the encoded transaction.
    pub per_kib: u64,
}

impl FeeRule {
    /// The least fee of a transaction of `bytes` encoded bytes (saturating: no size overflows).
    pub fn required(&self, bytes: usize) -> u64 {
        let kib = (bytes as u64).div_ceil(1024);
        self.base.saturating_add(self.per_kib.saturating_mul(kib))
    }

    /// The least fee of a shielded payment on chain `chain_id` whose proof is `proof_bytes` long.
    pub fn shielded(&self, chain_id: &str, proof_bytes: usize) -> u64 {
        self.required(shielded_tx_bytes(chain_id, proof_bytes))
    }
}

/// The encoded size of a shielded transaction (as the chain carries it) on chain `chain_id` with
/// a proof of `proof_bytes`: every other field has a fixed size, so a wallet knows the size, and
/// so the fee, before it proves.
pub fn shielded_tx_bytes(chain_id: &str, proof_bytes: usize) -> usize {
    let output = Output {
        cm: NoteCommitment(Fq::from(0)),
        encrypted: EncryptedNote {
            epk: [0; 32],
            enc_ct: [0; ENC_CIPHERTEXT_BYTES],
            out_ct: [0; OUT_CIPHERTEXT_BYTES],
        },
    };
    let tx = Transaction {
        body: TxBody {
            version: TX_VERSION,
            chain_id: chain_id.to_owned(),
            expiry_height: 0,
            fee: 0,
            anchor: Anchor(Fq::from(0)),
            nullifiers: [Nullifier(Fq::from(0)); ARITY],
            outputs: [output.clone(), output],
        },
        proof: vec![0; proof_bytes],
    };
    ChainTx::Shielded(Box::new(tx)).to_bytes().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_prices_each_started_kib_above_the_floor() {
        let rule = FeeRule {
            base: 3,
            per_kib: 2,
        };
        assert_eq!(rule.required(0), 3);
        assert_eq!(rule.required(1), 5);
        assert_eq!(rule.required(1024), 5);
        assert_eq!(rule.required(1025), 7);
        let huge = FeeRule {
            base: u64::MAX - 1,
            per_kib: u64::MAX,
        };
        assert_eq!(huge.required(usize::MAX), u64::MAX);
    }

    #[test]
    fn a_shielded_transactions_size_is_known_before_it_is_proven() {
        let rule = FeeRule {
            base: 1,
            per_kib: 1,
        };
        let short = shielded_tx_bytes("a", 10_000);
        assert_eq!(shielded_tx_bytes("abcd", 10_000), short + 3);
        assert_eq!(shielded_tx_bytes("a", 10_100), short + 100);
        assert_eq!(rule.shielded("a", 10_000), rule.required(short));
    }
}
