//! `zkpsm bench consensus`: committed transactions per second on a 4-validator CometBFT network on
//! loopback, for CometBFT's own kvstore app and for zkpsm, in the same run on the same machine,
//! with zkpsm's median commit latency and the verification bound `cores / (validators × verify)`.
//!
//! How it measures:
//! - Both networks come from `scripts/cometbft-testnet` with the same settings (and
//!   `create_empty_blocks = false`), and get transactions from 4 submitting threads per
//!   validator, each sending to its own validator, so every node is an entry point. zkpsm's
//!   submitters keep at most `window` transactions pending (sent, not committed; default 96,
//!   three full blocks): enough to fill every block, without a backlog that CometBFT rechecks
//!   after every block (`--window 0` floods instead).
//! - The sustained rate counts the transactions of the non-empty blocks after the first one (`F`)
//!   up to the last one (`L`), over the time between their commits: a block's commit time is the
//!   time in the next block's header (CometBFT's BFT time, the median of the precommit times).
//!   Ramp-up before `F`'s commit and the wait for the last commit do not enter it. With a
//!   window, `L` is the last block committed before the last transaction is sent (if that is not
//!   `F`): the window is full at both ends, so work done ahead for later blocks (CheckTx of
//!   pending transactions) is the same at the start and at the end of the timing.
//! - The verification cost (`verify_ms_per_tx`) is the CPU time (all threads of this process) of
//!   verifying one block's worth of proofs the way a block's execution does (in parallel across
//!   transactions, one thread each), divided by the transactions; also measured: one proof on
//!   one thread (as CheckTx verifies) and one alone with spartan2's parallel MSM. All before the
//!   networks start, with nothing else running in this process.
//! - The bound assumes verification is the only work: every validator verifies every proof
//!   exactly once (which the nodes' verification counters check) and the machine's cores are
//!   always busy doing it at the cheapest measured cost (inside a block or on one thread), so
//!   `bound_tps = cores / (validators × verify CPU seconds per tx)`.
//! - CPU time per committed transaction of each process (apps, CometBFT nodes, this bench) over
//!   the zkpsm load, the kernel's interrupt time and the rest of the machine's busy time (other
//!   processes: load from outside the bench shows here), and the CPU time of executing a full
//!   block whose proofs are verified, show where the cores go beyond verification.

use crate::node::prepare;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zkpsm_api::client::{Client, ClientError};
use zkpsm_app::shielded::ShieldedPool;
use zkpsm_app::{App, Block, ChainTx, Genesis, Lanes};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{SpendKeys, VerifyContext, verify_transaction};

const VALIDATORS: usize = 4;
/// Submitting threads per validator.
const SUBMITTERS_PER_VALIDATOR: usize = 4;
/// Transactions sent alone, one after another, for the idle commit latency.
const PROBES: usize = 5;

