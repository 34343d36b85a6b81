//! Transactions: a body of public effects and encrypted outputs, and the zero-knowledge proof that
//! binds them, with their canonical (borsh) encoding.
//!
//! The proof's public values are recomputed from the body by every verifier (see [`PublicValues`]):
//! the anchor, both nullifiers, both output commitments, the fee, and `binding`, a hash of the whole
//! canonical body. So nothing in a body can change without invalidating its proof. The transaction
//! id hashes the body alone, so a re-randomized proof never makes a new id.

use crate::Error;
use crate::encryption::EncryptedNote;
use crate::field::{self, Fq};
use crate::merkle::Anchor;
use crate::note::{NoteCommitment, Nullifier};
use crate::prf::{context, prf_bytes, prf_field};
use borsh::{BorshDeserialize, BorshSerialize};
use ff::Field;
use std::fmt;

/// The only transaction version this code accepts. Version 2's spend proofs commit to the witness
/// in a Hyrax matrix of 1,024 columns opened with a logarithmic-size argument (about 10 KB);
/// version 1's (2,048 columns, a linear opening, about 75 KB) verify under no key of this code.
pub const TX_VERSION: u8 = 2;
/// Longest chain id, in bytes.
pub const MAX_CHAIN_ID_BYTES: usize = 64;
/// Largest proof accepted, in bytes (a spend proof is about 10 KB; keys of other commitment layouts,
/// which `zkpsm bench tx --widths` measures, give up to 75 KB).
pub const MAX_PROOF_BYTES: usize = 256 * 1024;
/// Largest encoded transaction accepted, in bytes.
pub const MAX_TX_BYTES: usize = MAX_PROOF_BYTES + 4 * 1024;
/// Number of spent notes (inputs) and of created notes (outputs) in every transaction.
pub const ARITY: usize = 2;

/// One created note: its commitment and its encryptions.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Output {
    /// The new note's commitment, appended to the tree.
    pub cm: NoteCommitment,
    /// The note encrypted for its recipient and for the sender's outgoing viewing key.
    pub encrypted: EncryptedNote,
}

/// Everything a transaction says, except its proof.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TxBody {
    /// Encoding version; must be [`TX_VERSION`].
    pub version: u8,
    /// The chain this transaction is for.
    pub chain_id: String,
    /// The last block height at which it may be included.
    pub expiry_height: u64,
    /// The public fee, burned.
    pub fee: u64,
    /// The note commitment tree root the spent notes are proven against.
    pub anchor: Anchor,
    /// The nullifiers of the two spent notes (dummies included).
    pub nullifiers: [Nullifier; ARITY],
    /// The two created notes.
    pub outputs: [Output; ARITY],
}

/// A transaction's id: a hash of its body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct TxId(pub [u8; 32]);

impl fmt::Display for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TxId({self})")
    }
}

/// The public values of a spend proof, in the order the circuit exposes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicValues {
    /// The anchor.
    pub anchor: Anchor,
    /// The nullifiers.
    pub nullifiers: [Nullifier; ARITY],
    /// The output commitments.
    pub commitments: [NoteCommitment; ARITY],
    /// The fee.
    pub fee: u64,
    /// The binding value: a hash of the canonical body.
    pub binding: Fq,
}

/// Number of public values of a spend proof.
pub const NUM_PUBLIC_VALUES: usize = 7;

/// Names of the public values, in order (for messages).
pub const PUBLIC_VALUE_NAMES: [&str; NUM_PUBLIC_VALUES] =
    ["anchor", "nf1", "nf2", "cm1", "cm2", "fee", "binding"];

impl PublicValues {
    /// The values as field elements, in the circuit's order.
    pub fn to_fields(&self) -> [Fq; NUM_PUBLIC_VALUES] {
        [
            self.anchor.0,
            self.nullifiers[0].0,
            self.nullifiers[1].0,
            self.commitments[0].0,
            self.commitments[1].0,
            field::from_u64(self.fee),
            self.binding,
        ]
    }
}

