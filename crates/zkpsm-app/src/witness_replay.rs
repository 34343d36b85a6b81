//! Step witnesses regenerated from the committed blocks. A node keeps a block's witness only
//! while a chain prover follows it, and the prover prunes each once its folded state is durable.
//! A prover that starts late, or starts again from genesis because its state file was lost, and
//! `zkpsm prove` on a node that kept none, need witnesses that are gone. This replays the node's
//! own committed blocks, from genesis, into a scratch state, which records each block's witness,
//! and checks that every replayed block reaches the state the node committed.

use crate::{App, AppError, Block};
use std::path::PathBuf;
use zkpsm_primitives::chain_step::StepWitness;
use zkpsm_proofs::SpendKeys;

/// A scratch replay of the chain, one block ahead of the witness last handed out.
pub(crate) struct WitnessReplay {
    scratch: App,
    path: PathBuf,
}

impl WitnessReplay {
    /// A fresh scratch state at `path` (any earlier one there is discarded) with `app`'s genesis.
    pub(crate) fn start(app: &App, path: PathBuf) -> Result<Self, AppError> {
        remove(&path)?;
        let keys =
            SpendKeys::shared().map_err(|e| AppError::Genesis(format!("spend keys: {e}")))?;
        let scratch = App::open(&path, app.genesis().clone(), keys, Vec::new())?;
        scratch.store().set_records_step_witnesses(true);
        Ok(Self { scratch, path })
    }

    /// The step witness of block `height`, replaying the committed blocks up to it.
    pub(crate) fn witness(&self, app: &App, height: u64) -> Result<StepWitness, AppError> {
        let max_bytes = app.genesis().params.max_block_bytes as usize;
        let mut replayed = self.scratch.head()?.state.height;
        while replayed < height {
            let next = replayed + 1;
            let missing = || AppError::Block(format!("block {next} is not committed"));
            let block = Block::decode(&app.store().block(next)?.ok_or_else(missing)?, max_bytes)?;
            let reached = self.scratch.execute_and_commit(&block)?;
            let committed = app.store().committed_at(next)?.ok_or_else(missing)?;
            if reached.state.z() != committed.state.z() {
                return Err(AppError::Block(format!(
                    "replaying block {next} does not reach the state the node committed \
                     (a module's transactions cannot be replayed without the module)"
                )));
            }
            // Only the witness about to be handed out is kept.
            self.scratch.store().prune_step_witnesses(replayed)?;
            replayed = next;
            if replayed % 1000 == 0 {
                tracing::info!("replayed block {replayed} on the way to {height}");
            }
        }
        self.scratch
            .store()
            .step_witness(height)?
            .ok_or(AppError::State(zkpsm_state::StateError::NoStepWitness(
                height,
            )))
    }

    /// Discards the scratch state.
    pub(crate) fn finish(self) -> Result<(), AppError> {
        let path = self.path.clone();
        drop(self);
        remove(&path)
    }
}

/// A replay that ends early (an error on the way) still leaves no scratch state behind.
impl Drop for WitnessReplay {
    fn drop(&mut self) {
        if let Err(e) = remove(&self.path) {
            tracing::warn!("{e}");
        }
    }
}

/// Makes `app`'s store keep the step witnesses of blocks `from + 1..=to` again, regenerating each
/// one it no longer keeps by replaying the committed blocks from genesis into a scratch state at
/// `scratch` (removed when done); each is checked against the committed states before it is
/// kept. Returns how many it regenerated.
pub fn restore_step_witnesses(
    app: &App,
    from: u64,
    to: u64,
    scratch: PathBuf,
) -> Result<u64, AppError> {
    let head = app.head()?.state.height;
    if to > head {
        return Err(AppError::Block(format!(
            "block {to} is not committed: the node's head is {head}"
        )));
    }
    let mut missing = Vec::new();
    for height in from.saturating_add(1)..=to {
        if !app.store().has_step_witness(height)? {
            missing.push(height);
        }
    }
    let Some(&last) = missing.last() else {
        return Ok(0);
    };
    tracing::info!(
        "regenerating {} step witnesses the node did not keep, replaying blocks 1..={last}",
        missing.len()
    );
    let replay = WitnessReplay::start(app, scratch)?;
    for &height in &missing {
        let witness = replay.witness(app, height)?;
        app.store().restore_step_witness(height, &witness)?;
        if height % 100 == 0 || height == last {
            tracing::info!("regenerated the step witness of block {height}/{last}");
        }
    }
    replay.finish()?;
    Ok(missing.len() as u64)
}

fn remove(path: &std::path::Path) -> Result<(), AppError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AppError::State(zkpsm_state::StateError::Corrupt(format!(
            "removing the replay state {}: {e}",
            path.display()
        )))),
    }
}