/// The repository holding `scripts/cometbft-testnet` and `.tools/bin/cometbft`.
fn repo() -> PathBuf {
    std::env::var_os("ZKPSM_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The `zkpsm` binary the testnet runs as each validator's app: `ZKPSM_BIN`, or the one built next
/// to this benchmark.
fn zkpsm_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("ZKPSM_BIN") {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()?.with_file_name("zkpsm"),
    };
    if !path.is_file() {
        bail!(
            "no zkpsm binary at {}: build it with `cargo build -p zkpsm`, or set ZKPSM_BIN",
            path.display()
        );
    }
    Ok(path)
}

fn testnet(args: &[&str], base: u16, kind: &str) -> Result<()> {
    let script = repo().join("scripts/cometbft-testnet");
    let out = Command::new(&script)
        .args(args)
        .env("ZKPSM_BIN", zkpsm_binary()?)
        .env("ZKPSM_TESTNET_BASE_PORT", base.to_string())
        .env("ZKPSM_TESTNET_APP", kind)
        .env("ZKPSM_TESTNET_EMPTY_BLOCKS", "false")
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

/// A running testnet, stopped when dropped.
struct Net {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    base: u16,
    kind: &'static str,
}

impl Net {
    fn start(base: u16, kind: &'static str, genesis: &Path) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(kind);
        let net = Self {
            _dir: dir,
            dir: path,
            base,
            kind,
        };
        let path = net.dir.to_string_lossy().into_owned();
        let size = VALIDATORS.to_string();
        testnet(
            &["init", &path, &size, &genesis.to_string_lossy()],
            base,
            kind,
        )?;
        testnet(&["start", &path], base, kind)?;
        Ok(net)
    }

    fn rpc(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.base as usize + 10 * i + 1)
    }

    fn api(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.base as usize + 10 * i + 3)
    }

    /// The pid the script recorded for `name` (`app2`, `cmt0`, ...).
    fn pid(&self, name: &str) -> Result<u32> {
        let path = self.dir.join("pids").join(name);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        text.trim()
            .parse()
            .with_context(|| format!("pid in {}", path.display()))
    }

    /// Waits until every validator's CometBFT RPC reports at least `height`.
    fn wait_height(&self, height: u64, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        for i in 0..VALIDATORS {
            while rpc_height(&self.rpc(i)) < height {
                if Instant::now() > deadline {
                    bail!(
                        "the {} network did not reach height {height}; logs in {}",
                        self.kind,
                        self.dir.join("logs").display()
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        let _ = testnet(
            &["stop", &self.dir.to_string_lossy(), "--kill"],
            self.base,
            self.kind,
        );
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

/// One block's height, header time (nanoseconds since the epoch) and transaction count.
#[derive(Clone, Copy, Debug)]
struct BlockMeta {
    height: u64,
    time_ns: i128,
    txs: usize,
}

/// The metas of blocks `from..=to` from a CometBFT RPC, in height order.
fn block_metas(rpc: &str, from: u64, to: u64) -> Result<Vec<BlockMeta>> {
    let mut metas = Vec::new();
    let mut low = from;
    while low <= to {
        // CometBFT answers at most 20 metas per call, newest first.
        let high = (low + 19).min(to);
        let answer = rpc_get(&format!(
            "{rpc}/blockchain?minHeight={low}&maxHeight={high}"
        ))?;
        let list = answer["result"]["block_metas"]
            .as_array()
            .with_context(|| format!("no block metas for {low}..={high}: {answer}"))?;
        for m in list {
            let field = |v: &serde_json::Value, what: &str| -> Result<String> {
                v.as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("block meta without {what}: {m}"))
            };
            let height: u64 = field(&m["header"]["height"], "height")?.parse()?;
            let time = tendermint::Time::parse_from_rfc3339(&field(&m["header"]["time"], "time")?)
                .map_err(|e| anyhow::anyhow!("block {height} time: {e}"))?;
            let txs: usize = field(&m["num_txs"], "num_txs")?.parse()?;
            metas.push(BlockMeta {
                height,
                time_ns: time.unix_timestamp_nanos(),
                txs,
            });
        }
        low = high + 1;
    }
    metas.sort_by_key(|m| m.height);
    Ok(metas)
}

/// The sustained rate over the load's blocks.
#[derive(Clone, Copy, Debug)]
struct Sustained {
    /// Transactions per second between the commits of the first and last non-empty blocks.
    tps: f64,
    /// Transactions counted (those of the non-empty blocks after the first).
    txs: usize,
    /// Blocks in the window.
    blocks: u64,
    /// Seconds between the two commits.
    seconds: f64,
}

/// Waits until blocks after `after` hold every transaction (`all_in` says, from their count),
/// and the block after the last non-empty one exists (its header carries the commit time), then
/// measures the sustained rate.
fn sustained(
    rpc: &str,
    after: u64,
    all_in: &dyn Fn(usize) -> bool,
    until_ns: Option<i128>,
    within: Duration,
) -> Result<Sustained> {
    let deadline = Instant::now() + within;
    let mut metas: Vec<BlockMeta> = Vec::new();
    loop {
        let top = rpc_height(rpc);
        let from = metas.last().map_or(after + 1, |m| m.height + 1);
        if top >= from {
            metas.extend(block_metas(rpc, from, top)?);
        }
        let total: usize = metas.iter().map(|m| m.txs).sum();
        let last_full = metas.iter().rposition(|m| m.txs > 0);
        if all_in(total)
            && let Some(l) = last_full
            && l + 1 < metas.len()
        {
            let f = metas
                .iter()
                .position(|m| m.txs > 0)
                .unwrap_or_else(|| unreachable!("a non-empty block exists"));
            if f == l {
                bail!(
                    "every transaction landed in block {}: no interval to measure",
                    metas[f].height
                );
            }
            // With `until_ns`, the window ends at the last block committed by then, if that
            // leaves one after the first: the pipeline is then as full at both ends.
            let l = until_ns
                .and_then(|until| {
                    (f + 1..=l)
                        .rev()
                        .find(|&k| metas[k].txs > 0 && metas[k + 1].time_ns <= until)
                })
                .unwrap_or(l);
            // Commit time of block h = header time of block h + 1.
            let seconds = (metas[l + 1].time_ns - metas[f + 1].time_ns) as f64 / 1e9;
            let txs: usize = metas[f + 1..=l].iter().map(|m| m.txs).sum();
            return Ok(Sustained {
                tps: txs as f64 / seconds,
                txs,
                blocks: (l - f) as u64,
                seconds,
            });
        }
        if Instant::now() > deadline {
            bail!("only {total} transactions committed within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// CPU time accounting from /proc, in clock ticks.
mod cpu {
    use anyhow::{Context, Result};

    /// Clock ticks per second (`getconf CLK_TCK`; Linux's usual 100 if that fails).
    pub fn ticks_per_second() -> f64 {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    }

    /// User plus system ticks of a process (all its threads, exited ones included).
    pub fn process(pid: &str) -> Result<u64> {
        let path = format!("/proc/{pid}/stat");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        // The command name is in parentheses and may hold spaces: fields count after the last ')'.
        let rest = text
            .rsplit_once(')')
            .map(|(_, r)| r)
            .with_context(|| format!("{path}: no command name"))?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // After the name: state is field 3 of stat(5); utime and stime are fields 14 and 15.
        let field = |n: usize| -> Result<u64> {
            fields
                .get(n - 3)
                .with_context(|| format!("{path}: no field {n}"))?
                .parse()
                .with_context(|| format!("{path}: field {n}"))
        };
        Ok(field(14)? + field(15)?)
    }

    /// Busy ticks of the whole machine (all CPUs, everything but idle and iowait), and of those
    /// the interrupt handlers' (irq and softirq: loopback networking's receive side, mostly).
    pub fn machine() -> Result<(u64, u64)> {
        let text = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
        let line = text.lines().next().context("/proc/stat is empty")?;
        let values: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        let at = |i: usize| values.get(i).copied().unwrap_or(0);
        let total: u64 = values.iter().sum();
        Ok((total - at(3) - at(4), at(5) + at(6)))
    }
}

/// The cost of verification, measured in this process before the networks start.
struct VerifyCost {
    /// CPU seconds per transaction when a block's worth is verified as a block's execution does.
    cpu_s_per_tx: f64,
    /// Wall seconds per transaction in the same measurement.
    wall_s_per_tx: f64,
    /// Median wall time of one verification alone.
    single_wall_s: f64,
    /// CPU seconds of one verification alone (the mean of the same runs).
    single_cpu_s: f64,
    /// CPU seconds of one verification on one thread (in a lane, as CheckTx runs it).
    lane_cpu_s: f64,
    /// Transactions verified in the block measurement.
    txs: usize,
    /// CPU seconds per transaction of executing and committing a full block whose proofs are
    /// already verified (the indexed-tree inserts, the step witness, redb).
    execute_cpu_s_per_tx: f64,
}

fn verify_cost(
    keys: &Arc<SpendKeys>,
    genesis: &Genesis,
    txs: &[Vec<u8>],
    block: usize,
) -> Result<VerifyCost> {
    let chain = genesis.chain_id.as_str();
    let decoded: Vec<Transaction> = txs
        .iter()
        .map(|bytes| match ChainTx::decode(bytes) {
            Ok(ChainTx::Shielded(tx)) => Ok(*tx),
            Ok(_) => bail!("a prepared transaction is not shielded"),
            Err(e) => Err(e.into()),
        })
        .collect::<Result<_>>()?;
    let context = VerifyContext {
        chain_id: chain.into(),
        height: 1,
    };
    let me = std::process::id().to_string();
    let ticks = cpu::ticks_per_second();
    let mut samples = Vec::new();
    let cpu0 = cpu::process(&me)?;
    for tx in decoded.iter().take(7) {
        let t = Instant::now();
        verify_transaction(keys, tx, &context)?;
        samples.push(t.elapsed().as_secs_f64());
    }
    let single_cpu_s = (cpu::process(&me)? - cpu0) as f64 / ticks / samples.len() as f64;
    let lane = Lanes::new(1);
    let cpu0 = cpu::process(&me)?;
    let in_lane = decoded.iter().skip(7).take(7).collect::<Vec<_>>();
    lane.run(|| {
        in_lane
            .iter()
            .try_for_each(|tx| verify_transaction(keys, tx, &context).map(drop))
    })?;
    let lane_cpu_s = (cpu::process(&me)? - cpu0) as f64 / ticks / in_lane.len() as f64;
    samples.sort_by(f64::total_cmp);
    let single_wall_s = samples[samples.len() / 2];

    // Blocks of `block` transactions, each through a fresh pool (no cache), as execution does.
    let rounds = (decoded.len() / block).clamp(1, 3);
    let measured: Vec<&Transaction> = decoded.iter().take(rounds * block).collect();
    let (cpu0, wall0) = (cpu::process(&me)?, Instant::now());
    for chunk in measured.chunks(block) {
        let pool = ShieldedPool::new(keys.clone());
        pool.verify_all(chunk, chain, 1)?;
        if pool.verifications() != chunk.len() as u64 {
            bail!(
                "{} verifications for {} proofs",
                pool.verifications(),
                chunk.len()
            );
        }
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = (cpu::process(&me)? - cpu0) as f64 / ticks;

    // Execution beyond verification: a full first block on a fresh state, proofs checked first.
    let dir = tempfile::tempdir()?;
    let app = App::open(
        &dir.path().join("state.redb"),
        genesis.clone(),
        keys.clone(),
        Vec::new(),
    )?;
    let first = Block {
        chain_id: chain.into(),
        height: 1,
        txs: txs.iter().take(block).cloned().collect(),
    };
    for tx in &first.txs {
        app.check_tx(tx)?;
    }
    let cpu1 = cpu::process(&me)?;
    app.execute(&first)?.commit()?;
    let execute_cpu = (cpu::process(&me)? - cpu1) as f64 / ticks;
    Ok(VerifyCost {
        cpu_s_per_tx: cpu / measured.len() as f64,
        wall_s_per_tx: wall / measured.len() as f64,
        single_wall_s,
        single_cpu_s,
        lane_cpu_s,
        txs: measured.len(),
        execute_cpu_s_per_tx: execute_cpu / first.txs.len() as f64,
    })
}

/// Submits one transaction, retrying transport failures and timeouts a few times (the API's
/// own, or its CometBFT's, code 106). A retried transaction may have arrived the first time:
/// CometBFT then answers that it has it (code 105), which counts as submitted.
fn submit_with_retries(client: &Client, tx: &[u8]) -> Result<()> {
    let mut tries = 0u64;
    loop {
        let retry = match client.submit(tx) {
            Ok(_) => return Ok(()),
            Err(ClientError::Refused(e)) if e.code == 105 && tries > 0 => return Ok(()),
            Err(e @ ClientError::Unreachable { .. }) => e,
            Err(ClientError::Refused(e)) if e.code == 106 => ClientError::Refused(e),
            Err(e) => return Err(e.into()),
        };
        if tries >= 5 {
            return Err(retry.into());
        }
        tries += 1;
        std::thread::sleep(Duration::from_millis(200 * tries));
    }
}

/// Sends `txs` from `SUBMITTERS_PER_VALIDATOR` threads per validator, each to its own validator's
/// API, taking the next transaction as soon as the last one passed CheckTx, while fewer than
/// `window` are sent and not committed (0: no limit); `supply` is node 0's supply before the
/// first (each transaction burns `fee`). Returns the time each transaction was sent.
fn submit_spread(
    net: &Net,
    txs: &[Vec<u8>],
    window: usize,
    supply: u64,
    fee: u64,
) -> Result<Vec<SystemTime>> {
    let next = AtomicUsize::new(0);
    let committed = AtomicUsize::new(0);
    let done = std::sync::atomic::AtomicBool::new(false);
    let sent = Mutex::new(vec![UNIX_EPOCH; txs.len()]);
    std::thread::scope(|scope| -> Result<()> {
        if window > 0 {
            let (committed, done, api) = (&committed, &done, net.api(0));
            scope.spawn(move || {
                let client = Client::new(&api);
                while !done.load(Ordering::Relaxed) {
                    if let Ok(s) = client.status() {
                        committed.store(
                            (supply.saturating_sub(s.supply) / fee.max(1)) as usize,
                            Ordering::Relaxed,
                        );
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
        }
        let workers: Vec<_> = (0..VALIDATORS * SUBMITTERS_PER_VALIDATOR)
            .map(|t| {
                let (next, sent, api) = (&next, &sent, net.api(t % VALIDATORS));
                let committed = &committed;
                scope.spawn(move || -> Result<()> {
                    let client = Client::new(&api);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(tx) = txs.get(i) else {
                            return Ok(());
                        };
                        while window > 0 && i >= committed.load(Ordering::Relaxed) + window {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        let at = SystemTime::now();
                        submit_with_retries(&client, tx)
                            .with_context(|| format!("submitting transaction {i} to {api}"))?;
                        if let Ok(mut s) = sent.lock() {
                            s[i] = at;
                        }
                    }
                })
            })
            .collect();
        let result = crate::threads::join_all(workers, "submitter");
        done.store(true, Ordering::Relaxed);
        result
    })?;
    sent.into_inner()
        .map_err(|_| anyhow::anyhow!("a submitter panicked"))
}

/// kvstore: distinct key=value transactions sent for `seconds` from 4 threads per validator.
fn kvstore(genesis: &Path, seconds: f64) -> Result<(Sustained, usize)> {
    let net = Net::start(27500, "kvstore", genesis)?;
    net.wait_height(1, Duration::from_secs(60))?;
    let start_height = rpc_height(&net.rpc(0));
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let accepted = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for t in 0..VALIDATORS * SUBMITTERS_PER_VALIDATOR {
            let (rpc, accepted) = (net.rpc(t % VALIDATORS), &accepted);
            scope.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                let mut i = 0u64;
                while Instant::now() < until {
                    let tx = hex::encode(format!("bench-{t}-{i}=v{i}"));
                    let ok = agent
                        .get(&format!("{rpc}/broadcast_tx_sync?tx=0x{tx}"))
                        .call()
                        .ok()
                        .and_then(|mut r| r.body_mut().read_to_string().ok())
                        .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                        .is_some_and(|v| v["result"]["code"] == 0);
                    if ok {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    i += 1;
                }
            });
        }
    });
    // CometBFT may drop a transaction that passed CheckTx when its mempool is full (5,000), so
    // the committed ones are counted from the blocks, once node 0's mempool is empty.
    let rpc = net.rpc(0);
    let mempool_empty = |_: usize| {
        rpc_get(&format!("{rpc}/num_unconfirmed_txs"))
            .ok()
            .is_some_and(|v| v["result"]["total"] == "0")
    };
    let rate = sustained(
        &rpc,
        start_height,
        &mempool_empty,
        None,
        Duration::from_secs(120),
    )?;
    Ok((rate, accepted.into_inner()))
}

/// CPU ticks of the network's processes, this process and the machine.
struct CpuSnapshot {
    apps: Vec<u64>,
    cometbft: Vec<u64>,
    bench: u64,
    machine: u64,
    interrupts: u64,
}

fn snapshot(net: &Net) -> Result<CpuSnapshot> {
    let of = |prefix: &str| -> Result<Vec<u64>> {
        (0..VALIDATORS)
            .map(|i| cpu::process(&net.pid(&format!("{prefix}{i}"))?.to_string()))
            .collect()
    };
    let (machine, interrupts) = cpu::machine()?;
    Ok(CpuSnapshot {
        apps: of("app")?,
        cometbft: of("cmt")?,
        bench: cpu::process(&std::process::id().to_string())?,
        machine,
        interrupts,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Runs the benchmark: `n` zkpsm transactions (proven first), at most `window` of them pending
/// (sent, not committed; 0: no limit), and kvstore for `kv_seconds`.
pub fn run(n: usize, window: usize, kv_seconds: f64, json: bool) -> Result<()> {
    let cometbft = repo().join(".tools/bin/cometbft");
    if !cometbft.exists() {
        bail!(
            "CometBFT is missing at {}: run scripts/install-cometbft",
            cometbft.display()
        );
    }
    if n < PROBES + 2 * 32 {
        bail!("--txs must be at least {}", PROBES + 2 * 32);
    }
    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(1);
    let home = tempfile::tempdir()?;
    let chain = "zkpsm-bench";
    let prepared = prepare(
        home.path(),
        chain,
        n,
        1000,
        zkpsm_app::ConsensusParams::default().max_txs_per_block,
    )?;
    let genesis_path = home.path().join("genesis.json");
    let block = prepared.genesis.params.max_txs_per_block as usize;
    let keys = SpendKeys::shared()?;
    eprintln!("verification cost: blocks of {block} proofs");
    let cost = verify_cost(&keys, &prepared.genesis, &prepared.txs, block)?;
    let bound_verify_s = cost.cpu_s_per_tx.min(cost.lane_cpu_s);
    let bound_tps = cores as f64 / (VALIDATORS as f64 * bound_verify_s);

    eprintln!("kvstore: {kv_seconds} s of transactions on {VALIDATORS} validators");
    let (kv, kv_accepted) = kvstore(&genesis_path, kv_seconds)?;

    eprintln!("zkpsm: {n} transactions on {VALIDATORS} validators");
    let net = Net::start(27600, "zkpsm", &genesis_path)?;
    let clients: Vec<Client> = (0..VALIDATORS).map(|i| Client::new(&net.api(i))).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    for c in &clients {
        while c.status().map(|s| s.height).unwrap_or(0) < 2 {
            if Instant::now() > deadline {
                bail!(
                    "the zkpsm network did not start; logs in {}",
                    net.dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    // Idle latency: one transaction alone, submit to commit at its entry node, several times.
    let (probe_txs, load_txs) = prepared.txs.split_at(PROBES);
    let mut latencies = Vec::new();
    let mut supply = prepared.genesis.supply()?;
    for tx in probe_txs {
        let t = Instant::now();
        clients[0].submit(tx)?;
        supply -= prepared.fee;
        while clients[0].status()?.supply != supply {
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let latency_ms = median(latencies);
    // Every validator has verified the probes: wait for the slowest, then start counting.
    for c in &clients {
        while c.status()?.supply != supply {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let verified_before: Vec<u64> = clients
        .iter()
        .map(|c| Ok(c.status()?.proof_verifications))
        .collect::<Result<_>>()?;

    // Load: every transaction, from every validator's API at once.
    let start_height = rpc_height(&net.rpc(0));
    let cpu_before = snapshot(&net)?;
    let started = Instant::now();
    let sent = submit_spread(&net, load_txs, window, supply, prepared.fee)?;
    supply -= load_txs.len() as u64 * prepared.fee;
    let deadline = Instant::now() + Duration::from_secs(900);
    for c in &clients {
        while c.status()?.supply != supply {
            if Instant::now() > deadline {
                bail!(
                    "zkpsm transactions did not all commit; logs in {}",
                    net.dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let end_to_end_s = started.elapsed().as_secs_f64();
    let cpu_after = snapshot(&net)?;
    let rate = sustained(
        &net.rpc(0),
        start_height,
        &|total| total >= load_txs.len(),
        // Windowed, the timing ends when the last transaction is sent: up to then the window
        // stays full.
        (window > 0)
            .then(|| sent.iter().max().copied())
            .flatten()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i128),
        Duration::from_secs(60),
    )?;
    // The same from the first to the last non-empty block (ramp-up work for later blocks done
    // before the first commit makes this one read high).
    let first_to_last = sustained(
        &net.rpc(0),
        start_height,
        &|total| total >= load_txs.len(),
        None,
        Duration::from_secs(60),
    )?;
    let verifications: Vec<u64> = clients
        .iter()
        .zip(&verified_before)
        .map(|(c, before)| Ok(c.status()?.proof_verifications - before))
        .collect::<Result<_>>()?;

    // Latency under load: a transaction's send time to its block's commit (the next header's time).
    let metas = block_metas(&net.rpc(0), start_height + 1, rpc_height(&net.rpc(0)))?;
    let first_sent = sent.iter().min().copied().unwrap_or(UNIX_EPOCH);
    let since = |ns: i128| {
        (ns - first_sent
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128)) as f64
            / 1e9
    };
    for pair in metas.windows(2).filter(|p| p[0].txs > 0) {
        eprintln!(
            "block {}: {} txs, committed at {:.2} s",
            pair[0].height,
            pair[0].txs,
            since(pair[1].time_ns)
        );
    }
    let mut commit_ns = std::collections::BTreeMap::new();
    for pair in metas.windows(2) {
        commit_ns.insert(pair[0].height, pair[1].time_ns);
    }
    let mut included = std::collections::BTreeMap::new();
    for m in metas.iter().filter(|m| m.txs > 0) {
        for id in clients[0].block(m.height)?.txids {
            included.insert(id, m.height);
        }
    }
    let mut loaded = Vec::new();
    for (tx, at) in load_txs.iter().zip(&sent) {
        let id = ChainTx::decode(tx)?.id().to_string();
        let sent_ns = at.duration_since(UNIX_EPOCH)?.as_nanos() as i128;
        if let Some(done) = included.get(&id).and_then(|h| commit_ns.get(h)) {
            loaded.push((done - sent_ns) as f64 / 1e6);
        }
    }
    let loaded_latency_ms = median(loaded);
    drop(net);

    let ticks = cpu::ticks_per_second();
    let committed = load_txs.len() as f64;
    let per_tx = |before: u64, after: u64| (after - before) as f64 / ticks * 1e3 / committed;
    let app_ms: Vec<f64> = cpu_before
        .apps
        .iter()
        .zip(&cpu_after.apps)
        .map(|(b, a)| per_tx(*b, *a))
        .collect();
    let cometbft_ms: Vec<f64> = cpu_before
        .cometbft
        .iter()
        .zip(&cpu_after.cometbft)
        .map(|(b, a)| per_tx(*b, *a))
        .collect();
    let bench_ms = per_tx(cpu_before.bench, cpu_after.bench);
    let machine_ms = per_tx(cpu_before.machine, cpu_after.machine);
    let interrupts_ms = per_tx(cpu_before.interrupts, cpu_after.interrupts);
    let other_ms = machine_ms
        - interrupts_ms
        - app_ms.iter().sum::<f64>()
        - cometbft_ms.iter().sum::<f64>()
        - bench_ms;
    let busy = machine_ms * committed / 1e3 / (end_to_end_s * cores as f64);
    let per_committed: Vec<f64> = verifications
        .iter()
        .map(|v| *v as f64 / committed)
        .collect();
    let verify_ms = cost.cpu_s_per_tx * 1e3;
    let zkpsm_tps = rate.tps;
    let ratio = zkpsm_tps / bound_tps;
    let assumes = format!(
        "{cores} cores / ({VALIDATORS} validators x {:.1} ms CPU per verification, the cheaper of \
         inside a block and on one thread): every validator verifies every proof once and does \
         nothing else",
        bound_verify_s * 1e3
    );
    if json {
        println!(
            "{}",
            serde_json::json!({
                "txs": load_txs.len(),
                "window": window,
                "validators": VALIDATORS,
                "cores": cores,
                "zkpsm_tps": zkpsm_tps,
                "zkpsm_tps_end_to_end": committed / end_to_end_s,
                "zkpsm_tps_first_to_last_block": first_to_last.tps,
                "zkpsm_timed_txs": rate.txs,
                "zkpsm_timed_blocks": rate.blocks,
                "zkpsm_timed_s": rate.seconds,
                "kvstore_tps": kv.tps,
                "kvstore_txs_timed": kv.txs,
                "kvstore_txs_accepted": kv_accepted,
                "kvstore_timed_blocks": kv.blocks,
                "bound_tps": bound_tps,
                "bound_assumes": assumes,
                "ratio_to_bound": ratio,
                "median_commit_latency_ms": latency_ms,
                "median_commit_latency_loaded_ms": loaded_latency_ms,
                "verify_ms_per_tx": verify_ms,
                "verify_wall_ms_per_tx_in_block": cost.wall_s_per_tx * 1e3,
                "verify_wall_ms_single": cost.single_wall_s * 1e3,
                "verify_cpu_ms_single": cost.single_cpu_s * 1e3,
                "verify_cpu_ms_one_thread": cost.lane_cpu_s * 1e3,
                "execute_ms_per_tx": cost.execute_cpu_s_per_tx * 1e3,
                "verify_measured_txs": cost.txs,
                "verifications_per_committed_tx": per_committed,
                "cpu_ms_per_tx": {
                    "apps": app_ms,
                    "cometbft": cometbft_ms,
                    "bench": bench_ms,
                    "interrupts": interrupts_ms,
                    "other": other_ms,
                },
                "machine_busy": busy,
            })
        );
    } else {
        let list = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{VALIDATORS} validators on loopback, {cores} cores; zkpsm: {} transactions, {} \
             submitting threads per validator, at most {} pending",
            load_txs.len(),
            SUBMITTERS_PER_VALIDATOR,
            if window == 0 {
                "any number".to_owned()
            } else {
                window.to_string()
            }
        );
        println!("| measure | value |");
        println!("|---|---:|");
        println!(
            "| kvstore committed tps (sustained, {} blocks) | {:.1} |",
            kv.blocks, kv.tps
        );
        println!(
            "| zkpsm committed tps (steady: {} txs in {} blocks over {:.1} s, window full) | {zkpsm_tps:.1} |",
            rate.txs, rate.blocks, rate.seconds
        );
        println!(
            "| zkpsm from the first to the last non-empty block | {:.1} |",
            first_to_last.tps
        );
        println!(
            "| zkpsm end to end (first submission to last commit) | {:.1} |",
            committed / end_to_end_s
        );
        println!("| bound: {assumes} | {bound_tps:.1} |");
        println!("| zkpsm / bound | {ratio:.2} |");
        println!("| zkpsm median commit latency, idle | {latency_ms:.0} ms |");
        println!("| zkpsm median commit latency, under load | {loaded_latency_ms:.0} ms |");
        println!(
            "| verification CPU per transaction inside a block (batched) | {verify_ms:.1} ms |"
        );
        println!(
            "| one verification alone: wall / CPU time | {:.1} / {:.1} ms |",
            cost.single_wall_s * 1e3,
            cost.single_cpu_s * 1e3
        );
        println!(
            "| one verification on one thread (as CheckTx runs it): CPU time | {:.1} ms |",
            cost.lane_cpu_s * 1e3
        );
        println!(
            "| executing a full block, verified proofs: CPU per transaction | {:.1} ms |",
            cost.execute_cpu_s_per_tx * 1e3
        );
        println!(
            "| verifications per committed tx, per validator | {} |",
            list(&per_committed)
        );
        println!("| app CPU ms per tx, per validator | {} |", list(&app_ms));
        println!(
            "| CometBFT CPU ms per tx, per validator | {} |",
            list(&cometbft_ms)
        );
        println!(
            "| bench / interrupts / rest of machine CPU ms per tx | {bench_ms:.1} / \
             {interrupts_ms:.1} / {other_ms:.1} |"
        );
        println!("| machine busy during the load | {:.0}% |", busy * 100.0);
    }
    if let Some((i, v)) = verifications
        .iter()
        .enumerate()
        .find(|(_, v)| **v != load_txs.len() as u64)
    {
        bail!(
            "validator {i} verified {v} proofs for {} committed transactions (expected one each)",
            load_txs.len()
        );
    }
    Ok(())
}