impl TxBody {
    /// The canonical encoding of the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_else(|_| unreachable!("writing to a Vec cannot fail"))
    }

    /// The transaction id: blake3 of the canonical body, without the proof.
    pub fn txid(&self) -> TxId {
        TxId(prf_bytes(context::TXID, &[&self.to_bytes()]))
    }

    /// `binding`: 64 bytes of blake3 XOF of the canonical body, reduced into the field.
    pub fn binding(&self) -> Fq {
        prf_field(context::BINDING, &[&self.to_bytes()])
    }

    /// The public values a valid proof of this body must carry, computed from the body alone.
    pub fn public_values(&self) -> PublicValues {
        PublicValues {
            anchor: self.anchor,
            nullifiers: self.nullifiers,
            commitments: [self.outputs[0].cm, self.outputs[1].cm],
            fee: self.fee,
            binding: self.binding(),
        }
    }

    /// Rules that need no state: version, chain id form, distinct non-zero nullifiers.
    pub fn check_stateless(&self) -> Result<(), Error> {
        if self.version != TX_VERSION {
            return Err(Error::InvalidTransaction(format!(
                "unsupported version {} (expected {TX_VERSION})",
                self.version
            )));
        }
        check_chain_id(&self.chain_id)?;
        if self.nullifiers.iter().any(|nf| nf.0 == Fq::ZERO) {
            return Err(Error::InvalidTransaction("a nullifier is zero".into()));
        }
        if self.nullifiers[0] == self.nullifiers[1] {
            return Err(Error::InvalidTransaction(
                "both inputs have the same nullifier (the same note twice)".into(),
            ));
        }
        Ok(())
    }

    /// Rules of the chain the transaction is checked against: its chain id and the current height.
    pub fn check_context(&self, chain_id: &str, height: u64) -> Result<(), Error> {
        if self.chain_id != chain_id {
            return Err(Error::InvalidTransaction(format!(
                "chain id '{}' is not this chain's '{chain_id}'",
                self.chain_id
            )));
        }
        if height > self.expiry_height {
            return Err(Error::InvalidTransaction(format!(
                "expired: its last valid height is {}, this block is {height}",
                self.expiry_height
            )));
        }
        Ok(())
    }
}

/// Checks the form of a chain id: 1 to 64 bytes of ASCII letters, digits, '-', '_' or '.'.
pub fn check_chain_id(chain_id: &str) -> Result<(), Error> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if chain_id.is_empty() || chain_id.len() > MAX_CHAIN_ID_BYTES || !chain_id.chars().all(ok_char)
    {
        return Err(Error::InvalidTransaction(format!(
            "chain id must be 1-{MAX_CHAIN_ID_BYTES} characters of [A-Za-z0-9._-]"
        )));
    }
    Ok(())
}

/// A transaction: a body and its zero-knowledge proof (opaque bytes at this layer).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Transaction {
    /// The body.
    pub body: TxBody,
    /// The spend proof, serialized.
    pub proof: Vec<u8>,
}

