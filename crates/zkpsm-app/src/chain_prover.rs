//! The chain prover: follows committed blocks (whatever makes them: the embedded sequencer or
//! CometBFT), folds one Nova step per block from the step witness the executor recorded, saves its
//! folded state after every step (so a restart redoes nothing), and compresses a zero-knowledge
//! proof of the whole chain every `compress_every` blocks and on request. The latest compressed
//! proof is kept in the store, where the API serves it; the folded state, which holds the witness
//! in the clear, stays in the prover's own file.
//!
//! A block's step witness is pruned once the state that folded it is durable (the file and its
//! directory synced). If that file is later lost or corrupt, the prover says so, starts again
//! from genesis, and regenerates the pruned witnesses by replaying the committed blocks
//! ([`crate::witness_replay`]).

use crate::witness_replay::WitnessReplay;
use crate::{App, AppError};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zkpsm_chain_proof::{ChainParams, ChainProver};

/// Where the prover keeps its state and how often it compresses.
#[derive(Clone, Debug)]
pub struct ChainProverConfig {
    /// The folded state's file (written atomically after each step).
    pub state_file: PathBuf,
    /// Compress after this many newly folded blocks once caught up (0: only on request).
    pub compress_every: u64,
}

impl ChainProverConfig {
    /// Where pruned witnesses are regenerated, beside the state file.
    fn replay_state(&self) -> PathBuf {
        self.state_file.with_extension("replay.redb")
    }
}

fn prover_error(e: impl std::fmt::Display) -> AppError {
    AppError::State(zkpsm_state::StateError::Corrupt(format!(
        "chain prover: {e}"
    )))
}

/// Loads the saved prover if it continues this chain, else starts at genesis.
fn resume(app: &App, config: &ChainProverConfig) -> Result<ChainProver, AppError> {
    let genesis = app
        .store()
        .committed_at(0)?
        .ok_or(AppError::State(zkpsm_state::StateError::NotInitialized))?;
    let z0 = genesis.state.z();
    if let Ok(bytes) = std::fs::read(&config.state_file) {
        match ChainProver::from_bytes(&bytes) {
            Ok(p) => {
                let committed = app.store().committed_at(p.height())?;
                if p.z0() == z0 && committed.map(|c| c.state.z()) == p.state().ok() {
                    tracing::info!("chain prover: resuming at block {}", p.height());
                    return Ok(p);
                }
                tracing::info!(
                    "chain prover: saved state is of another chain; starting from genesis"
                );
            }
            Err(e) => tracing::warn!(
                "chain prover: {} is unreadable ({e}); starting again from genesis",
                config.state_file.display()
            ),
        }
    } else if app.head()?.state.height > 0 {
        tracing::warn!(
            "chain prover: no saved state at {}; starting again from genesis",
            config.state_file.display()
        );
    }
    Ok(ChainProver::new(z0))
}

/// Writes the folded state durably: a temporary file, synced, renamed over the old one, and the
/// directory synced so that the rename itself survives a crash.
fn save(prover: &ChainProver, config: &ChainProverConfig) -> Result<(), AppError> {
    let bytes = prover.to_bytes().map_err(prover_error)?;
    let tmp = config.state_file.with_extension("tmp");
    let dir = match config.state_file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &config.state_file))
        .and_then(|()| std::fs::File::open(&dir)?.sync_all())
        .map_err(|e| prover_error(format!("saving {}: {e}", config.state_file.display())))
}

/// Runs the prover until `stop` is set, reporting progress through `tracing`; the app no longer
/// counts it as running once it returns (its caller marks it running before it starts, so that
/// no request in between finds no prover).
pub fn run(
    app: Arc<App>,
    config: ChainProverConfig,
    stop: Arc<AtomicBool>,
) -> Result<(), AppError> {
    let result = follow(&app, &config, &stop);
    app.set_chain_prover_running(false);
    result
}

/// Folds each committed block and compresses when due or asked, until `stop`.
fn follow(app: &App, config: &ChainProverConfig, stop: &AtomicBool) -> Result<(), AppError> {
    let capacity = app.genesis().params.max_txs_per_block as usize;
    tracing::info!("chain prover: setting up parameters for {capacity} transactions per block");
    let started = Instant::now();
    let params = ChainParams::setup(capacity).map_err(prover_error)?;
    tracing::info!(
        "chain prover: ready in {:.1} s ({} constraints per step)",
        started.elapsed().as_secs_f64(),
        params.num_constraints().0
    );
    let mut prover = resume(app, config)?;
    let mut compressed_at = app.store().latest_chain_proof()?.map_or(0, |(h, _)| h);
    let mut replay: Option<WitnessReplay> = None;
    while !stop.load(Ordering::SeqCst) {
        let head = app.head()?.state.height;
        let next = prover.height() + 1;
        if next <= head {
            let started = Instant::now();
            let witness = match app.store().step_witness(next)? {
                Some(witness) => {
                    if let Some(done) = replay.take() {
                        done.finish()?;
                    }
                    witness
                }
                None => {
                    let replaying = match replay.take() {
                        Some(replaying) => replaying,
                        None => {
                            tracing::warn!(
                                "chain prover: the witness of block {next} was pruned after an \
                                 earlier fold; regenerating the pruned witnesses by replaying \
                                 the committed blocks"
                            );
                            WitnessReplay::start(app, config.replay_state())?
                        }
                    };
                    let witness = replaying.witness(app, next)?;
                    replay = Some(replaying);
                    witness
                }
            };
            prover.prove_step(&params, witness).map_err(prover_error)?;
            save(&prover, config)?;
            app.store().prune_step_witnesses(next)?;
            tracing::info!(
                "chain prover: folded block {next}/{head} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        // Compress when due or asked for, even while behind the head.
        let folded = prover.height();
        let due = config.compress_every > 0 && folded >= compressed_at + config.compress_every;
        if folded > compressed_at && (due || app.chain_proof_requested(folded)) {
            let started = Instant::now();
            tracing::info!("chain prover: compressing blocks 1..={}", prover.height());
            let proof = prover.compress(&params).map_err(prover_error)?;
            let bytes = borsh::to_vec(&proof).map_err(prover_error)?;
            app.store().put_chain_proof(proof.height, &bytes)?;
            app.chain_proof_made(proof.height);
            compressed_at = proof.height;
            tracing::info!(
                "chain prover: proof of blocks 1..={} ready in {:.1} s ({} bytes)",
                proof.height,
                started.elapsed().as_secs_f64(),
                proof.snark.len()
            );
            continue;
        }
        if next > head {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(())
}
