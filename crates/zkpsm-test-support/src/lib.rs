//! Fixtures the tests of several crates share (a dev-dependency only, never linked by a
//! binary): a spend of one note, proven for real, as the encoded `ChainTx` a node receives, and
//! placeholder outputs for tests of the trees and the chain step.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use rand::rngs::OsRng;
use zkpsm_app::Genesis;
use zkpsm_primitives::chain_tx::ChainTx;
use zkpsm_primitives::encryption::{ENC_CIPHERTEXT_BYTES, EncryptedNote, OUT_CIPHERTEXT_BYTES};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::keys::{Address, SpendingKey};
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_primitives::note::{Note, NoteCommitment};
use zkpsm_primitives::transaction::Output;
use zkpsm_proofs::{SPEND_PROOF_BYTES, SpendProver};
use zkpsm_wallet::{Payment, SpendableNote, TransactionRequest, build_transaction};

/// One note spent: the rest of its value goes to `change`, less `fee`.
pub struct Spend<'a> {
    /// The chain id.
    pub chain_id: &'a str,
    /// The note's owner, who signs and proves.
    pub sender: &'a SpendingKey,
    /// The note commitment tree the anchor and the note's path come from.
    pub tree: &'a MemoryTree,
    /// The note spent.
    pub note: Note,
    /// Its position in `tree`.
    pub position: u32,
    /// Who is paid.
    pub to: Address,
    /// How much.
    pub value: u64,
    /// Where the change goes.
    pub change: Address,
    /// The last height the transaction may enter.
    pub expiry_height: u64,
    /// The fee.
    pub fee: u64,
}

/// The fee a payment pays on `genesis`'s chain: exactly what its fee rule asks.
pub fn payment_fee(genesis: &Genesis) -> u64 {
    genesis
        .params
        .fee_rule()
        .shielded(&genesis.chain_id, SPEND_PROOF_BYTES)
}

/// The tree of genesis's notes, in allocation order (the chain's tree at height 0).
pub fn genesis_tree(genesis: &Genesis) -> MemoryTree {
    let notes = genesis.notes().expect("the genesis's notes");
    MemoryTree::new(&notes.iter().map(|n| n.commitment()).collect::<Vec<_>>())
}

/// Genesis note `index`, to spend from the genesis tree at position `index`.
pub fn genesis_note(genesis: &Genesis, index: usize) -> Note {
    genesis.notes().expect("the genesis's notes")[index]
}

/// Builds and proves `spend` with `prover`; the encoded `ChainTx`.
pub fn prove_spend(prover: &SpendProver, spend: &Spend) -> Vec<u8> {
    let request = TransactionRequest {
        chain_id: spend.chain_id.to_owned(),
        expiry_height: spend.expiry_height,
        anchor: spend.tree.root(),
        inputs: vec![SpendableNote {
            note: spend.note,
            path: spend
                .tree
                .path(spend.position)
                .expect("a position in the tree"),
        }],
        payment: Payment {
            to: spend.to,
            value: spend.value,
            memo: [0; 512],
        },
        change_address: spend.change,
        fee: spend.fee,
    };
    let tx = build_transaction(spend.sender, &request, prover, &mut OsRng, &mut |_| {})
        .expect("an honest spend builds");
    ChainTx::Shielded(Box::new(tx)).to_bytes()
}

/// An output whose commitment is the field element `cm` and whose ciphertexts are filler bytes:
/// what the trees and the chain step see of an output, without a note behind it.
pub fn placeholder_output(cm: u64) -> Output {
    Output {
        cm: NoteCommitment(Fq::from(cm)),
        encrypted: EncryptedNote {
            epk: [1; 32],
            enc_ct: [2; ENC_CIPHERTEXT_BYTES],
            out_ct: [3; OUT_CIPHERTEXT_BYTES],
        },
    }
}
