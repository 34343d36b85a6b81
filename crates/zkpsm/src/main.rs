//! `zkpsm`: the command line of the zero-knowledge provable state machine.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bench;
mod demo;
mod prove;
mod tx;
mod wallet_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zkpsm_light::driver as verify;
use zkpsm_light::sp1::Sp1Paths;
use zkpsm_node::{da_layer, node, sync};

/// A private, provable application-specific blockchain.
#[derive(Parser)]
#[command(name = "zkpsm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build, inspect and verify shielded transactions.
    #[command(subcommand)]
    Tx(TxCommand),
    /// Benchmarks that print a table (or JSON): runs `zkpsm-bench` (built next to this binary),
    /// e.g. `zkpsm bench tx --json`; `zkpsm bench --help` lists them.
    Bench {
        /// The benchmark and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Create a new chain's genesis and configuration in a home folder.
    Init {
        /// The node's home folder.
        #[arg(long, default_value_os_t = node::default_home())]
        home: PathBuf,
        /// The chain id.
        #[arg(long, default_value = "zkpsm-local")]
        chain_id: String,
        /// Fund an address at genesis: ADDRESS:AMOUNT (repeatable).
        #[arg(long = "fund")]
        funds: Vec<String>,
        /// Where the API listens.
        #[arg(long, default_value = node::DEFAULT_API)]
        api: String,
        /// Milliseconds between blocks (a full block is made at once).
        #[arg(long, default_value_t = node::DEFAULT_BLOCK_INTERVAL_MS)]
        block_interval_ms: u64,
        /// Make no block while the mempool is empty (recommended with `start --prove`: every
        /// block is a step of the chain proof).
        #[arg(long)]
        no_empty_blocks: bool,
        /// Blocks during which an anchor stays valid.
        #[arg(long, default_value_t = zkpsm_app::ConsensusParams::default().anchor_window)]
        anchor_window: u64,
        /// Most transactions in a block.
        #[arg(long, default_value_t = zkpsm_app::ConsensusParams::default().max_txs_per_block)]
        max_txs_per_block: u32,
        /// The fee rule's floor: every transaction pays at least `fee-base + fee-per-kib *
        /// ceil(bytes / 1024)`.
        #[arg(long, default_value_t = zkpsm_app::ConsensusParams::default().fee_base)]
        fee_base: u64,
        /// The fee rule's price of each started KiB of a transaction (data availability's cost).
        #[arg(long, default_value_t = zkpsm_app::ConsensusParams::default().fee_per_kib)]
        fee_per_kib: u64,
        /// Who makes blocks: `embedded` (a sequencer key is generated; genesis pins it) or
        /// `cometbft` (the validators sign commits; no sequencer key).
        #[arg(long, value_enum, default_value_t = ConsensusMode::Embedded)]
        consensus: ConsensusMode,
        #[command(flatten)]
        celestia: CelestiaArgs,
    },
    /// Run a node in embedded mode (the sequencer and the API) until Ctrl-C.
    Start {
        /// The node's home folder.
        #[arg(long, default_value_os_t = node::default_home())]
        home: PathBuf,
        /// Where the API listens (overrides the configuration).
        #[arg(long)]
        api: Option<String>,
        /// How blocks are made: `embedded` (a sequencer in this process) or `cometbft` (serve ABCI
        /// to a CometBFT v0.38 node).
        #[arg(long, value_enum, default_value_t = ConsensusMode::Embedded)]
        consensus: ConsensusMode,
        /// With `--consensus cometbft`: where to serve ABCI.
        #[arg(long, default_value = "127.0.0.1:26658")]
        abci: String,
        /// With `--consensus cometbft`: CometBFT's RPC, where submissions are forwarded.
        #[arg(long, default_value = "http://127.0.0.1:26657")]
        cometbft_rpc: String,
        /// Run the chain prover: fold one Nova step per committed block and serve compressed
        /// proofs at /v1/chain-proof (heavy: its parameters grow with max_txs_per_block).
        #[arg(long)]
        prove: bool,
        /// With `--prove`: compress after this many new blocks (0: only when asked, by a POST to
        /// /v1/chain-proof).
        #[arg(long, default_value_t = 100)]
        compress_every: u64,
    },
    /// A wallet: keys in a file, talking to a node.
    Wallet {
        /// The wallet file.
        #[arg(long, default_value_os_t = node::default_home().join("wallet.json"))]
        wallet: PathBuf,
        /// The node's API.
        #[arg(long, default_value = "http://127.0.0.1:26680")]
        node: String,
        #[command(subcommand)]
        command: wallet_cmd::WalletCommand,
    },
    /// The light client: verify the node's chain proof from the genesis document and the signed
    /// commit, and check answers about nullifiers and note commitments against the proven roots.
    Verify {
        /// The node's API.
        #[arg(long, default_value = "http://127.0.0.1:26680")]
        node: String,
        /// The chain's genesis document (the light client's trust root, never taken from the node).
        #[arg(long)]
        genesis: PathBuf,
        /// A CometBFT chain: the RPC of any of its nodes, where the signed commit is fetched.
        #[arg(long, requires = "cometbft_genesis")]
        cometbft_rpc: Option<String>,
        /// A CometBFT chain: its genesis document, whose validator set the light client trusts.
        #[arg(long, requires = "cometbft_rpc")]
        cometbft_genesis: Option<PathBuf>,
        /// Ask whether this nullifier (hex) is spent (repeatable).
        #[arg(long = "nullifier")]
        nullifiers: Vec<String>,
        /// Ask whether this note commitment (hex) is in the tree (repeatable).
        #[arg(long = "commitment")]
        commitments: Vec<String>,
        /// Check this Nova chain proof file (from `zkpsm prove --backend nova`) instead of the
        /// node's latest.
        #[arg(long, conflicts_with = "sp1_proof")]
        chain_proof: Option<PathBuf>,
        /// Check this SP1 proof of a block range (from `zkpsm prove --backend sp1`) under the
        /// guest key genesis pins, instead of the node's Nova proof.
        #[arg(long)]
        sp1_proof: Option<PathBuf>,
        /// Fail when the proof lags the chain's latest commit (the sequencer's signed head, or
        /// CometBFT's latest header) by more than this many blocks: an older proof may show a
        /// note spent since as unspent.
        #[arg(long, default_value_t = verify::DEFAULT_MAX_LAG)]
        max_lag: u64,
        /// Where the chain verifier key is kept once derived (default: $XDG_CACHE_HOME/zkpsm or
        /// ~/.cache/zkpsm).
        #[arg(long)]
        key_cache: Option<PathBuf>,
        /// Derive the chain verifier key from genesis and keep it nowhere.
        #[arg(long, conflicts_with = "key_cache")]
        no_key_cache: bool,
        #[command(flatten)]
        sp1: Sp1Args,
    },
    /// Prove a range of a stopped node's blocks into a file: `sp1` in the SP1 zkVM (its host is
    /// built by scripts/test-sp1), or `nova`, the chain's own IVC (ranges from genesis).
    Prove {
        /// The node's home folder (stop the node first: its store is one process's).
        #[arg(long)]
        home: PathBuf,
        /// `sp1` or `nova`.
        #[arg(long, value_parser = ["sp1", "nova"])]
        backend: String,
        /// The blocks, as `A..B`: blocks A+1 to B, from the state committed at A.
        #[arg(long)]
        blocks: String,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        sp1: Sp1Args,
    },
    /// Start an embedded chain in a temporary home and make private payments between two wallets.
    Demo,
    /// Build a node's state from the DA layer alone, checking each block's commit and re-executing
    /// it (every transaction proof verified again), then the latest chain proof found there.
    Sync {
        /// Read blocks from the DA layer (the only source sync knows).
        #[arg(long, required = true)]
        from_da: bool,
        /// The node home to build (created if new; a partly synced home resumes).
        #[arg(long)]
        home: PathBuf,
        /// The chain's genesis document (the trust root).
        #[arg(long)]
        genesis: PathBuf,
        /// The embedded DA store to read (a producing node's `da.redb`, while that node is
        /// stopped: the store is one process's at a time).
        #[arg(
            long,
            required_unless_present = "celestia_rpc",
            conflicts_with = "celestia_rpc"
        )]
        da_store: Option<PathBuf>,
        #[command(flatten)]
        celestia: CelestiaArgs,
        /// A CometBFT chain: its genesis document, whose validators' commits sync accepts.
        #[arg(long)]
        cometbft_genesis: Option<PathBuf>,
    },
}

