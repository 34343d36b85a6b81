//! `zkpsm wallet …`: a wallet file and a node URL.

use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::path::Path;
use std::time::Instant;
use zkpsm_api::client::Client;
use zkpsm_primitives::keys::{FullViewingKey, SpendingKey};
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_wallet::WalletFile;
use zkpsm_wallet::file::WalletKey;
use zkpsm_wallet::history::history;
use zkpsm_wallet::scan::{rescan, scan};
use zkpsm_wallet::send::{SendRequest, send};

/// What to do with the wallet.
#[derive(clap::Subcommand)]
pub enum WalletCommand {
    /// Create a wallet file (mode 0600) with a fresh key, or view-only from a full viewing key.
    New {
        /// Make a view-only wallet from this full viewing key.
        #[arg(long)]
        from_viewing_key: Option<String>,
    },
    /// Show a fresh diversified address (unlinkable to the others).
    Address {
        /// Print one JSON object (`address`, `index`).
        #[arg(long)]
        json: bool,
    },
    /// Scan the chain for new notes and spends.
    Scan,
    /// Forget what was scanned and scan again from genesis (keys and addresses stay); the
    /// wallet file changes only if the scan succeeds.
    Rescan,
    /// Scan, then show the balance: spendable now, and pending (the change of payments no block
    /// holds yet).
    Balance {
        /// Print one JSON object (`spendable`, `pending`, `height`, `view_only`).
        #[arg(long)]
        json: bool,
    },
    /// Send a private payment (proved on this machine).
    Send {
        /// The recipient's address.
        #[arg(long)]
        to: String,
        /// The amount.
        #[arg(long)]
        amount: u64,
        /// The fee (burned); by default what the chain's fee rule asks of a payment, and never
        /// less.
        #[arg(long)]
        fee: Option<u64>,
        /// A memo for the recipient.
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// Scan, then list the wallet's transactions, one line each: what was sent (to whom, with
    /// its fee) or received, with memos in full; pending payments last.
    History {
        /// Print one JSON object (`height`, `balance`, `transactions`).
        #[arg(long)]
        json: bool,
    },
    /// Print the full viewing key (sees everything, cannot spend).
    ExportViewingKey,
}

fn progress(msg: &str) {
    eprintln!("  {msg}");
}

/// Runs one wallet command.
pub fn run(path: &Path, node: &str, command: WalletCommand) -> Result<()> {
    if let WalletCommand::New { from_viewing_key } = &command {
        if path.exists() {
            bail!("{} already exists; choose another --wallet", path.display());
        }
        let wallet = match from_viewing_key {
            Some(fvk) => WalletFile::new_view_only(&fvk.parse::<FullViewingKey>()?),
            None => WalletFile::new_spending(&SpendingKey::random(&mut OsRng)),
        };
        wallet.save(path)?;
        println!("created {} ({})", path.display(), kind(&wallet));
        println!("address {}", wallet.full_viewing_key()?.address_at(0));
        return Ok(());
    }
    let mut wallet = WalletFile::load(path)?;
    let client = Client::new(node);
    match command {
        WalletCommand::New { .. } => unreachable!("handled above"),
        WalletCommand::Address { json } => {
            let index = wallet.next_index;
            let address = wallet.full_viewing_key()?.address_at(index);
            wallet.next_index += 1;
            wallet.save(path)?;
            if json {
                let address = address.to_string();
                println!(
                    "{}",
                    serde_json::json!({ "address": address, "index": index })
                );
            } else {
                println!("{address}");
            }
        }
        which @ (WalletCommand::Scan | WalletCommand::Rescan) => {
            let report = if matches!(which, WalletCommand::Rescan) {
                rescan(&mut wallet, &client, &mut progress)?
            } else {
                scan(&mut wallet, &client, &mut progress)?
            };
            wallet.save(path)?;
            println!(
                "scanned to height {}: {} new outputs, {} received, {} spent",
                report.height, report.outputs, report.received, report.spent
            );
        }
        WalletCommand::Balance { json } => {
            scan(&mut wallet, &client, &mut progress)?;
            wallet.save(path)?;
            let balance = wallet.balances();
            if json {
                println!("{}", balance_json(&wallet));
            } else {
                println!(
                    "spendable {}, pending {} ({}, height {})",
                    balance.spendable,
                    balance.pending,
                    kind(&wallet),
                    wallet.scanned_height
                );
            }
        }
        WalletCommand::Send {
            to,
            amount,
            fee,
            memo,
        } => {
            let started = Instant::now();
            let prover = SpendProver::new(SpendKeys::shared()?);
            let request = SendRequest {
                to,
                amount,
                fee,
                memo,
            };
            let result = send(
                &mut wallet,
                &client,
                &prover,
                &request,
                &mut OsRng,
                &mut progress,
            );
            wallet.save(path)?;
            let txid = result?;
            println!(
                "submitted {txid} in {} ms; it settles in the next block",
                started.elapsed().as_millis()
            );
        }
        WalletCommand::History { json } => {
            scan(&mut wallet, &client, &mut progress)?;
            wallet.save(path)?;
            let entries = history(&wallet);
            if json {
                let mut out = balance_json(&wallet);
                out["transactions"] = serde_json::to_value(&entries)?;
                println!("{out}");
            } else {
                for entry in &entries {
                    println!("{entry}");
                }
                let balance = wallet.balances();
                println!(
                    "spendable {}, pending {}",
                    balance.spendable, balance.pending
                );
            }
        }
        WalletCommand::ExportViewingKey => println!("{}", wallet.full_viewing_key()?),
    }
    Ok(())
}

fn kind(wallet: &WalletFile) -> &'static str {
    match wallet.key {
        WalletKey::Spending(_) => "spending wallet",
        WalletKey::ViewOnly(_) => "view-only wallet",
    }
}

/// The balance as JSON: `spendable`, `pending`, `height` (scanned to) and `view_only`.
fn balance_json(wallet: &WalletFile) -> serde_json::Value {
    let balance = wallet.balances();
    serde_json::json!({
        "spendable": balance.spendable,
        "pending": balance.pending,
        "height": wallet.scanned_height,
        "view_only": matches!(wallet.key, WalletKey::ViewOnly(_)),
    })
}