impl Transaction {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_else(|_| unreachable!("writing to a Vec cannot fail"))
    }

    /// Decodes canonical bytes: any other input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_TX_BYTES {
            return Err(Error::MalformedTransaction(format!(
                "{} bytes is more than the {MAX_TX_BYTES}-byte limit",
                bytes.len()
            )));
        }
        match bytes.first() {
            Some(&TX_VERSION) => {}
            Some(&old) if old < TX_VERSION => {
                return Err(Error::MalformedTransaction(format!(
                    "transaction version {old} is no longer accepted: this node reads version \
                     {TX_VERSION}, whose spend proofs are smaller; build it again with this wallet"
                )));
            }
            other => {
                return Err(Error::MalformedTransaction(format!(
                    "unknown version byte {other:?} (expected {TX_VERSION})"
                )));
            }
        }
        let tx: Self =
            borsh::from_slice(bytes).map_err(|e| Error::MalformedTransaction(e.to_string()))?;
        if tx.proof.len() > MAX_PROOF_BYTES {
            return Err(Error::MalformedTransaction("proof too large".into()));
        }
        check_chain_id(&tx.body.chain_id)
            .map_err(|e| Error::MalformedTransaction(e.to_string()))?;
        Ok(tx)
    }

    /// The transaction id (of the body).
    pub fn txid(&self) -> TxId {
        self.body.txid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encryption::{ENC_CIPHERTEXT_BYTES, OUT_CIPHERTEXT_BYTES};

    fn sample() -> Transaction {
        let output = |i: u64| Output {
            cm: NoteCommitment(Fq::from(10 + i)),
            encrypted: EncryptedNote {
                epk: [i as u8; 32],
                enc_ct: [1; ENC_CIPHERTEXT_BYTES],
                out_ct: [2; OUT_CIPHERTEXT_BYTES],
            },
        };
        Transaction {
            body: TxBody {
                version: TX_VERSION,
                chain_id: "zkpsm-test".into(),
                expiry_height: 100,
                fee: 3,
                anchor: Anchor(Fq::from(42)),
                nullifiers: [Nullifier(Fq::from(1)), Nullifier(Fq::from(2))],
                outputs: [output(0), output(1)],
            },
            proof: vec![9; 100],
        }
    }

    #[test]
    fn encoding_round_trips_and_is_strict() {
        let tx = sample();
        let bytes = tx.to_bytes();
        assert_eq!(Transaction::decode(&bytes), Ok(tx.clone()));
        // Truncated, extended, or with a non-canonical field element: refused.
        assert!(Transaction::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Transaction::decode(&longer).is_err());
        let anchor_at = 1 + 4 + tx.body.chain_id.len() + 16;
        let mut bad = bytes.clone();
        bad[anchor_at..anchor_at + 32].copy_from_slice(&[0xff; 32]);
        assert!(Transaction::decode(&bad).is_err());
        assert!(Transaction::decode(&[]).is_err());
        assert!(Transaction::decode(&[2]).is_err());
    }

    #[test]
    fn an_older_version_is_refused_with_a_clear_error() {
        let mut bytes = sample().to_bytes();
        bytes[0] = TX_VERSION - 1;
        let Err(Error::MalformedTransaction(message)) = Transaction::decode(&bytes) else {
            panic!("an old transaction decoded");
        };
        assert!(message.contains("no longer accepted"), "{message}");
        bytes[0] = TX_VERSION + 1;
        let Err(Error::MalformedTransaction(message)) = Transaction::decode(&bytes) else {
            panic!("a future transaction decoded");
        };
        assert!(message.contains("unknown version"), "{message}");
    }

    #[test]
    fn txid_ignores_proof_and_binding_covers_every_field() {
        let tx = sample();
        let mut reproved = tx.clone();
        reproved.proof = vec![7; 10];
        assert_eq!(tx.txid(), reproved.txid());

        let base = tx.body.binding();
        let mut variants = Vec::new();
        let mut b = tx.body.clone();
        b.chain_id = "other".into();
        variants.push(b);
        let mut b = tx.body.clone();
        b.expiry_height += 1;
        variants.push(b);
        let mut b = tx.body.clone();
        b.fee += 1;
        variants.push(b);
        let mut b = tx.body.clone();
        b.outputs[1].encrypted.enc_ct[5] ^= 1;
        variants.push(b);
        let mut b = tx.body.clone();
        b.outputs[0].encrypted.out_ct[5] ^= 1;
        variants.push(b);
        let mut b = tx.body.clone();
        b.outputs[0].encrypted.epk[0] ^= 1;
        variants.push(b);
        for v in variants {
            assert_ne!(v.binding(), base);
            assert_ne!(v.txid(), tx.txid());
        }
    }

    #[test]
    fn stateless_and_context_rules() {
        let tx = sample();
        assert_eq!(tx.body.check_stateless(), Ok(()));
        let mut same = tx.body.clone();
        same.nullifiers[1] = same.nullifiers[0];
        assert!(same.check_stateless().is_err());
        let mut zero = tx.body.clone();
        zero.nullifiers[0] = Nullifier(Fq::ZERO);
        assert!(zero.check_stateless().is_err());
        assert!(tx.body.check_context("zkpsm-test", 100).is_ok());
        assert!(tx.body.check_context("zkpsm-test", 101).is_err());
        assert!(tx.body.check_context("zkpsm-other", 1).is_err());
        assert!(check_chain_id("has space").is_err());
        assert!(check_chain_id(&"x".repeat(65)).is_err());
    }
}