/// Who makes blocks.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ConsensusMode {
    /// The embedded single-node sequencer (genesis pins its key).
    Embedded,
    /// CometBFT v0.38 validators, through ABCI.
    Cometbft,
}

/// Where the SP1 host and the guest are.
#[derive(clap::Args, Clone, Debug)]
struct Sp1Args {
    /// The `zkpsm-sp1` host binary (built by scripts/test-sp1).
    #[arg(long, default_value = "sp1/target/host/release/zkpsm-sp1")]
    sp1_host: PathBuf,
    /// The SP1 guest ELF (built by scripts/build-sp1-guest).
    #[arg(long, default_value = "sp1/target/zkpsm-sp1-guest.elf")]
    sp1_elf: PathBuf,
}

impl Sp1Args {
    fn paths(self) -> Sp1Paths {
        Sp1Paths {
            sp1_host: self.sp1_host,
            sp1_elf: self.sp1_elf,
        }
    }
}

/// A Celestia DA layer (instead of the embedded store).
#[derive(clap::Args)]
struct CelestiaArgs {
    /// Publish to (or sync from) the Celestia node with this JSON-RPC URL.
    #[arg(long)]
    celestia_rpc: Option<String>,
    /// The file holding the Celestia node's auth token.
    #[arg(long, requires = "celestia_rpc")]
    celestia_token_file: Option<PathBuf>,
    /// The gas price to pay on Celestia (utia per gas unit; 0.004 unless given).
    #[arg(long, requires = "celestia_rpc")]
    celestia_gas_price: Option<f64>,
}

