//! Incremental scanning: new outputs are trial-decrypted with the incoming and outgoing viewing
//! keys; spends are found in the full list of revealed nullifiers, so the node never learns which
//! notes are the wallet's.

use crate::file::{OwnNote, SentRecord, WALLET_VERSION, WalletError, WalletFile, memo_text};
use incrementalmerkletree::frontier::Frontier;
use zkpsm_api::client::Client;
use zkpsm_primitives::encryption::{try_decrypt, try_recover_outgoing};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::merkle::MerkleHash;
use zkpsm_primitives::note::NoteCommitment;
use zkpsm_primitives::transaction::Output;

/// What a scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanReport {
    /// The height scanned to.
    pub height: u64,
    /// New outputs looked at.
    pub outputs: u64,
    /// New notes received.
    pub received: usize,
    /// Own notes newly seen spent.
    pub spent: usize,
}

const PAGE: usize = 1000;

/// The wallet's leaves as field elements.
pub fn leaves(wallet: &WalletFile) -> Result<Vec<Fq>, WalletError> {
    wallet
        .leaves
        .iter()
        .map(|h| {
            hex::decode(h)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|b| field::from_bytes(&b, "leaf").ok())
                .ok_or_else(|| WalletError::BadInput("the wallet file holds a corrupt leaf".into()))
        })
        .collect()
}

/// Scans from where the wallet left off to the node's head. A scan that fails leaves the wallet
/// as it was: nothing the node answered before the failure is kept.
pub fn scan(
    wallet: &mut WalletFile,
    client: &Client,
    progress: &mut dyn FnMut(&str),
) -> Result<ScanReport, WalletError> {
    scan_copy(wallet.clone(), wallet, client, progress)
}

/// Forgets everything scanned (the tree, notes, payments sent, the height) and scans again from
/// genesis: keys and handed-out addresses stay. Nothing changes if the scan fails.
pub fn rescan(
    wallet: &mut WalletFile,
    client: &Client,
    progress: &mut dyn FnMut(&str),
) -> Result<ScanReport, WalletError> {
    let mut fresh = wallet.clone();
    forget_scanned(&mut fresh);
    scan_copy(fresh, wallet, client, progress)
}

/// Forgets what scans learnt; keys, handed-out addresses and pending payments stay.
fn forget_scanned(wallet: &mut WalletFile) {
    wallet.chain_id = None;
    wallet.scanned_height = 0;
    wallet.leaves.clear();
    wallet.notes.clear();
    wallet.sent.clear();
}

/// Drops the pending payments that a scanned block spent (this one, or another spending the same
/// notes), and those that expired unspent: their notes are spendable again.
fn settle_pending(wallet: &mut WalletFile) {
    let spent: std::collections::HashSet<&str> = wallet
        .notes
        .iter()
        .filter(|n| n.spent_height.is_some())
        .map(|n| n.nullifier.as_str())
        .collect();
    let scanned = wallet.scanned_height;
    wallet.pending.retain(|p| {
        scanned < p.expiry_height && !p.spends.iter().any(|nf| spent.contains(nf.as_str()))
    });
}

/// Scans `copy` and, if that succeeds, makes it the wallet.
fn scan_copy(
    mut copy: WalletFile,
    wallet: &mut WalletFile,
    client: &Client,
    progress: &mut dyn FnMut(&str),
) -> Result<ScanReport, WalletError> {
    let report = scan_into(&mut copy, client, progress)?;
    *wallet = copy;
    Ok(report)
}

