//! `zkpsm init` and `zkpsm start`: a node home with its genesis and configuration, run in
//! embedded mode (the sequencer and the API in one process).

use crate::da_layer::DaConfig;
use crate::publish::{self, CommitSource};
use crate::server::Backend;
pub use crate::server::HttpLimits;
use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use zkpsm_app::chain_prover::{self, ChainProverConfig};
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{App, ConsensusParams, Genesis};
use zkpsm_consensus::abci::AbciApp;
use zkpsm_consensus::forward::Forwarder;
use zkpsm_consensus::{AdmissionConfig, Node, ProofAdmission};
use zkpsm_primitives::sequencer::SequencerKey;
use zkpsm_proofs::SpendKeys;

/// The node's configuration file in its home.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeConfig {
    /// Where the API listens.
    pub api_addr: String,
    /// Milliseconds between blocks.
    pub block_interval_ms: u64,
    /// Whether the sequencer makes blocks while the mempool is empty.
    #[serde(default = "default_empty_blocks")]
    pub empty_blocks: bool,
    /// Where blocks and chain proofs are published.
    #[serde(default)]
    pub da: DaConfig,
    /// Limits on the API's connections and requests.
    #[serde(default)]
    pub http: HttpLimits,
}

fn default_empty_blocks() -> bool {
    true
}

/// The default API address.
pub const DEFAULT_API: &str = "127.0.0.1:26680";

/// Milliseconds between blocks unless a full block waits (the embedded sequencer closes a block
/// at its interval or at its capacity, whichever comes first).
pub const DEFAULT_BLOCK_INTERVAL_MS: u64 = 1000;

/// `~/.zkpsm` unless given.
pub fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".zkpsm")
}

/// Parses `ADDRESS:AMOUNT`.
pub fn parse_fund(s: &str) -> Result<Allocation> {
    let (address, amount) = s
        .rsplit_once(':')
        .ok_or_else(|| anyhow!("--fund takes ADDRESS:AMOUNT, got '{s}'"))?;
    address
        .parse::<zkpsm_primitives::keys::Address>()
        .map_err(|e| anyhow!("--fund {address}: {e}"))?;
    let amount = amount
        .parse()
        .map_err(|_| anyhow!("--fund amount '{amount}' is not a whole number"))?;
    Ok(Allocation {
        address: address.to_owned(),
        amount,
    })
}

/// The embedded sequencer's secret key in a node home (hex, mode 0600).
const SEQUENCER_KEY_FILE: &str = "sequencer_key";

/// Reads the home's sequencer key, if it has one.
fn load_sequencer_key(home: &Path) -> Result<Option<SequencerKey>> {
    let path = home.join(SEQUENCER_KEY_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut bytes)
        .map_err(|_| anyhow!("{} is not 32 bytes of hex", path.display()))?;
    Ok(Some(SequencerKey::from_bytes(bytes)))
}

