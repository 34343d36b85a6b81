//! `zkpsm demo`: an embedded node in a temporary home, two wallets, private payments back and
//! forth, balances and timings.

use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_app::ConsensusParams;
use zkpsm_app::genesis::Allocation;
use zkpsm_node::node::{Consensus, NodeConfig, init, start};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_wallet::WalletFile;
use zkpsm_wallet::history::{Activity, history};
use zkpsm_wallet::scan::scan;
use zkpsm_wallet::send::{SendRequest, payment_fee, send};

fn quiet(_: &str) {}

/// Waits until the mempool is empty and a block has passed.
fn settle(client: &Client) -> Result<u64> {
    let start = client.status()?.height;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = client.status()?;
        if s.mempool == 0 && s.height > start {
            return Ok(s.height);
        }
        if Instant::now() > deadline {
            bail!("the transaction did not settle within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs the demo.
pub fn run() -> Result<()> {
    let started = Instant::now();
    let home = tempfile::tempdir()?;
    println!("zkpsm demo: an embedded chain in {}", home.path().display());
    let t = Instant::now();
    let keys = SpendKeys::shared()?;
    println!(
        "  spend keys set up in {} ms (transparent; verifier key {})",
        t.elapsed().as_millis(),
        &keys.vk_digest_hex()[..16]
    );

    let mut alice = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let mut bob = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let alice_fvk = alice.full_viewing_key()?;
    alice.next_index = 2;
    let funds = vec![
        Allocation {
            address: alice_fvk.address_at(0).to_string(),
            amount: 1000,
        },
        Allocation {
            address: alice_fvk.address_at(1).to_string(),
            amount: 600,
        },
    ];
    let config = NodeConfig {
        api_addr: "127.0.0.1:0".into(),
        block_interval_ms: 250,
        empty_blocks: true,
        da: Default::default(),
        http: Default::default(),
    };
    init(
        home.path(),
        "zkpsm-demo",
        funds,
        config,
        ConsensusParams::default(),
        true,
    )?;
    let node = start(home.path(), None, Consensus::Embedded, None)?;
    println!("  node running: blocks every 250 ms, API at {}", node.url);
    let client = Client::new(&node.url);
    let prover = SpendProver::new(keys);

    scan(&mut alice, &client, &mut quiet)?;
    scan(&mut bob, &client, &mut quiet)?;
    println!(
        "  genesis: alice {} | bob {}",
        alice.balance(),
        bob.balance()
    );

    let payments: [(&str, u64, &str); 4] = [
        ("alice", 250, "lunch"),
        ("bob", 100, "change back"),
        ("alice", 75, "coffee"),
        ("bob", 40, "tip"),
    ];
    // What the chain's fee rule asks of a payment (its size is known before proving).
    let fee = payment_fee(&client, None)?;
    println!(
        "\n  | # | from  | to    | amount | prove+submit ms | settled at height | alice | bob  |"
    );
    println!(
        "  |---|-------|-------|-------:|----------------:|------------------:|------:|-----:|"
    );
    for (i, (from, amount, memo)) in payments.iter().enumerate() {
        let (sender, recipient) = if *from == "alice" {
            (&mut alice, &mut bob)
        } else {
            (&mut bob, &mut alice)
        };
        let to = recipient
            .full_viewing_key()?
            .address_at(recipient.next_index)
            .to_string();
        recipient.next_index += 1;
        let t = Instant::now();
        let request = SendRequest {
            to,
            amount: *amount,
            fee: Some(fee),
            memo: (*memo).into(),
        };
        send(sender, &client, &prover, &request, &mut OsRng, &mut quiet)?;
        let prove_ms = t.elapsed().as_millis();
        let height = settle(&client)?;
        scan(&mut alice, &client, &mut quiet)?;
        scan(&mut bob, &client, &mut quiet)?;
        let to_name = if *from == "alice" { "bob" } else { "alice" };
        println!(
            "  | {} | {from:<5} | {to_name:<5} | {amount:>6} | {prove_ms:>15} | {height:>17} | {:>5} | {:>4} |",
            i + 1,
            alice.balance(),
            bob.balance()
        );
    }

    let expected_total = 1600 - fee * payments.len() as u64;
    let total = alice.balance() + bob.balance();
    let status = client.status()?;
    if total != expected_total || status.supply != expected_total {
        bail!(
            "balances do not add up: alice + bob = {total}, supply {}, expected {expected_total}",
            status.supply
        );
    }
    let mut watcher = WalletFile::new_view_only(&alice_fvk);
    scan(&mut watcher, &client, &mut quiet)?;
    if watcher.balance() != alice.balance() || history(&watcher) != history(&alice) {
        bail!("the view-only wallet disagrees with alice's");
    }
    check_history(&alice, &payments, "alice", fee)?;
    check_history(&bob, &payments, "bob", fee)?;
    println!("\n  alice's history (as her view-only wallet sees it, without her spending key):");
    for entry in history(&watcher) {
        println!("    {entry}");
    }
    println!(
        "\n  balances add up: alice {} + bob {} + fees {} = genesis 1600; chain height {}, app hash {}",
        alice.balance(),
        bob.balance(),
        fee * payments.len() as u64,
        status.height,
        &status.app_hash[..16]
    );
    node.stop();
    println!(
        "  demo finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Checks that `name`'s history is genesis, then one entry per payment of the demo, with its
/// amount, fee and memo.
fn check_history(
    wallet: &WalletFile,
    payments: &[(&str, u64, &str)],
    name: &str,
    fee: u64,
) -> Result<()> {
    let entries = history(wallet);
    let genesis = entries.iter().take_while(|e| e.txid.is_none()).count();
    let txs = &entries[genesis..];
    if txs.len() != payments.len() {
        bail!(
            "{name}'s history has {} transactions for the demo's {} payments",
            txs.len(),
            payments.len()
        );
    }
    for (entry, (from, amount, memo)) in txs.iter().zip(payments) {
        let expected = if *from == name {
            matches!(&entry.activity, Activity::Sent { amount: a, fee: f, .. } if a == amount && *f == fee)
        } else {
            entry.activity == Activity::Received { amount: *amount }
        };
        if !expected || entry.memo != *memo {
            bail!("{name}'s history reads \"{entry}\" for {from}'s payment of {amount} \"{memo}\"");
        }
    }
    Ok(())
}
