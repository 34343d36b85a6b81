//! `zkpsm`: the command line of the zero-knowledge provable state machine.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bench;
mod orchard_peer;
mod tx;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Benchmarks that print a table (or JSON).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum TxCommand {
    /// Build and prove a valid example transaction (fresh keys, a small tree of notes).
    Example {
        /// Where to write the encoded transaction.
        #[arg(long)]
        out: PathBuf,
        /// The chain id to build for.
        #[arg(long, default_value = tx::EXAMPLE_CHAIN_ID)]
        chain_id: String,
    },
    /// Verify an encoded transaction: exit 0 and print its public values, or exit 1 with a reason.
    Verify {
        /// The encoded transaction.
        file: PathBuf,
        /// The chain id it must be for.
        #[arg(long, default_value = tx::EXAMPLE_CHAIN_ID)]
        chain_id: String,
        /// The height of the block it would enter (expired transactions are refused).
        #[arg(long, default_value_t = 1)]
        height: u64,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Prove and verify a 2-in-2-out transaction, next to Zcash Orchard's 2-action bundle.
    Tx {
        /// Timed runs of each measurement (medians are reported).
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tx(TxCommand::Example { out, chain_id }) => tx::example(&out, &chain_id),
        Command::Tx(TxCommand::Verify {
            file,
            chain_id,
            height,
        }) => tx::verify(&file, &chain_id, height),
        Command::Bench(BenchCommand::Tx { runs, json }) => bench::tx(runs, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
