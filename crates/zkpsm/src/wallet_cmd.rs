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
    Address,
    /// Scan the chain for new notes and spends.
    Scan,
    /// Forget what was scanned and scan again from genesis (keys and addresses stay); the
    /// wallet file changes only if the scan succeeds.
    Rescan,
    /// Scan, then show the spendable balance.
    Balance,
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
    /// Scan, then list received, sent and spent notes.
    History,
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
        WalletCommand::Address => {
            let address = wallet.full_viewing_key()?.address_at(wallet.next_index);
            wallet.next_index += 1;
            wallet.save(path)?;
            println!("{address}");
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
        WalletCommand::Balance => {
            scan(&mut wallet, &client, &mut progress)?;
            wallet.save(path)?;
            println!(
                "{} ({}, height {})",
                wallet.balance(),
                kind(&wallet),
                wallet.scanned_height
            );
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
        WalletCommand::History => {
            scan(&mut wallet, &client, &mut progress)?;
            wallet.save(path)?;
            print_history(&wallet);
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

/// Prints received, spent and sent entries by height.
pub fn print_history(wallet: &WalletFile) {
    let mut lines: Vec<(u64, String)> = Vec::new();
    for n in &wallet.notes {
        let memo = if n.memo.is_empty() {
            String::new()
        } else {
            format!(" memo \"{}\"", n.memo)
        };
        lines.push((
            n.height,
            format!("received {:>10} (note {}){memo}", n.value, n.position),
        ));
        if let Some(h) = n.spent_height {
            lines.push((h, format!("spent    {:>10} (note {})", n.value, n.position)));
        }
    }
    for s in &wallet.sent {
        lines.push((s.height, format!("sent     {:>10} to {}", s.value, s.to)));
    }
    lines.sort();
    for (height, line) in lines {
        println!("height {height:>6}  {line}");
    }
    println!("balance {}", wallet.balance());
}
