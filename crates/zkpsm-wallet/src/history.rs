//! The wallet's history by transaction: a payment's spent notes, its change and what it paid are
//! folded into one entry, as the sender and anyone holding the sender's viewing key see it.

use crate::file::WalletFile;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What a transaction did for this wallet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Activity {
    /// It paid someone else.
    Sent {
        /// The amount paid to others.
        amount: u64,
        /// The recipients' addresses.
        to: Vec<String>,
        /// The fee (what the wallet's notes held, less what came back and what was paid).
        fee: u64,
    },
    /// It moved the wallet's own notes to its own addresses.
    SelfTransfer {
        /// What the wallet's new notes hold.
        amount: u64,
        /// The fee.
        fee: u64,
    },
    /// Someone else paid this wallet (or genesis did).
    Received {
        /// What the wallet's new notes hold.
        amount: u64,
    },
}

/// One transaction of the wallet's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The height of the block that holds it (`None` while it is pending).
    pub height: Option<u64>,
    /// Its id (`None` for genesis).
    pub txid: Option<String>,
    /// What it did.
    #[serde(flatten)]
    pub activity: Activity,
    /// Its memos, in full: what the payment carried (for a payment sent, what was written for
    /// the recipient).
    pub memo: String,
}

#[derive(Default)]
struct Parts<'a> {
    height: Option<u64>,
    first_position: u64,
    spent: u64,
    spends: bool,
    created: u64,
    paid: u64,
    to: Vec<&'a str>,
    memos: Vec<&'a str>,
}

impl<'a> Parts<'a> {
    fn at(&mut self, height: u64, position: u64) {
        if self.height.is_none() {
            self.height = Some(height);
            self.first_position = position;
        } else {
            self.first_position = self.first_position.min(position);
        }
    }

    fn memo(&mut self, memo: &'a str) {
        if !memo.is_empty() && !self.memos.contains(&memo) {
            self.memos.push(memo);
        }
    }

    fn entry(self, txid: Option<String>) -> Entry {
        let activity = if !self.spends {
            Activity::Received {
                amount: self.created,
            }
        } else {
            let fee = self
                .spent
                .saturating_sub(self.created)
                .saturating_sub(self.paid);
            if self.to.is_empty() {
                Activity::SelfTransfer {
                    amount: self.created,
                    fee,
                }
            } else {
                Activity::Sent {
                    amount: self.paid,
                    to: self.to.into_iter().map(str::to_owned).collect(),
                    fee,
                }
            }
        };
        Entry {
            height: self.height,
            txid,
            activity,
            memo: self.memos.join("\n"),
        }
    }
}

/// The wallet's history, one entry per transaction: confirmed ones by height and position, then
/// the pending payments.
pub fn history(wallet: &WalletFile) -> Vec<Entry> {
    // Transactions by id; genesis notes, which no transaction made, one entry each.
    let mut txs: BTreeMap<&str, Parts> = BTreeMap::new();
    let mut genesis = Vec::new();
    for note in &wallet.notes {
        match note.txid.as_deref() {
            Some(txid) => {
                let parts = txs.entry(txid).or_default();
                parts.at(note.height, note.position);
                parts.created = parts.created.saturating_add(note.value);
                parts.memo(&note.memo);
            }
            None => {
                let mut parts = Parts {
                    created: note.value,
                    ..Parts::default()
                };
                parts.at(note.height, note.position);
                parts.memo(&note.memo);
                genesis.push(parts);
            }
        }
        if let (Some(txid), Some(height)) = (note.spent_txid.as_deref(), note.spent_height) {
            let parts = txs.entry(txid).or_default();
            // A spend's outputs are at least as late as the note it spends.
            parts.at(height, note.position);
            parts.spent = parts.spent.saturating_add(note.value);
            parts.spends = true;
        }
    }
    for sent in &wallet.sent {
        let Some(txid) = sent.txid.as_deref() else {
            continue;
        };
        let parts = txs.entry(txid).or_default();
        parts.at(sent.height, sent.position);
        parts.paid = parts.paid.saturating_add(sent.value);
        if !parts.to.contains(&sent.to.as_str()) {
            parts.to.push(&sent.to);
        }
        parts.memo(&sent.memo);
    }
    let mut confirmed: Vec<(u64, u64, Entry)> = genesis
        .into_iter()
        .map(|p| (p.height.unwrap_or(0), p.first_position, p.entry(None)))
        .chain(txs.into_iter().map(|(txid, p)| {
            (
                p.height.unwrap_or(0),
                p.first_position,
                p.entry(Some(txid.to_owned())),
            )
        }))
        .collect();
    confirmed.sort_by_key(|(height, position, _)| (*height, *position));
    let pending: Vec<Entry> = wallet
        .pending
        .iter()
        .filter(|p| {
            !confirmed
                .iter()
                .any(|(_, _, e)| e.txid.as_ref() == Some(&p.txid))
        })
        .map(|p| Entry {
            height: None,
            txid: Some(p.txid.clone()),
            activity: Activity::Sent {
                amount: p.amount,
                to: vec![p.to.clone()],
                fee: p.fee,
            },
            memo: p.memo.clone(),
        })
        .collect();
    confirmed
        .into_iter()
        .map(|(_, _, e)| e)
        .chain(pending)
        .collect()
}