/// `zkpsm init`: writes the genesis and configuration of a new chain into `home`. With
/// `sequencer`, also a fresh sequencer key (its verification key goes into genesis): the embedded
/// sequencer signs its commits with it.
pub fn init(
    home: &Path,
    chain_id: &str,
    funds: Vec<Allocation>,
    config: NodeConfig,
    params: ConsensusParams,
    sequencer: bool,
) -> Result<Genesis> {
    let genesis_path = home.join("genesis.json");
    if genesis_path.exists() {
        bail!(
            "{} already exists: this home holds a chain (use another --home)",
            genesis_path.display()
        );
    }
    let keys = SpendKeys::shared()?;
    let sequencer_key = sequencer.then(|| SequencerKey::random(&mut rand::rngs::OsRng));
    let genesis = Genesis {
        chain_id: chain_id.to_owned(),
        params,
        spend_vk_digest: keys.vk_digest_hex(),
        allocations: funds,
        sequencer: sequencer_key
            .as_ref()
            .map(|k| hex::encode(k.verification_key())),
        sp1_vk: Some(crate::sp1::GUEST_VK.to_owned()),
    };
    genesis.validate()?;
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    if let Some(key) = &sequencer_key {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = home.join(SEQUENCER_KEY_FILE);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(hex::encode(key.to_bytes()).as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    std::fs::write(&genesis_path, genesis.to_bytes())?;
    std::fs::write(
        home.join("config.json"),
        serde_json::to_vec_pretty(&config)?,
    )?;
    Ok(genesis)
}

/// Reads a home's genesis and configuration.
pub fn load(home: &Path) -> Result<(Genesis, NodeConfig)> {
    let read = |name: &str| {
        std::fs::read_to_string(home.join(name)).with_context(|| {
            format!(
                "reading {} (run `zkpsm init --home {}` first)",
                home.join(name).display(),
                home.display()
            )
        })
    };
    let genesis = Genesis::from_json(&read("genesis.json")?)?;
    let config: NodeConfig = serde_json::from_str(&read("config.json")?).context("config.json")?;
    Ok((genesis, config))
}

/// A node running in this process.
pub struct RunningNode {
    /// The API's base URL.
    pub url: String,
    shutdown: watch::Sender<bool>,
    stop_threads: Arc<AtomicBool>,
    /// Set once block production or the ABCI server stops on a fault, with what happened.
    fault: watch::Sender<Option<String>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl RunningNode {
    /// Stops block production and the API.
    pub fn stop(mut self) {
        let _ = self.shutdown.send(true);
        self.stop_threads.store(true, Ordering::SeqCst);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }

    /// Runs until Ctrl-C, or until block production or the ABCI server stops on a fault: then
    /// the node stops and the fault is the error (the process exits non-zero with it).
    pub fn run_until_interrupted(self) -> Result<()> {
        let mut fault = self.fault.subscribe();
        let faulted = match &self.runtime {
            Some(rt) => rt.block_on(async {
                tokio::select! {
                    interrupted = tokio::signal::ctrl_c() => interrupted.map(|()| None),
                    faulted = fault.wait_for(Option::is_some) => {
                        Ok(faulted.ok().and_then(|f| f.clone()))
                    }
                }
            })?,
            None => None,
        };
        tracing::info!("stopping");
        self.stop();
        match faulted {
            Some(why) => bail!("the node stopped: {why}"),
            None => Ok(()),
        }
    }
}

/// How blocks are made.
#[derive(Clone, Debug)]
pub enum Consensus {
    /// The embedded single-node sequencer.
    Embedded,
    /// CometBFT: serve ABCI on `abci` and forward submissions to the RPC at `rpc`.
    CometBft {
        /// The ABCI listen address.
        abci: String,
        /// CometBFT's RPC URL.
        rpc: String,
    },
}

/// Before any block is made: with a chain prover, every block from now on keeps its step witness
/// for it; without one, none does, and those kept from an earlier run are dropped (a prover
/// started later regenerates what it needs).
fn keep_step_witnesses_for(app: &App, prover: bool) -> Result<()> {
    if prover {
        app.set_chain_prover_running(true);
        return Ok(());
    }
    let kept = app.store().kept_step_witnesses()?;
    if kept > 0 {
        app.store().prune_step_witnesses(u64::MAX)?;
        tracing::info!("dropped {kept} step witnesses kept earlier: no chain prover follows");
    }
    Ok(())
}

/// Makes the stopped node at `home` keep the step witnesses of blocks `from + 1..=to`,
/// regenerating those it did not keep from its committed blocks (in a scratch state beside its
/// own); returns how many it regenerated.
pub fn restore_step_witnesses(home: &Path, from: u64, to: u64) -> Result<u64> {
    let (genesis, _) = load(home)?;
    let state = home.join("state.redb");
    let app = App::open(&state, genesis, SpendKeys::shared()?, Vec::new()).with_context(|| {
        format!(
            "opening {} (stop the node first: the store is one process's)",
            state.display()
        )
    })?;
    Ok(zkpsm_app::restore_step_witnesses(
        &app,
        from,
        to,
        home.join("witness-replay.redb"),
    )?)
}

/// Opens the home's state and starts block production (the embedded sequencer, or the ABCI
/// server for CometBFT), the API (on `api_addr`, or the configured one), the DA publisher (to the
/// configured DA layer) and, with `prove = Some(compress_every)`, the chain prover
/// (its folded state in `home/chain-prover.bin`).
pub fn start(
    home: &Path,
    api_addr: Option<&str>,
    consensus: Consensus,
    prove: Option<u64>,
) -> Result<RunningNode> {
    let (genesis, config) = load(home)?;
    let genesis_sequencer = genesis.sequencer_key()?;
    let keys = SpendKeys::shared()?;
    let app = Arc::new(App::open(
        &home.join("state.redb"),
        genesis,
        keys,
        Vec::new(),
    )?);
    keep_step_witnesses_for(&app, prove.is_some())?;
    let addr: SocketAddr = api_addr
        .unwrap_or(&config.api_addr)
        .parse()
        .context("API address")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .with_context(|| format!("binding the API to {addr} (in use? pass another with --api)"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let (shutdown, watcher) = watch::channel(false);
    let fault = watch::Sender::new(None);
    let (backend, commits) = match consensus {
        Consensus::Embedded => {
            let mut node = Node::new(app.clone());
            if let Some(key) = load_sequencer_key(home)? {
                if genesis_sequencer != Some(key.verification_key()) {
                    bail!("the home's sequencer key is not the one genesis names");
                }
                node = node.with_sequencer_key(key);
            }
            let node = Arc::new(node);
            let sequencer = zkpsm_consensus::sequencer::run(
                node.clone(),
                Duration::from_millis(config.block_interval_ms.max(10)),
                config.empty_blocks,
                watcher.clone(),
            );
            let fault = fault.clone();
            runtime.spawn(async move {
                if let Err(e) = sequencer.await {
                    tracing::error!("{e}");
                    fault.send_replace(Some(e.to_string()));
                }
            });
            let admission = {
                let _in_runtime = runtime.enter();
                ProofAdmission::new(app.clone(), AdmissionConfig::default())
            };
            (
                Backend::Embedded {
                    node: node.clone(),
                    admission,
                },
                CommitSource::Sequencer(node),
            )
        }
        Consensus::CometBft { abci, rpc } => {
            let forwarder = Forwarder::new(&rpc)?;
            let abci_app = AbciApp::new(app.clone());
            let fault = fault.clone();
            runtime.spawn(async move {
                if let Err(e) = zkpsm_consensus::abci::serve(abci_app, &abci).await {
                    let why = format!("the ABCI server on {abci} stopped: {e}");
                    tracing::error!("{why}");
                    fault.send_replace(Some(why));
                }
            });
            (
                Backend::CometBft {
                    app: app.clone(),
                    forwarder,
                },
                CommitSource::Cometbft(rpc),
            )
        }
    };
    let stop_threads = Arc::new(AtomicBool::new(false));
    if let Some(compress_every) = prove {
        let config = ChainProverConfig {
            state_file: home.join("chain-prover.bin"),
            compress_every,
        };
        let (app, stop) = (app.clone(), stop_threads.clone());
        std::thread::Builder::new()
            .name("chain prover".into())
            .spawn(move || {
                if let Err(e) = chain_prover::run(app, config, stop) {
                    tracing::error!("chain prover stopped: {e}");
                }
            })?;
    }
    {
        let (app, stop) = (app.clone(), stop_threads.clone());
        let (da, home) = (config.da.clone(), home.to_owned());
        std::thread::Builder::new()
            .name("DA publisher".into())
            .spawn(move || {
                publish::run(app, &|| da.open(&home), commits, stop);
            })?;
    }
    runtime.spawn(crate::server::serve(
        listener,
        Arc::new(backend),
        config.http,
        watcher,
    ));
    Ok(RunningNode {
        url,
        shutdown,
        stop_threads,
        fault,
        runtime: Some(runtime),
    })
}
