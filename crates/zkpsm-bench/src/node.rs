//! `zkpsm bench node`: end-to-end private transactions per second through an embedded node's API
//! (transactions proven ahead of time), next to the verification bound `cores / batched verify
//! time per transaction` measured in the same run (admission verifies proofs in batches).

use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::path::Path;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{ChainTx, ConsensusParams, Genesis};
use zkpsm_node::node::{Consensus, NodeConfig, init, start};
use zkpsm_primitives::chain_step::ANCHOR_RING_SLOTS;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{SPEND_PROOF_BYTES, SpendKeys, SpendProver, VerifyContext, verify_transaction};
use zkpsm_wallet::{Payment, SpendableNote, TransactionRequest, build_transaction};

/// A chain's genesis in a home folder, and transactions proven ahead of time against it.
pub struct Prepared {
    /// The genesis.
    pub genesis: Genesis,
    /// The encoded transactions, each spending its own genesis note.
    pub txs: Vec<Vec<u8>>,
    /// The fee each pays (the fee rule's, for a payment).
    pub fee: u64,
    /// The median time of one verification, in seconds.
    pub verify_s: f64,
    /// The median time per transaction of verifying a batch of [`BATCH`] together, in seconds.
    pub verify_batch_s: f64,
}

/// The batch the batched verification time is measured on: the admission batcher's size.
const BATCH: usize = 32;

/// Writes a genesis with `n` notes into `home` and proves one transaction per note; blocks hold
/// at most `max_txs_per_block`.
pub fn prepare(
    home: &Path,
    chain: &str,
    n: usize,
    block_interval_ms: u64,
    max_txs_per_block: u32,
) -> Result<Prepared> {
    if n < 8 {
        bail!("--txs must be at least 8");
    }
    let keys = SpendKeys::shared()?;
    let alice = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let funds = (0..n as u64)
        .map(|i| Allocation {
            address: fvk.address_at(i).to_string(),
            amount: 100,
        })
        .collect();
    // Every transaction is proven against the genesis anchor: keep it valid as long as the
    // chain keeps it.
    let params = ConsensusParams {
        anchor_window: ANCHOR_RING_SLOTS,
        max_txs_per_block,
        ..ConsensusParams::default()
    };
    let config = NodeConfig {
        api_addr: "127.0.0.1:0".into(),
        block_interval_ms,
        empty_blocks: true,
        da: Default::default(),
        http: Default::default(),
    };
    let genesis = init(home, chain, funds, config, params, true)?;
    let notes = genesis.notes()?;
    let tree = MemoryTree::new(&notes.iter().map(|n| n.commitment()).collect::<Vec<_>>());
    let prover = SpendProver::new(keys.clone());
    let fee = genesis
        .params
        .fee_rule()
        .shielded(&genesis.chain_id, SPEND_PROOF_BYTES);
    let mut proven = Vec::with_capacity(n);
    for (i, note) in notes.iter().enumerate() {
        eprint!("\rproving {}/{n}", i + 1);
        let request = TransactionRequest {
            chain_id: chain.into(),
            expiry_height: 9_000,
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
            fee,
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
    // Single verification time, median of 7.
    let context = VerifyContext {
        chain_id: chain.into(),
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
    // Batched verification time per transaction, median of 3 batches (after a warm-up).
    let batch: Vec<&Transaction> = proven.iter().take(BATCH).collect();
    let verify_batch_s = crate::tx::batch_ms_per_tx(&keys, &batch, &context, 3)? / 1e3;
    let txs = proven
        .into_iter()
        .map(|t| ChainTx::Shielded(Box::new(t)).to_bytes())
        .collect();
    Ok(Prepared {
        genesis,
        txs,
        fee,
        verify_s,
        verify_batch_s,
    })
}

/// Submits every transaction to the API at `url` from `threads` threads.
pub fn submit_all(url: &str, txs: &[Vec<u8>], threads: usize) -> Result<()> {
    std::thread::scope(|scope| -> Result<()> {
        let workers: Vec<_> = txs
            .chunks(txs.len().div_ceil(threads.max(1)))
            .map(|chunk| {
                scope.spawn(move || -> Result<()> {
                    let client = Client::new(url);
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
    })
}

/// Waits until the node at `url` reports `supply` (every transaction burned its fee).
pub fn wait_supply(client: &Client, supply: u64) -> Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let s = client.status()?;
        if s.supply == supply && s.mempool == 0 {
            return Ok(s.height);
        }
        if Instant::now() > deadline {
            bail!("transactions did not all commit within 600 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs the benchmark.
pub fn run(n: usize, json: bool) -> Result<()> {
    let home = tempfile::tempdir()?;
    let prepared = prepare(
        home.path(),
        "zkpsm-bench",
        n,
        50,
        ConsensusParams::default().max_txs_per_block,
    )?;
    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(1);
    // Admission verifies proofs in batches, so the bound is the batched cost per proof.
    let bound_tps = cores as f64 / prepared.verify_batch_s;
    let single_bound_tps = cores as f64 / prepared.verify_s;

    let node = start(home.path(), None, Consensus::Embedded, None)?;
    let client = Client::new(&node.url);
    let start_height = client.status()?.height;
    let started = Instant::now();
    // As many submitters as a batch holds, so admission batches can fill.
    submit_all(&node.url, &prepared.txs, BATCH)?;
    let end_height = wait_supply(
        &client,
        prepared.genesis.supply()? - n as u64 * prepared.fee,
    )?;
    let elapsed = started.elapsed().as_secs_f64();
    node.stop();
    let tps = n as f64 / elapsed;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "txs": n,
                "tps": tps,
                "bound_tps": bound_tps,
                "ratio": tps / bound_tps,
                "single_verify_bound_tps": single_bound_tps,
                "verify_ms": prepared.verify_s * 1e3,
                "verify_batch_ms_per_tx": prepared.verify_batch_s * 1e3,
                "submitters": BATCH,
                "cores": cores,
                "elapsed_s": elapsed,
                "blocks": end_height - start_height,
            })
        );
    } else {
        println!(
            "{n} pre-proven private transactions through the embedded node's API, {cores} cores, \
             {BATCH} submitters"
        );
        println!("| measure | value |");
        println!("|---|---:|");
        println!("| end-to-end tps (submit to commit) | {tps:.1} |");
        println!(
            "| bound: cores / batched verify ({:.1} ms per tx in {BATCH}) | {bound_tps:.1} |",
            prepared.verify_batch_s * 1e3
        );
        println!(
            "| (cores / single verify ({:.1} ms)) | {single_bound_tps:.1} |",
            prepared.verify_s * 1e3
        );
        println!("| ratio | {:.2} |", tps / bound_tps);
        println!("| blocks | {} |", end_height - start_height);
    }
    Ok(())
}
