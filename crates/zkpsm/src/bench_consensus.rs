//! `zkpsm bench consensus`: committed transactions per second on a 4-validator CometBFT network on
//! loopback, for CometBFT's own kvstore app and for zkpsm, in the same run on the same machine,
//! with zkpsm's median commit latency and the verification bound `cores / (validators × verify)`.

use crate::bench_node::{prepare, submit_all};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;

const VALIDATORS: usize = 4;

/// The repository holding `scripts/cometbft-testnet` and `.tools/bin/cometbft`.
fn repo() -> PathBuf {
    std::env::var_os("ZKPSM_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

fn testnet(args: &[&str], base: u16, kind: &str) -> Result<()> {
    let script = repo().join("scripts/cometbft-testnet");
    let out = Command::new(&script)
        .args(args)
        .env("ZKPSM_BIN", std::env::current_exe()?)
        .env("ZKPSM_TESTNET_BASE_PORT", base.to_string())
        .env("ZKPSM_TESTNET_APP", kind)
        .output()
        .with_context(|| format!("running {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "{} {args:?}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Stops a testnet when dropped.
struct Net {
    dir: String,
    base: u16,
    kind: &'static str,
}

impl Drop for Net {
    fn drop(&mut self) {
        let _ = testnet(&["stop", &self.dir, "--kill"], self.base, self.kind);
    }
}

fn rpc_get(url: &str) -> Result<serde_json::Value> {
    let body = ureq::get(url).call()?.body_mut().read_to_string()?;
    Ok(serde_json::from_str(&body)?)
}

fn rpc_height(rpc: &str) -> u64 {
    rpc_get(&format!("{rpc}/status"))
        .ok()
        .and_then(|v| {
            v["result"]["sync_info"]["latest_block_height"]
                .as_str()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Transactions committed in blocks `from..=to` of a CometBFT node.
fn committed_txs(rpc: &str, from: u64, to: u64) -> Result<usize> {
    let mut total = 0;
    for h in from..=to {
        let block = rpc_get(&format!("{rpc}/block?height={h}"))?;
        total += block["result"]["block"]["data"]["txs"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
    }
    Ok(total)
}

/// kvstore: `n` distinct key=value transactions, sent from `threads` threads.
fn kvstore_tps(genesis: &Path, n: usize, threads: usize) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("kv").to_string_lossy().into_owned();
    let base = 27500;
    testnet(
        &[
            "init",
            &path,
            &VALIDATORS.to_string(),
            &genesis.to_string_lossy(),
        ],
        base,
        "kvstore",
    )?;
    testnet(&["start", &path], base, "kvstore")?;
    let _net = Net {
        dir: path,
        base,
        kind: "kvstore",
    };
    let rpc = format!("http://127.0.0.1:{}", base + 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while rpc_height(&rpc) < 2 {
        if Instant::now() > deadline {
            bail!("the kvstore network did not start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let start_height = rpc_height(&rpc);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let rpc = rpc.clone();
            scope.spawn(move || {
                for i in (t..n).step_by(threads) {
                    let _ = ureq::get(&format!(
                        "{rpc}/broadcast_tx_sync?tx=0x{}",
                        hex::encode(format!("bench{i}=v{i}"))
                    ))
                    .call();
                }
            });
        }
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let h = rpc_height(&rpc);
        if committed_txs(&rpc, start_height + 1, h)? >= n {
            return Ok(n as f64 / started.elapsed().as_secs_f64());
        }
        if Instant::now() > deadline {
            bail!("kvstore transactions did not all commit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs the benchmark.
pub fn run(n: usize, json: bool) -> Result<()> {
    let cometbft = repo().join(".tools/bin/cometbft");
    if !cometbft.exists() {
        bail!(
            "CometBFT is missing at {}: run scripts/install-cometbft",
            cometbft.display()
        );
    }
    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(1);
    let home = tempfile::tempdir()?;
    let prepared = prepare(home.path(), "zkpsm-bench", n, 1000)?;
    let genesis_path = home.path().join("genesis.json");

    eprintln!("kvstore: {n} transactions on {VALIDATORS} validators");
    let kvstore_tps = kvstore_tps(&genesis_path, n, cores)?;

    eprintln!("zkpsm: {n} transactions on {VALIDATORS} validators");
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("zk").to_string_lossy().into_owned();
    let base = 27600;
    testnet(
        &[
            "init",
            &path,
            &VALIDATORS.to_string(),
            &genesis_path.to_string_lossy(),
        ],
        base,
        "zkpsm",
    )?;
    testnet(&["start", &path], base, "zkpsm")?;
    let _net = Net {
        dir: path,
        base,
        kind: "zkpsm",
    };
    let api = format!("http://127.0.0.1:{}", base + 3);
    let client = Client::new(&api);
    let deadline = Instant::now() + Duration::from_secs(120);
    while client.status().map(|s| s.height).unwrap_or(0) < 2 {
        if Instant::now() > deadline {
            bail!("the zkpsm network did not start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Latency: one transaction alone, submit to commit, several times (median).
    let probes = 5.min(n / 2);
    let (probe_txs, load_txs) = prepared.txs.split_at(probes);
    let mut latencies = Vec::new();
    let mut supply = prepared.genesis.supply()?;
    for tx in probe_txs {
        let t = Instant::now();
        client.submit(tx)?;
        supply -= 1;
        while client.status()?.supply != supply {
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
    }
    latencies.sort_by(f64::total_cmp);
    let latency_ms = latencies[latencies.len() / 2];
    // Throughput: the rest at once.
    let started = Instant::now();
    submit_all(&api, load_txs, cores)?;
    supply -= load_txs.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(600);
    while client.status()?.supply != supply {
        if Instant::now() > deadline {
            bail!("zkpsm transactions did not all commit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let zkpsm_tps = load_txs.len() as f64 / started.elapsed().as_secs_f64();
    let bound_tps = cores as f64 / (VALIDATORS as f64 * prepared.verify_s);
    let verify_ms = prepared.verify_s * 1e3;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "txs": n,
                "validators": VALIDATORS,
                "cores": cores,
                "zkpsm_tps": zkpsm_tps,
                "kvstore_tps": kvstore_tps,
                "bound_tps": bound_tps,
                "ratio_to_bound": zkpsm_tps / bound_tps,
                "median_commit_latency_ms": latency_ms,
                "verify_ms_per_tx": verify_ms,
            })
        );
    } else {
        println!("{VALIDATORS} validators on loopback, {cores} cores, {n} transactions each");
        println!("| measure | value |");
        println!("|---|---:|");
        println!("| kvstore committed tps | {kvstore_tps:.1} |");
        println!("| zkpsm committed tps | {zkpsm_tps:.1} |");
        println!("| bound: cores / ({VALIDATORS} x {verify_ms:.1} ms verify) | {bound_tps:.1} |");
        println!("| zkpsm / bound | {:.2} |", zkpsm_tps / bound_tps);
        println!("| zkpsm median commit latency | {latency_ms:.0} ms |");
        println!("| verification per transaction (unbatched) | {verify_ms:.1} ms |");
    }
    Ok(())
}
