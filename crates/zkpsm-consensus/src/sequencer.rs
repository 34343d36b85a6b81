//! The embedded sequencer: a block every interval, or as soon as a full one waits, until shutdown.

use crate::node::Node;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Produces a block every `interval`, and at once whenever the mempool holds a full block (the
/// interval then starts again), until `shutdown` turns true; without `empty_blocks`, only when the
/// mempool holds a transaction (every block is a step of the chain proof, so an idle
/// chain that makes no blocks costs its prover nothing). The sequencer makes its blocks from
/// transactions it checked itself, so a block that fails is a fault of the node (storage that
/// refuses writes, a full disk): it stops with [`ProductionFailed`] rather than retry against it.
/// The failed block was not committed, so nothing committed is lost.
pub async fn run(
    node: Arc<Node>,
    interval: Duration,
    empty_blocks: bool,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ProductionFailed> {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // A block closes at its interval, or as soon as the mempool holds a full one: under load
        // blocks are full and follow each other without waiting for the tick.
        tokio::select! {
            _ = ticker.tick() => {}
            _ = node.full_block() => ticker.reset(),
            _ = shutdown.changed() => return Ok(()),
        }
        if *shutdown.borrow() {
            return Ok(());
        }
        if !empty_blocks && node.mempool_len() == 0 {
            continue;
        }
        let n = node.clone();
        match tokio::task::spawn_blocking(move || n.produce_block()).await {
            Ok(Ok(c)) => {
                if c.state.height % 50 == 0 {
                    tracing::info!(
                        "block {} app hash {}",
                        c.state.height,
                        hex::encode(c.app_hash)
                    );
                }
            }
            Ok(Err(e)) => return Err(ProductionFailed(e.to_string())),
            Err(e) => return Err(ProductionFailed(format!("the task failed: {e}"))),
        }
    }
}

/// Why the sequencer stopped: the block it was making failed, and was not committed.
#[derive(Debug, thiserror::Error)]
#[error(
    "block production failed: {0}. The block was not committed and nothing committed is lost; \
     fix the cause (free disk space, check the disk) and start the node again"
)]
pub struct ProductionFailed(pub String);
