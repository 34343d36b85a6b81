//! `zkpsm bench soak`: pre-proven transactions pushed through an embedded node at a steady rate
//! for some minutes while queries run beside them. It reports committed against submitted (all
//! must commit, else the bench fails), the process's resident memory (the node runs in it) and
//! the size of the node's state file at the start and the end, and the p50 and p99 latency from
//! submission to commit.
//!
//! Every transaction is proven ahead against the genesis anchor, which stays valid for the ring's
//! 256 blocks: the block interval is set so that the run makes at most 200 blocks, and the block
//! capacity so that a block holds twice what arrives in one interval.

use crate::node::{prepare, wait_supply};
use crate::threads::join_all;
use crate::tx::median_ms;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_node::node::{Consensus, start};

/// Most blocks a run makes, below the anchor ring's 256 slots.
const MAX_BLOCKS: u64 = 200;

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

/// The process's resident memory in MiB, from `/proc/self/status`.
fn resident_mib() -> Result<f64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc/self/status")?;
    Ok(kib / 1024.0)
}

/// The latency at quantile `q` of sorted `samples`, in ms.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// Runs the soak for `minutes` at `tps` transactions per second.
pub fn run(minutes: f64, tps: f64, json: bool) -> Result<()> {
    if !(minutes > 0.0 && tps > 0.0) {
        bail!("--minutes and --tps must be above 0");
    }
    let seconds = minutes * 60.0;
    let n = (seconds * tps).ceil() as usize;
    let interval_ms = ((seconds * 1e3 / MAX_BLOCKS as f64).ceil() as u64).max(50);
    let capacity = ((tps * interval_ms as f64 / 1e3 * 2.0).ceil() as u32).max(32);
    eprintln!(
        "zkpsm: proving {n} transactions ahead ({tps} tps for {minutes} min; blocks every \
         {interval_ms} ms, at most {capacity} transactions each)"
    );
    let home = tempfile::tempdir()?;
    let prepared = prepare(home.path(), "zkpsm-soak", n.max(8), interval_ms, capacity)?;
    let node = start(home.path(), None, Consensus::Embedded, None)?;
    let client = Client::new(&node.url);
    let state_file = home.path().join("state.redb");
    let state_mib = || -> Result<f64> { Ok(std::fs::metadata(&state_file)?.len() as f64 / MIB) };
    let memory_start = resident_mib()?;
    let state_start = state_mib()?;
    let submitted_at: Mutex<BTreeMap<String, Instant>> = Mutex::new(BTreeMap::new());
    let committed_at: Mutex<BTreeMap<String, Instant>> = Mutex::new(BTreeMap::new());
    let done = AtomicBool::new(false);
    let queries = std::sync::atomic::AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        // Commits: every new block's transaction ids, stamped when seen.
        let watcher = scope.spawn(|| -> Result<()> {
            let client = Client::new(&node.url);
            let mut seen = client.status()?.height;
            while !done.load(Ordering::SeqCst) {
                let head = client.status()?.height;
                for height in seen + 1..=head {
                    let now = Instant::now();
                    let block = client.block(height)?;
                    let mut committed = committed_at.lock().expect("not poisoned");
                    for txid in block.txids {
                        committed.entry(txid).or_insert(now);
                    }
                }
                seen = head;
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(())
        });
        // Queries beside: status, the latest block, a page of outputs and of nullifiers.
        let querier = scope.spawn(|| -> Result<()> {
            let client = Client::new(&node.url);
            while !done.load(Ordering::SeqCst) {
                let head = client.status()?.height;
                if head > 0 {
                    client.block(head)?;
                }
                client.outputs(0, 100)?;
                client.nullifiers(0, 0, 100)?;
                queries.fetch_add(4, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        });
        // Submissions at the rate, from four threads (a submission verifies a proof).
        let submitters = 4;
        let workers: Vec<_> = (0..submitters)
            .map(|k| {
                let (txs, submitted_at, url) = (&prepared.txs, &submitted_at, node.url.clone());
                scope.spawn(move || -> Result<()> {
                    let client = Client::new(&url);
                    for (i, tx) in txs.iter().enumerate().skip(k).step_by(submitters) {
                        let due = started + Duration::from_secs_f64(i as f64 / tps);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let sent = Instant::now();
                        let txid = client.submit(tx)?.txid;
                        submitted_at
                            .lock()
                            .expect("not poisoned")
                            .insert(txid, sent);
                        if i % 100 == 0 {
                            eprintln!(
                                "zkpsm: submitted {i}/{} after {:.0} s",
                                txs.len(),
                                sent.duration_since(started).as_secs_f64()
                            );
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        let mut result = join_all(workers, "submitter");
        if result.is_ok() {
            result = wait_supply(
                &client,
                prepared.genesis.supply()? - prepared.txs.len() as u64 * prepared.fee,
            )
            .map(|_| ());
        }
        // The watcher sees the last block before it stops.
        std::thread::sleep(Duration::from_millis(200));
        done.store(true, Ordering::SeqCst);
        result.and(join_all([watcher, querier], "helper thread"))
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let memory_end = resident_mib()?;
    let state_end = state_mib()?;
    let blocks = client.status()?.height;
    node.stop();
    let submitted = submitted_at.into_inner().expect("not poisoned");
    let committed = committed_at.into_inner().expect("not poisoned");
    let mut latencies: Vec<Duration> = submitted
        .iter()
        .filter_map(|(txid, sent)| committed.get(txid).map(|c| c.duration_since(*sent)))
        .collect();
    if latencies.len() != submitted.len() || submitted.len() != prepared.txs.len() {
        bail!(
            "{} transactions prepared, {} submitted, {} of them seen committed",
            prepared.txs.len(),
            submitted.len(),
            latencies.len()
        );
    }
    latencies.sort();
    let p50 = median_ms(&latencies);
    let p99 = quantile_ms(&latencies, 0.99);
    let queries = queries.into_inner();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "minutes": minutes,
                "target_tps": tps,
                "tps": submitted.len() as f64 / elapsed,
                "submitted": submitted.len(),
                "committed": latencies.len(),
                "blocks": blocks,
                "queries": queries,
                "memory_start_mib": memory_start,
                "memory_end_mib": memory_end,
                "state_file_start_mib": state_start,
                "state_file_end_mib": state_end,
                "latency_p50_ms": p50,
                "latency_p99_ms": p99,
                "elapsed_s": elapsed,
            })
        );
    } else {
        println!(
            "soak: {} transactions at {tps} tps for {minutes} min through an embedded node, \
             {queries} queries beside",
            submitted.len()
        );
        println!("| measure | value |");
        println!("|---|---:|");
        println!("| submitted | {} |", submitted.len());
        println!("| committed | {} |", latencies.len());
        println!("| blocks | {blocks} |");
        println!("| resident memory at start (MiB) | {memory_start:.1} |");
        println!("| resident memory at end (MiB) | {memory_end:.1} |");
        println!("| state file at start (MiB) | {state_start:.1} |");
        println!("| state file at end (MiB) | {state_end:.1} |");
        println!("| commit latency p50 (ms) | {p50:.0} |");
        println!("| commit latency p99 (ms) | {p99:.0} |");
    }
    Ok(())
}
