//! Step witnesses regenerated from the committed blocks. The chain prover prunes each block's
//! witness once its folded state is durable; if that state is then lost (its file deleted or
//! corrupt), the prover starts again from genesis and needs the witnesses it pruned. This replays
//! the node's own committed blocks, from genesis, into a scratch state beside the prover's file,
//! which records each block's witness as the executor always does, and checks that every replayed
//! block reaches the state the node committed.

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