impl CelestiaArgs {
    fn config(self) -> da_layer::DaConfig {
        da_layer::DaConfig::from_flags(
            self.celestia_rpc,
            self.celestia_token_file,
            self.celestia_gas_price,
        )
    }
}

#[derive(Subcommand)]
enum TxCommand {
    /// Build and prove a valid example transaction (fresh keys, a small tree of notes).
    Example {
        /// Where to write the encoded transaction.
        #[arg(long)]
        out: PathBuf,
        /// The chain id to build for.
        #[arg(long, default_value = zkpsm_wallet::example::EXAMPLE_CHAIN_ID)]
        chain_id: String,
    },
    /// Verify an encoded transaction: exit 0 and print its public values, or exit 1 with a reason.
    Verify {
        /// The encoded transaction.
        file: PathBuf,
        /// The chain id it must be for.
        #[arg(long, default_value = zkpsm_wallet::example::EXAMPLE_CHAIN_ID)]
        chain_id: String,
        /// The height of the block it would enter (expired transactions are refused).
        #[arg(long, default_value_t = 1)]
        height: u64,
    },
}

/// What the node's libraries log goes to stderr, filtered by `RUST_LOG` (default: zkpsm's
/// progress at `info`, the proof systems' own spans and events only from `warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,spartan2=warn,nova_snark=warn")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tx(TxCommand::Example { out, chain_id }) => tx::example(&out, &chain_id),
        Command::Tx(TxCommand::Verify {
            file,
            chain_id,
            height,
        }) => tx::verify(&file, &chain_id, height),
        Command::Bench { args } => bench::run(&args),
        Command::Init {
            home,
            chain_id,
            funds,
            api,
            block_interval_ms,
            no_empty_blocks,
            anchor_window,
            max_txs_per_block,
            fee_base,
            fee_per_kib,
            consensus,
            celestia,
        } => (|| {
            let funds = funds
                .iter()
                .map(|f| node::parse_fund(f))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let config = node::NodeConfig {
                api_addr: api,
                block_interval_ms,
                empty_blocks: !no_empty_blocks,
                da: celestia.config(),
                http: Default::default(),
            };
            let params = zkpsm_app::ConsensusParams {
                anchor_window,
                max_txs_per_block,
                fee_base,
                fee_per_kib,
                ..Default::default()
            };
            let genesis = node::init(
                &home,
                &chain_id,
                funds,
                config,
                params,
                consensus == ConsensusMode::Embedded,
            )?;
            println!(
                "initialized chain '{}' in {} ({} genesis notes)",
                genesis.chain_id,
                home.display(),
                genesis.allocations.len()
            );
            Ok(())
        })(),
        Command::Start {
            home,
            api,
            consensus,
            abci,
            cometbft_rpc,
            prove,
            compress_every,
        } => {
            let consensus = if consensus == ConsensusMode::Cometbft {
                node::Consensus::CometBft {
                    abci,
                    rpc: cometbft_rpc,
                }
            } else {
                node::Consensus::Embedded
            };
            node::start(
                &home,
                api.as_deref(),
                consensus,
                prove.then_some(compress_every),
            )
            .and_then(|n| {
                eprintln!(
                    "zkpsm node '{}' serving {}; Ctrl-C stops it",
                    home.display(),
                    n.url
                );
                n.run_until_interrupted()
            })
        }
        Command::Wallet {
            wallet,
            node,
            command,
        } => wallet_cmd::run(&wallet, &node, command),
        Command::Demo => demo::run(),
        Command::Sync {
            from_da: _,
            home,
            genesis,
            da_store,
            celestia,
            cometbft_genesis,
        } => sync_from_da(
            &home,
            &genesis,
            da_store.as_deref(),
            celestia.config(),
            cometbft_genesis.as_deref(),
        ),
        Command::Verify {
            node,
            genesis,
            cometbft_rpc,
            cometbft_genesis,
            nullifiers,
            commitments,
            chain_proof,
            sp1_proof,
            sp1,
            max_lag,
            key_cache,
            no_key_cache,
        } => {
            let cometbft = cometbft_rpc.zip(cometbft_genesis);
            let key_cache = match no_key_cache {
                true => None,
                false => key_cache.or_else(zkpsm_light::key_cache::default_dir),
            };
            let source = match (chain_proof, sp1_proof) {
                (Some(file), _) => verify::ProofSource::NovaFile(file),
                (None, Some(file)) => verify::ProofSource::Sp1File(file, sp1.paths()),
                (None, None) => verify::ProofSource::Node,
            };
            verify::run(
                &node,
                &genesis,
                cometbft,
                key_cache.as_deref(),
                source,
                max_lag,
                &nullifiers,
                &commitments,
                &mut std::io::stdout(),
            )
        }
        Command::Prove {
            home,
            backend,
            blocks,
            out,
            sp1,
        } => prove::run(&home, &backend, &blocks, &out, &sp1.paths()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `zkpsm sync --from-da`: from an embedded DA store file, or the configured Celestia node.
fn sync_from_da(
    home: &std::path::Path,
    genesis: &std::path::Path,
    da_store: Option<&std::path::Path>,
    da: da_layer::DaConfig,
    cometbft_genesis: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let da = match da_store {
        Some(path) => {
            if !path.exists() {
                anyhow::bail!(
                    "no DA store at {} (a node home's da.redb, written by `zkpsm start`)",
                    path.display()
                );
            }
            let store =
                zkpsm_da::EmbeddedDa::open(path, zkpsm_da::embedded::DEFAULT_MAX_BLOB_BYTES)?;
            std::sync::Arc::new(store) as std::sync::Arc<dyn zkpsm_da::DataAvailability>
        }
        None => da.open(home)?,
    };
    let synced = sync::run(home, genesis, da.as_ref(), cometbft_genesis)?;
    println!(
        "synced {} from DA: block {}, app hash {} ({} blob(s) or block(s) skipped)",
        home.display(),
        synced.height,
        hex::encode(synced.app_hash),
        synced.skipped
    );
    Ok(())
}
