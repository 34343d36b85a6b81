//! Building a 2-input 2-output transaction: choose up to two notes, pay one recipient, return the
//! change to a fresh address of the wallet's own, pad with dummy inputs, encrypt the outputs, bind
//! the body and prove.

use rand_core::{CryptoRng, RngCore};
use std::time::Instant;
use zkpsm_circuits::spend::{InputWitness, OutputWitness, SpendCircuit, SpendWitness};
use zkpsm_primitives::encryption::{Memo, encrypt_note};
use zkpsm_primitives::keys::{Address, SpendingKey};
use zkpsm_primitives::merkle::{Anchor, MerklePath};
use zkpsm_primitives::note::Note;
use zkpsm_primitives::transaction::{ARITY, Output, TX_VERSION, Transaction, TxBody};
use zkpsm_proofs::{ProofError, SpendProver};

/// A note the wallet owns, with its path to the anchor it will be spent against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpendableNote {
    /// The note.
    pub note: Note,
    /// Its Merkle path (to `TransactionRequest::anchor`).
    pub path: MerklePath,
}

/// One payment to a recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// The recipient's address.
    pub to: Address,
    /// The value to send.
    pub value: u64,
    /// A memo for the recipient.
    pub memo: Memo,
}

/// Everything needed to build one transaction.
#[derive(Clone, Debug)]
pub struct TransactionRequest {
    /// The chain id.
    pub chain_id: String,
    /// The last height at which the transaction may be included.
    pub expiry_height: u64,
    /// The anchor all spent notes' paths lead to.
    pub anchor: Anchor,
    /// The notes to spend (at most two).
    pub inputs: Vec<SpendableNote>,
    /// The payment.
    pub payment: Payment,
    /// Where the change goes (a fresh address of the sender's own).
    pub change_address: Address,
    /// The fee, burned.
    pub fee: u64,
}

/// Why a transaction could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The chosen notes do not cover the payment and the fee.
    #[error("insufficient funds: the notes hold {have}, the payment and fee need {need}")]
    InsufficientFunds {
        /// Sum of the chosen notes.
        have: u128,
        /// Payment plus fee.
        need: u128,
    },
    /// More notes than a transaction can spend.
    #[error("a transaction spends at most {ARITY} notes, {0} were given")]
    TooManyInputs(usize),
    /// A chosen note's path does not lead to the anchor.
    #[error("note {0} is not in the tree at the anchor (stale witness?)")]
    NotInTree(usize),
    /// Proving failed.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// Builds and proves a transaction; `progress` hears what is happening.
pub fn build_transaction(
    sk: &SpendingKey,
    request: &TransactionRequest,
    prover: &SpendProver,
    rng: &mut (impl RngCore + CryptoRng),
    progress: &mut dyn FnMut(&str),
) -> Result<Transaction, BuildError> {
    if request.inputs.len() > ARITY {
        return Err(BuildError::TooManyInputs(request.inputs.len()));
    }
    for (i, input) in request.inputs.iter().enumerate() {
        if input.path.root(input.note.commitment()) != request.anchor {
            return Err(BuildError::NotInTree(i));
        }
    }
    let have: u128 = request
        .inputs
        .iter()
        .map(|i| u128::from(i.note.value))
        .sum();
    let need = u128::from(request.payment.value) + u128::from(request.fee);
    if have < need {
        return Err(BuildError::InsufficientFunds { have, need });
    }
    let change =
        u64::try_from(have - need).map_err(|_| BuildError::InsufficientFunds { have, need })?;
    let fvk = sk.full_viewing_key();

    // Inputs, padded with dummies of value 0 at random positions, in random order.
    let mut inputs: Vec<InputWitness> = request
        .inputs
        .iter()
        .map(|i| InputWitness::new(sk, &i.note, i.path))
        .collect();
    while inputs.len() < ARITY {
        let dummy = Note::new(fvk.address_at(rng.next_u64()), 0, rng);
        inputs.push(InputWitness::new(
            sk,
            &dummy,
            MerklePath::dummy(rng.next_u32()),
        ));
    }
    if rng.next_u32() & 1 == 1 {
        inputs.swap(0, 1);
    }

    // Outputs: the payment and the change, in random order.
    let mut notes = [
        (
            Note::new(request.payment.to, request.payment.value, rng),
            request.payment.memo,
        ),
        (Note::new(request.change_address, change, rng), [0u8; 512]),
    ];
    if rng.next_u32() & 1 == 1 {
        notes.swap(0, 1);
    }
    let outputs = notes.map(|(note, memo)| Output {
        cm: note.commitment(),
        encrypted: encrypt_note(&note, &memo, &fvk.ovk),
    });

    let witness = SpendWitness {
        inputs: [inputs[0], inputs[1]],
        outputs: notes.map(|(note, _)| OutputWitness::new(&note)),
    };
    let body = TxBody {
        version: TX_VERSION,
        chain_id: request.chain_id.clone(),
        expiry_height: request.expiry_height,
        fee: request.fee,
        anchor: request.anchor,
        nullifiers: [inputs[0].nullifier(), inputs[1].nullifier()],
        outputs,
    };
    let public = body.public_values();
    progress("proving (zero-knowledge Spartan over Pallas/Hyrax)");
    let started = Instant::now();
    let proof = prover.prove(&SpendCircuit::new(witness, &public))?;
    progress(&format!(
        "proved in {} ms ({} bytes)",
        started.elapsed().as_millis(),
        proof.len()
    ));
    Ok(Transaction { body, proof })
}
