//! `zkpsm bench node`: end-to-end private transactions per second through an embedded node's API
//! (transactions proven ahead of time), next to the verification bound `cores / verify time`
//! measured in the same run.

use crate::node::{Consensus, NodeConfig, init, start};
use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{ChainTx, ConsensusParams};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{SpendKeys, SpendProver, VerifyContext, verify_transaction};
use zkpsm_wallet::{Payment, SpendableNote, TransactionRequest, build_transaction};

const CHAIN: &str = "zkpsm-bench";

/// Runs the benchmark.
pub fn run(txs: usize, json: bool) -> Result<()> {
    if txs < 8 {
        bail!("--txs must be at least 8");
    }
    let keys = SpendKeys::shared()?;
    let alice = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let home = tempfile::tempdir()?;
    let funds = (0..txs as u64)
        .map(|i| Allocation {
            address: fvk.address_at(i).to_string(),
            amount: 100,
        })
        .collect();
    let params = ConsensusParams {
        anchor_window: 100_000,
        ..ConsensusParams::default()
    };
    let genesis = init(
        home.path(),
        CHAIN,
        funds,
        NodeConfig {
            api_addr: "127.0.0.1:0".into(),
            block_interval_ms: 50,
        },
        params,
    )?;

    // Prove every transaction ahead of time, each spending its own genesis note.
    let notes = genesis.notes()?;
    let tree = MemoryTree::new(&notes.iter().map(|n| n.commitment()).collect::<Vec<_>>());
    let prover = SpendProver::new(keys.clone());
    let mut proven: Vec<Transaction> = Vec::with_capacity(txs);
    for (i, note) in notes.iter().enumerate() {
        eprint!("\rproving {}/{txs}", i + 1);
        let request = TransactionRequest {
            chain_id: CHAIN.into(),
            expiry_height: 5_000,
            anchor: tree.root(),
            inputs: vec![SpendableNote {
                note: *note,
                path: tree.path(i as u32).unwrap_or_else(|| unreachable!()),
            }],
            payment: Payment {
                to: fvk.address_at(1_000_000 + i as u64),
                value: 60,
                memo: [0; 512],
            },
            change_address: fvk.address_at(2_000_000 + i as u64),
            fee: 1,
        };
        proven.push(build_transaction(
            &alice,
            &request,
            &prover,
            &mut OsRng,
            &mut |_| {},
        )?);
    }
    eprintln!();

    // The bound, measured now: single verification time, median of 7.
    let context = VerifyContext {
        chain_id: CHAIN.into(),
        height: 1,
    };
    let mut samples = Vec::new();
    for tx in proven.iter().take(7) {
        let t = Instant::now();
        verify_transaction(&keys, tx, &context)?;
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    let verify_s = samples[samples.len() / 2];
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let bound_tps = cores as f64 / verify_s;

    // Through the node: submit from one thread per core, until everything is committed.
    let node = start(home.path(), None, Consensus::Embedded)?;
    let client = Client::new(&node.url);
    let start_height = client.status()?.height;
    let encoded: Vec<Vec<u8>> = proven
        .into_iter()
        .map(|t| ChainTx::Shielded(Box::new(t)).to_bytes())
        .collect();
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let workers: Vec<_> = encoded
            .chunks(encoded.len().div_ceil(cores))
            .map(|chunk| {
                let url = node.url.clone();
                scope.spawn(move || -> Result<()> {
                    let client = Client::new(&url);
                    for tx in chunk {
                        client.submit(tx)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("a submitter panicked"))??;
        }
        Ok(())
    })?;
    let target = genesis.supply()? - txs as u64;
    let deadline = Instant::now() + Duration::from_secs(300);
    let end_height = loop {
        let s = client.status()?;
        if s.supply == target && s.mempool == 0 {
            break s.height;
        }
        if Instant::now() > deadline {
            bail!("transactions did not all commit within 300 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed().as_secs_f64();
    node.stop();
    let tps = txs as f64 / elapsed;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "txs": txs,
                "tps": tps,
                "bound_tps": bound_tps,
                "ratio": tps / bound_tps,
                "verify_ms": verify_s * 1e3,
                "cores": cores,
                "elapsed_s": elapsed,
                "blocks": end_height - start_height,
            })
        );
    } else {
        println!(
            "{txs} pre-proven private transactions through the embedded node's API, {cores} cores"
        );
        println!("| measure | value |");
        println!("|---|---:|");
        println!("| end-to-end tps (submit to commit) | {tps:.1} |");
        println!(
            "| bound: cores / single verify ({:.1} ms) | {bound_tps:.1} |",
            verify_s * 1e3
        );
        println!("| ratio | {:.2} |", tps / bound_tps);
        println!("| blocks | {} |", end_height - start_height);
    }
    Ok(())
}
