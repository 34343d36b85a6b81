//! An example wallet state without a chain: a sender holding two notes in a small tree, paying a
//! recipient. `zkpsm tx example` proves it, and the benchmarks time it.

use crate::{Payment, SpendableNote, TransactionRequest};
use rand_core::{CryptoRng, RngCore};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_primitives::note::{Note, NoteCommitment};

/// The chain id of example transactions.
pub const EXAMPLE_CHAIN_ID: &str = "zkpsm-example";

/// The example wallet state: a sender with two notes in a small tree, and a recipient.
pub struct ExampleWorld {
    /// The sender's key.
    pub sender: SpendingKey,
    /// The request paying the recipient 250 with a fee of 10.
    pub request: TransactionRequest,
}

/// Fresh keys and a tree holding the sender's two notes among others'.
pub fn example_world(chain_id: &str, rng: &mut (impl RngCore + CryptoRng)) -> ExampleWorld {
    let sender = SpendingKey::random(rng);
    let recipient = SpendingKey::random(rng);
    let fvk = sender.full_viewing_key();
    let notes = [
        Note::new(fvk.address_at(0), 600, rng),
        Note::new(fvk.address_at(1), 400, rng),
    ];
    let stranger = SpendingKey::random(rng).full_viewing_key();
    let mut other = |v: u64| Note::new(stranger.address_at(v), v, rng).commitment();
    let leaves: Vec<NoteCommitment> = vec![
        other(5),
        notes[0].commitment(),
        other(7),
        other(9),
        notes[1].commitment(),
    ];
    let tree = MemoryTree::new(&leaves);
    let inputs = [(notes[0], 1), (notes[1], 4)]
        .map(|(note, pos)| SpendableNote {
            note,
            path: tree.path(pos).unwrap_or_else(|| unreachable!()),
        })
        .to_vec();
    let mut memo = [0u8; 512];
    let text = b"thanks for the coffee";
    memo[..text.len()].copy_from_slice(text);
    ExampleWorld {
        request: TransactionRequest {
            chain_id: chain_id.to_owned(),
            expiry_height: 1000,
            anchor: tree.root(),
            inputs,
            payment: Payment {
                to: recipient.full_viewing_key().address_at(0),
                value: 250,
                memo,
            },
            change_address: fvk.address_at(2),
            fee: 10,
        },
        sender,
    }
}
