//! Sending: choose notes, witness them, build, prove locally and submit.

use crate::builder::{Payment, SpendableNote, TransactionRequest, build_transaction};
use crate::file::{PendingTx, WalletError, WalletFile};
use crate::scan::{leaves, scan};
use crate::witness::witnesses;
use rand_core::{CryptoRng, RngCore};
use zkpsm_api::client::Client;
use zkpsm_primitives::chain_tx::ChainTx;
use zkpsm_primitives::fee::{FeeRule, shielded_tx_bytes};
use zkpsm_primitives::keys::{Address, Diversifier};
use zkpsm_primitives::note::Note;
use zkpsm_primitives::transaction::ARITY;
use zkpsm_proofs::{SPEND_PROOF_BYTES, SpendProver};

/// How many blocks a transaction stays valid.
pub const EXPIRY_BLOCKS: u64 = 40;

/// A payment to make.
#[derive(Clone, Debug)]
pub struct SendRequest {
    /// The recipient's address (bech32m).
    pub to: String,
    /// The amount.
    pub amount: u64,
    /// The fee; `None` pays what the chain's fee rule asks of a payment.
    pub fee: Option<u64>,
    /// A memo (at most 512 bytes of UTF-8).
    pub memo: String,
}

/// The fee of a payment on the node's chain: what its fee rule asks of a payment's size (known
/// before proving), or `chosen` if that is no less.
pub fn payment_fee(client: &Client, chosen: Option<u64>) -> Result<u64, WalletError> {
    let status = client.status()?;
    let rule = FeeRule {
        base: status.fee_base,
        per_kib: status.fee_per_kib,
    };
    let bytes = shielded_tx_bytes(&status.chain_id, SPEND_PROOF_BYTES);
    let required = rule.required(bytes);
    match chosen {
        None => Ok(required),
        Some(fee) if fee >= required => Ok(fee),
        Some(fee) => Err(WalletError::BadInput(format!(
            "a fee of {fee} is below the {required} chain {} asks of a {bytes}-byte payment ({} + \
             {} per started KiB); pay at least {required}, or leave the fee out to pay exactly that",
            status.chain_id, rule.base, rule.per_kib
        ))),
    }
}

/// Scans, builds, proves and submits a payment; returns the transaction id.
pub fn send(
    wallet: &mut WalletFile,
    client: &Client,
    prover: &SpendProver,
    request: &SendRequest,
    rng: &mut (impl RngCore + CryptoRng),
    progress: &mut dyn FnMut(&str),
) -> Result<String, WalletError> {
    let sk = wallet.spending_key()?;
    let to: Address = request
        .to
        .parse()
        .map_err(|e| WalletError::BadInput(format!("bad address: {e}")))?;
    if request.memo.len() > 512 {
        return Err(WalletError::BadInput(
            "the memo is longer than 512 bytes".into(),
        ));
    }
    if request.amount == 0 {
        return Err(WalletError::BadInput("the amount must be positive".into()));
    }
    let fee = payment_fee(client, request.fee)?;
    let need = request
        .amount
        .checked_add(fee)
        .ok_or_else(|| WalletError::BadInput("amount plus fee overflows".into()))?;
    let report = scan(wallet, client, progress)?;

    let mut unspent: Vec<_> = wallet.spendable_notes().cloned().collect();
    unspent.sort_by(|a, b| b.value.cmp(&a.value).then(a.position.cmp(&b.position)));
    let balance = wallet.balances();
    if balance.spendable < need {
        let pending = if balance.pending > 0 {
            format!(
                " ({} more is pending: the change of a payment no block holds yet; scan again \
                 once one does)",
                balance.pending
            )
        } else {
            String::new()
        };
        return Err(WalletError::InsufficientFunds(format!(
            "spendable {}, payment and fee need {need}{pending}",
            balance.spendable
        )));
    }
    let mut chosen = Vec::new();
    let mut total = 0u64;
    for note in unspent.iter().take(ARITY) {
        chosen.push(note.clone());
        total = total.saturating_add(note.value);
        if total >= need {
            break;
        }
    }
    if total < need {
        return Err(WalletError::InsufficientFunds(format!(
            "the {ARITY} largest notes hold {total} of the {need} needed; send yourself a smaller payment first to merge notes"
        )));
    }

    let fvk = sk.full_viewing_key();
    let ivk = fvk.incoming_viewing_key();
    let positions: Vec<u64> = chosen.iter().map(|n| n.position).collect();
    let (anchor, paths) = witnesses(&leaves(wallet)?, &positions)?;
    let inputs = chosen
        .iter()
        .zip(paths)
        .map(|(n, path)| {
            let d: [u8; 11] = hex::decode(&n.diversifier)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| WalletError::BadInput("corrupt note in wallet".into()))?;
            let rseed: [u8; 32] = hex::decode(&n.rseed)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| WalletError::BadInput("corrupt note in wallet".into()))?;
            Ok(SpendableNote {
                note: Note {
                    recipient: ivk.address_for(Diversifier(d)),
                    value: n.value,
                    rseed,
                },
                path,
            })
        })
        .collect::<Result<Vec<_>, WalletError>>()?;
    let mut memo = [0u8; 512];
    memo[..request.memo.len()].copy_from_slice(request.memo.as_bytes());
    let change_address = fvk.address_at(wallet.next_index);
    wallet.next_index += 1;
    let tx_request = TransactionRequest {
        chain_id: wallet.chain_id.clone().unwrap_or_default(),
        expiry_height: report.height + EXPIRY_BLOCKS,
        anchor,
        inputs,
        payment: Payment {
            to,
            value: request.amount,
            memo,
        },
        change_address,
        fee,
    };
    let tx = build_transaction(&sk, &tx_request, prover, rng, progress)?;
    let submitted = client.submit(&ChainTx::Shielded(Box::new(tx)).to_bytes())?;
    wallet.pending.push(PendingTx {
        txid: submitted.txid.clone(),
        spends: chosen.iter().map(|n| n.nullifier.clone()).collect(),
        to: request.to.clone(),
        amount: request.amount,
        fee,
        change: total - need,
        memo: request.memo.clone(),
        expiry_height: tx_request.expiry_height,
    });
    Ok(submitted.txid)
}
