//! `zkpsm-sp1`: the SP1 backend of zkpsm. It proves ranges of blocks' state transition in the SP1
//! zkVM, whose guest runs `zkpsm_transition::apply_range` on the blocks' step witnesses (the very
//! function whose output the executor commits), and verifies such proofs.
//!
//! - `vk --elf GUEST`: the guest's verifying key hash (genesis pins it).
//! - `prove --home NODE --from A --to B --elf GUEST [--mode core|compressed] --out FILE`: proves
//!   blocks `A+1..=B` of a (stopped) node from the step witnesses in its store (`zkpsm prove`
//!   regenerates first those a node without a chain prover did not keep).
//! - `verify --proof FILE --elf GUEST --vk-hash H`: verifies a proof with the pinned key and prints
//!   its statement as JSON (`z_before`, `z_after`, `blocks`, `digest`, and `statement`: its
//!   encoding, which `zkpsm verify --sp1-proof` reads).
//! - `check --elf GUEST [--modes core,compressed] [--blocks 1|0]`: the checks of `scripts/test-sp1`
//!   on a synthetic one-transaction block (its proofs of that block, or of the empty range).
//! - `bench --elf GUEST [--json]`: cycles, execution and proving times, memory and proof sizes for
//!   an empty block and blocks of 1 and 4 transactions.
//!
//! SP1's core and compressed proofs are STARKs without zero knowledge: that is acceptable because
//! the transition's witness is public data (nullifiers, commitments, anchors, fees and Merkle paths
//! of public trees); every private part of a transaction stays in its own zk spend proof.

mod backend;
mod bench;
mod blocks;
mod verifier;

use anyhow::{Context, Result, bail};
use backend::{Mode, Sp1Backend};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use verifier::Sp1Verifier;
use zkpsm_primitives::field::Fq;
use zkpsm_state::Store;
use zkpsm_transition::{RangeStatement, TransitionProver};

#[derive(Parser)]
#[command(
    name = "zkpsm-sp1",
    about = "The SP1 backend of zkpsm's block state transition"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the guest's verifying key hash.
    Vk {
        /// The guest ELF.
        #[arg(long)]
        elf: PathBuf,
    },
    /// Proves blocks A+1..=B of a stopped node from the step witnesses in its store.
    Prove {
        /// The node's home folder.
        #[arg(long)]
        home: PathBuf,
        /// The height before the range.
        #[arg(long)]
        from: u64,
        /// The last height of the range.
        #[arg(long)]
        to: u64,
        /// The guest ELF.
        #[arg(long)]
        elf: PathBuf,
        /// `core` or `compressed`.
        #[arg(long, default_value = "compressed")]
        mode: Mode,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verifies a proof with the pinned verifying key and prints its statement.
    Verify {
        /// The proof file.
        #[arg(long)]
        proof: PathBuf,
        /// The guest ELF.
        #[arg(long)]
        elf: PathBuf,
        /// The verifying key hash genesis pins.
        #[arg(long)]
        vk_hash: String,
    },
    /// Executes and proves synthetic one-transaction blocks and checks the backend end to end.
    Check {
        /// The guest ELF.
        #[arg(long)]
        elf: PathBuf,
        /// The kinds of proof to make and check, comma-separated (`core` alone skips the
        /// recursion, which costs as much again on a CPU).
        #[arg(long, value_delimiter = ',', default_value = "core,compressed")]
        modes: Vec<Mode>,
        /// The blocks of the proven range: 1 (the one-transaction block), or 0 (the empty range,
        /// which takes the guest through every stage of proving in minutes on a CPU).
        #[arg(long, default_value_t = 1)]
        blocks: usize,
    },
    /// Benchmarks an empty block and blocks of 1 and 4 transactions.
    Bench {
        /// The guest ELF.
        #[arg(long)]
        elf: PathBuf,
        /// Transactions per block to measure, comma-separated (0: an empty block).
        #[arg(long, value_delimiter = ',', default_value = "0,1,4")]
        capacities: Vec<usize>,
        /// Only execute (cycles and their profile), without proving.
        #[arg(long)]
        execute_only: bool,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn hex_z(z: &[Fq; 8]) -> Vec<String> {
    z.iter().map(zkpsm_primitives::field::to_hex).collect()
}

/// The statement as the main CLI reads it.
fn statement_json(s: &RangeStatement) -> serde_json::Value {
    serde_json::json!({
        "z_before": hex_z(&s.z_before),
        "z_after": hex_z(&s.z_after),
        "blocks": s.blocks,
        "digest": zkpsm_primitives::field::to_hex(&s.digest),
        "statement": hex::encode(s.to_bytes()),
    })
}

fn prove(home: &Path, from: u64, to: u64, elf: &Path, mode: Mode, out: &Path) -> Result<()> {
    if to <= from {
        bail!("--to must be above --from");
    }
    let store = Store::open(&home.join("state.redb")).with_context(|| {
        format!(
            "opening {}/state.redb (stop the node first: the store is one process's)",
            home.display()
        )
    })?;
    let z_before = store
        .committed_at(from)?
        .with_context(|| format!("height {from} is not committed"))?
        .state
        .z();
    let witnesses = store.step_witnesses(from, to)?;
    let backend = Sp1Backend::new(elf, mode)?;
    eprintln!("zkpsm-sp1: proving blocks {}..={to} ({mode:?})", from + 1);
    let proof = backend.prove_range(&z_before, &witnesses)?;
    proof.save(out)?;
    let (z_after, blocks) = backend.verify_range(&z_before, &proof)?;
    let expected = store
        .committed_at(to)?
        .with_context(|| format!("height {to} is not committed"))?;
    if z_after != expected.state.z() {
        bail!("the proof's state differs from the state the node committed at {to}");
    }
    eprintln!(
        "zkpsm-sp1: {blocks} blocks proven and verified, {} bytes in {}",
        std::fs::metadata(out)?.len(),
        out.display()
    );
    Ok(())
}

fn verify(proof: &Path, elf: &Path, vk_hash: &str) -> Result<()> {
    let proof = backend::load(proof)?;
    let verifier = Sp1Verifier::new(elf)?;
    let actual = verifier.vk_hash();
    if actual != vk_hash {
        bail!("the guest's verifying key is {actual}, not the pinned {vk_hash}");
    }
    let statement = verifier.verify_statement(&proof)?;
    println!("{}", statement_json(&statement));
    Ok(())
}

/// SP1's own log, off unless `RUST_LOG` asks for it, on stderr: stdout carries only what a command
/// prints for its caller (a key, a statement's JSON), where sp1-sdk's `setup_logger` would write
/// the log too. Spans are logged as they close, with their time, as `setup_logger` does: with
/// `RUST_LOG=info,sp1_prover=debug` every proven shard (`ProveShard`) shows.
fn setup_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .compact()
        .with_target(false)
        .with_env_filter(filter)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> Result<()> {
    setup_logging();
    match Cli::parse().command {
        Command::Vk { elf } => {
            println!("{}", Sp1Verifier::new(&elf)?.vk_hash());
            Ok(())
        }
        Command::Prove {
            home,
            from,
            to,
            elf,
            mode,
            out,
        } => prove(&home, from, to, &elf, mode, &out),
        Command::Verify {
            proof,
            elf,
            vk_hash,
        } => verify(&proof, &elf, &vk_hash),
        Command::Check { elf, modes, blocks } => bench::check(&elf, &modes, blocks),
        Command::Bench {
            elf,
            capacities,
            execute_only,
            json,
        } => bench::run(&elf, &capacities, execute_only, json),
    }
}