impl fmt::Display for Entry {
    /// One line: `height 7  sent 30 to ADDRESS, fee 10, memo "rent"  tx 1a2b…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.height {
            Some(h) => write!(f, "height {h:>6}  ")?,
            None => write!(f, "pending        ")?,
        }
        match &self.activity {
            Activity::Sent { amount, to, fee } => {
                write!(f, "sent {amount} to {}, fee {fee}", to.join(", "))?
            }
            Activity::SelfTransfer { amount, fee } => {
                write!(f, "moved {amount} to own addresses, fee {fee}")?
            }
            Activity::Received { amount } => write!(f, "received {amount}")?,
        }
        if !self.memo.is_empty() {
            write!(f, ", memo {:?}", self.memo)?;
        }
        match &self.txid {
            Some(txid) => write!(f, "  tx {txid}"),
            None => write!(f, "  genesis"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{OwnNote, PendingTx, SentRecord};
    use rand::rngs::OsRng;
    use zkpsm_primitives::keys::SpendingKey;

    fn note(position: u64, height: u64, value: u64, txid: Option<&str>, memo: &str) -> OwnNote {
        OwnNote {
            position,
            height,
            value,
            diversifier: String::new(),
            rseed: String::new(),
            nullifier: format!("nf{position}"),
            memo: memo.into(),
            txid: txid.map(str::to_owned),
            spent_height: None,
            spent_txid: None,
        }
    }

    fn spent(mut n: OwnNote, height: u64, txid: &str) -> OwnNote {
        n.spent_height = Some(height);
        n.spent_txid = Some(txid.into());
        n
    }

    /// Genesis gives 1000; tx `a` pays bob 250 with fee 10 (change 740); tx `b` receives 40
    /// with a memo; tx `c` moves the change and the 40 to the wallet itself with fee 10; tx `d`
    /// is pending.
    fn wallet() -> WalletFile {
        let mut w = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
        w.notes = vec![
            spent(note(0, 0, 1000, None, ""), 2, "a"),
            spent(note(3, 2, 740, Some("a"), ""), 5, "c"),
            spent(note(4, 3, 40, Some("b"), "for you\nline two"), 5, "c"),
            note(7, 5, 770, Some("c"), ""),
            note(8, 5, 0, Some("c"), ""),
        ];
        w.sent = vec![SentRecord {
            position: 2,
            height: 2,
            to: "bob".into(),
            value: 250,
            memo: "lunch".into(),
            txid: Some("a".into()),
        }];
        w.pending = vec![PendingTx {
            txid: "d".into(),
            spends: vec!["nf7".into()],
            to: "carol".into(),
            amount: 100,
            fee: 10,
            change: 660,
            memo: "later".into(),
            expiry_height: 50,
        }];
        w
    }

    #[test]
    fn a_payment_its_change_and_its_spends_are_one_entry() {
        let entries = history(&wallet());
        let expected = [
            (Some(0), None, Activity::Received { amount: 1000 }, ""),
            (
                Some(2),
                Some("a"),
                Activity::Sent {
                    amount: 250,
                    to: vec!["bob".into()],
                    fee: 10,
                },
                "lunch",
            ),
            (
                Some(3),
                Some("b"),
                Activity::Received { amount: 40 },
                "for you\nline two",
            ),
            (
                Some(5),
                Some("c"),
                Activity::SelfTransfer {
                    amount: 770,
                    fee: 10,
                },
                "",
            ),
            (
                None,
                Some("d"),
                Activity::Sent {
                    amount: 100,
                    to: vec!["carol".into()],
                    fee: 10,
                },
                "later",
            ),
        ];
        assert_eq!(entries.len(), expected.len(), "{entries:#?}");
        for (entry, (height, txid, activity, memo)) in entries.iter().zip(expected) {
            assert_eq!(entry.height, height);
            assert_eq!(entry.txid.as_deref(), txid);
            assert_eq!(entry.activity, activity);
            assert_eq!(entry.memo, memo);
        }
        assert_eq!(
            entries[1].to_string(),
            "height      2  sent 250 to bob, fee 10, memo \"lunch\"  tx a"
        );
        // The memo is shown in full, its second line too.
        assert!(entries[2].to_string().contains("for you\\nline two"));
        assert!(entries[4].to_string().starts_with("pending "));
        let json = serde_json::to_value(&entries[1]).unwrap();
        assert_eq!(json["kind"], "sent");
        assert_eq!(json["fee"], 10);
        assert_eq!(json["to"][0], "bob");
    }

    #[test]
    fn a_pending_payment_locks_its_notes_and_counts_its_change_as_pending() {
        let mut w = wallet();
        let b = w.balances();
        assert_eq!(
            b.spendable, 0,
            "the 770 note is locked by the pending payment"
        );
        assert_eq!(b.pending, 660);
        assert_eq!(w.balance(), 660);
        w.pending.clear();
        assert_eq!(w.balances().spendable, 770);
        assert_eq!(w.balances().pending, 0);
    }

    #[test]
    fn a_confirmed_payment_is_not_listed_again_as_pending() {
        let mut w = wallet();
        w.pending[0].txid = "c".into();
        let entries = history(&w);
        assert_eq!(entries.len(), 4);
        assert!(entries.iter().all(|e| e.height.is_some()));
    }
}
