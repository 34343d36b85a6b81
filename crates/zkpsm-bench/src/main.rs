//! `zkpsm-bench`: the benchmarks, apart from the node's binary so that only they link the Orchard
//! peer. `zkpsm bench …` runs this binary (built next to it by `cargo build`); each prints a table,
//! or one JSON object with `--json`. Today's figures, with their commands: docs/benchmarks.md.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod chain;
mod consensus;
mod node;
mod nullifiers;
mod orchard_peer;
mod soak;
mod threads;
mod tx;
mod verify_phases;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// zkpsm's benchmarks, each next to its peer measured in the same run.
#[derive(Parser)]
#[command(name = "zkpsm-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Prove and verify a 2-in-2-out transaction, next to Zcash Orchard's 2-action bundle.
    Tx {
        /// Timed runs of each measurement (medians are reported).
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// Hyrax commitment widths (powers of two, comma-separated) to compare the spend keys at,
        /// each with the linear and the logarithmic opening, instead of the chain's keys alone.
        #[arg(long, value_delimiter = ',')]
        widths: Vec<usize>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Committed tps on a 4-validator CometBFT network: kvstore's and zkpsm's, with the bound.
    Consensus {
        /// zkpsm transactions (each proven first, ~0.15 s apiece).
        #[arg(long, default_value_t = 384)]
        txs: usize,
        /// Most zkpsm transactions pending (sent, not yet committed) at once; 0 for no limit.
        #[arg(long, default_value_t = 96)]
        window: usize,
        /// Seconds of kvstore transactions.
        #[arg(long, default_value_t = 10.0)]
        kv_seconds: f64,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The chain prover: time per block (one Nova step), compression, proof size, verification.
    Chain {
        /// Step capacities (transactions per block) to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
        capacities: Vec<usize>,
        /// Full blocks folded per capacity.
        #[arg(long, default_value_t = 3)]
        blocks: u64,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// End-to-end transactions per second through an embedded node, next to the verification bound.
    Node {
        /// Pre-proven transactions to push through.
        #[arg(long, default_value_t = 96)]
        txs: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Pre-proven transactions through an embedded node at a steady rate, with queries beside:
    /// committed against submitted, memory at the start and the end, commit latency.
    Soak {
        /// Minutes of submissions.
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        /// Transactions per second (each is proven first, ~0.3 s apiece on one core).
        #[arg(long, default_value_t = 4.0)]
        tps: f64,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A nullifier non-membership proof as of height 0 against one as of the head.
    Nullifiers {
        /// Nullifiers in the store (rounded up to whole blocks of 100).
        #[arg(long, default_value_t = 10_000)]
        nullifiers: usize,
        /// Timed proofs at each height (medians are reported).
        #[arg(long, default_value_t = 201)]
        runs: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        BenchCommand::Tx { runs, widths, json } => tx::tx(runs, &widths, json),
        BenchCommand::Chain {
            capacities,
            blocks,
            json,
        } => chain::run(&capacities, blocks, json),
        BenchCommand::Node { txs, json } => node::run(txs, json),
        BenchCommand::Nullifiers {
            nullifiers: count,
            runs,
            json,
        } => nullifiers::run(count, runs, json),
        BenchCommand::Soak { minutes, tps, json } => soak::run(minutes, tps, json),
        BenchCommand::Consensus {
            txs,
            window,
            kv_seconds,
            json,
        } => consensus::run(txs, window, kv_seconds, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