fn scan_into(
    wallet: &mut WalletFile,
    client: &Client,
    progress: &mut dyn FnMut(&str),
) -> Result<ScanReport, WalletError> {
    if wallet.version < WALLET_VERSION {
        progress(&format!(
            "the wallet file is format {}: rescanning from genesis to learn each note's transaction",
            wallet.version
        ));
        forget_scanned(wallet);
        wallet.version = WALLET_VERSION;
    }
    let status = client.status()?;
    if let Some(chain) = &wallet.chain_id
        && *chain != status.chain_id
    {
        return Err(WalletError::Inconsistent(format!(
            "the wallet belongs to chain '{chain}', the node serves '{}'",
            status.chain_id
        )));
    }
    wallet.chain_id = Some(status.chain_id.clone());
    let fvk = wallet.full_viewing_key()?;
    let ivk = fvk.incoming_viewing_key();
    let start = wallet.leaves.len() as u64;
    let mut received = 0;

    // Outputs up to the tree size at the status height, so the root can be checked against it.
    let mut next = start;
    while next < status.cm_size {
        let page = client.outputs(next, PAGE.min((status.cm_size - next) as usize))?;
        match page.outputs.first() {
            None => {
                return Err(WalletError::Inconsistent(format!(
                    "missing outputs from position {next}"
                )));
            }
            // Every page must start where it was asked to, so each one moves the scan on.
            Some(first) if first.position != next => {
                return Err(WalletError::Inconsistent(format!(
                    "asked for outputs from position {next}, the node answered from {}",
                    first.position
                )));
            }
            Some(_) => {}
        }
        for info in page.outputs {
            if next >= status.cm_size {
                break;
            }
            if info.position != next {
                return Err(WalletError::Inconsistent(format!(
                    "output {} where output {next} was due",
                    info.position
                )));
            }
            let bytes =
                hex::decode(&info.output).map_err(|e| WalletError::Inconsistent(e.to_string()))?;
            let output: Output =
                borsh::from_slice(&bytes).map_err(|e| WalletError::Inconsistent(e.to_string()))?;
            if let Ok(found) = try_decrypt(&ivk, &output.cm, &output.encrypted) {
                let nf = found
                    .note
                    .nullifier(fvk.nk, u32::try_from(next).unwrap_or(u32::MAX));
                wallet.notes.push(OwnNote {
                    position: next,
                    height: info.height,
                    value: found.note.value,
                    diversifier: hex::encode(found.note.recipient.d.0),
                    rseed: hex::encode(found.note.rseed),
                    nullifier: nf.to_string(),
                    memo: memo_text(&found.memo),
                    txid: info.txid.clone(),
                    spent_height: None,
                    spent_txid: None,
                });
                received += 1;
            } else if let Ok(sent) = try_recover_outgoing(&fvk.ovk, &output.cm, &output.encrypted) {
                wallet.sent.push(SentRecord {
                    position: next,
                    height: info.height,
                    to: sent.note.recipient.to_string(),
                    value: sent.note.value,
                    memo: memo_text(&sent.memo),
                    txid: info.txid.clone(),
                });
            }
            wallet.leaves.push(output.cm.to_string());
            next += 1;
        }
        progress(&format!("scanned {next}/{} outputs", status.cm_size));
    }

    // The tree the wallet now holds must be the chain's.
    let mut frontier = Frontier::<MerkleHash, 32>::empty();
    for leaf in leaves(wallet)? {
        frontier.append(MerkleHash(leaf));
    }
    let root = NoteCommitment(frontier.root().0).to_string();
    if root != status.anchor {
        return Err(WalletError::Inconsistent(format!(
            "tree root {root} is not the node's anchor {}",
            status.anchor
        )));
    }

    // Spends: every nullifier revealed since the last scan up to the status height, page by
    // page from a cursor (height, index in its block) that each page must move strictly forward,
    // however many nullifiers one block reveals. No more than the node's nullifier set holds at
    // that height are read (later ones are the next scan's).
    let mut spent = 0;
    let mut cursor = (wallet.scanned_height, 0u32);
    let mut read = 0u64;
    'pages: loop {
        let page = client.nullifiers(cursor.0, cursor.1, PAGE)?;
        for n in &page.nullifiers {
            if n.height > status.height {
                break 'pages;
            }
            read += 1;
            if read > status.nf_size {
                return Err(WalletError::Inconsistent(format!(
                    "the node served more nullifiers than its nullifier set holds ({})",
                    status.nf_size
                )));
            }
            if (n.height, n.index) < cursor {
                return Err(WalletError::Inconsistent(format!(
                    "nullifier ({}, {}) answered for a page from ({}, {})",
                    n.height, n.index, cursor.0, cursor.1
                )));
            }
            cursor = match n.index.checked_add(1) {
                Some(index) => (n.height, index),
                None => (n.height.saturating_add(1), 0),
            };
            for note in wallet
                .notes
                .iter_mut()
                .filter(|o| o.spent_height.is_none() && o.nullifier == n.nullifier)
            {
                note.spent_height = Some(n.height);
                note.spent_txid = Some(n.txid.clone());
                spent += 1;
            }
        }
        if page.nullifiers.len() < PAGE {
            break;
        }
    }

    // The chain's supply bounds what any wallet can hold unspent: more means forged notes.
    let unspent: u128 = wallet
        .notes
        .iter()
        .filter(|n| n.spent_height.is_none())
        .map(|n| u128::from(n.value))
        .sum();
    if unspent > u128::from(status.supply) {
        return Err(WalletError::Inconsistent(format!(
            "the wallet's unspent notes would hold {unspent}, more than the chain's supply {}: \
             the node serves forged notes",
            status.supply
        )));
    }
    wallet.scanned_height = status.height;
    settle_pending(wallet);
    Ok(ScanReport {
        height: status.height,
        outputs: next - start,
        received,
        spent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::PendingTx;
    use rand::rngs::OsRng;
    use zkpsm_primitives::keys::SpendingKey;

    fn pending(txid: &str, spends: &str, expiry_height: u64) -> PendingTx {
        PendingTx {
            txid: txid.into(),
            spends: vec![spends.into()],
            to: "bob".into(),
            amount: 1,
            fee: 1,
            change: 1,
            memo: String::new(),
            expiry_height,
        }
    }

    #[test]
    fn pending_payments_settle_when_spent_or_expired_and_stay_otherwise() {
        let mut w = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
        let note = |nullifier: &str, spent_height| OwnNote {
            position: 0,
            height: 1,
            value: 5,
            diversifier: String::new(),
            rseed: String::new(),
            nullifier: nullifier.into(),
            memo: String::new(),
            txid: None,
            spent_height,
            spent_txid: spent_height.map(|_| "x".to_owned()),
        };
        w.notes = vec![note("spent", Some(9)), note("unspent", None)];
        w.scanned_height = 10;
        w.pending = vec![
            pending("mined", "spent", 40),
            pending("expired", "unspent", 10),
            pending("waiting", "unspent", 11),
        ];
        settle_pending(&mut w);
        let left: Vec<&str> = w.pending.iter().map(|p| p.txid.as_str()).collect();
        assert_eq!(left, ["waiting"]);
    }
}
