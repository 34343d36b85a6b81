//! The DA publisher: drains the node's outbox (the committed blocks not yet published, written in
//! each block's own commit) in height order, posting each block with the chain's commit of it, and
//! the latest compressed chain proof, to the DA layer. It never blocks consensus: while the layer
//! is down it retries with backoff and the backlog waits in the outbox, across restarts too.

use anyhow::{Context, Result, anyhow};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use zkpsm_app::App;
use zkpsm_consensus::Node;
use zkpsm_da::block_blob::{BlockBlob, BlockCommit};
use zkpsm_da::envelope::{Kind, split};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{BlobRef, DataAvailability, Namespace};
use zkpsm_light::cometbft_rpc::fetch_commit;

/// Where the publisher gets the chain's commit of a block.
pub enum CommitSource {
    /// The embedded sequencer signs each commit.
    Sequencer(Arc<Node>),
    /// A CometBFT chain: the next height's signed header, from the RPC at this address.
    Cometbft(String),
}

impl CommitSource {
    /// The chain's commit of block `height`; none while it is not available yet (on CometBFT, until
    /// the next height is committed).
    fn commit(&self, height: u64) -> Result<Option<BlockCommit>> {
        match self {
            CommitSource::Sequencer(node) => {
                let (app_hash, signature) = node.signed_commit(height)?.ok_or_else(|| {
                    anyhow!(
                        "no signed commit of block {height} (does the node have its sequencer key?)"
                    )
                })?;
                Ok(Some(BlockCommit::Sequencer {
                    app_hash,
                    signature,
                }))
            }
            CommitSource::Cometbft(rpc) => {
                let Some((header, validators)) = fetch_commit(rpc, height + 1, Duration::ZERO)?
                else {
                    return Ok(None);
                };
                Ok(Some(BlockCommit::Cometbft {
                    signed_header: serde_json::to_vec(&header)?,
                    validators: serde_json::to_vec(&validators)?,
                }))
            }
        }
    }
}

const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Publishes until `stop` to the DA layer `open_da` opens (retried with backoff until it opens);
/// What happens is logged through `tracing`.
pub fn run(
    app: Arc<App>,
    open_da: &dyn Fn() -> Result<Arc<dyn DataAvailability>>,
    commits: CommitSource,
    stop: Arc<AtomicBool>,
) {
    let mut backoff = MIN_BACKOFF;
    let da = loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match open_da() {
            Ok(da) => break da,
            Err(e) => {
                tracing::info!(
                    "DA publisher: cannot open the DA layer: {e:#}; retrying in {:.1} s",
                    backoff.as_secs_f64()
                );
                sleep_unless_stopped(backoff, &stop);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    };
    let chain_id = app.genesis().chain_id.clone();
    let mut publisher = Publisher {
        blocks: Namespace::of(&chain_id, Purpose::Blocks),
        proofs: Namespace::of(&chain_id, Purpose::ChainProofs),
        app,
        da,
        commits,
        proof_published: 0,
    };
    let mut backoff = MIN_BACKOFF;
    let mut failing = false;
    while !stop.load(Ordering::SeqCst) {
        match publisher.publish_next() {
            Ok(true) => {
                if failing {
                    let backlog = publisher.app.store().outbox_len().unwrap_or(0);
                    tracing::info!(
                        "DA publisher: the DA layer accepts blobs again; {backlog} blocks of backlog left"
                    );
                    failing = false;
                }
                backoff = MIN_BACKOFF;
                continue;
            }
            Ok(false) => sleep_unless_stopped(Duration::from_millis(200), &stop),
            Err(e) => {
                tracing::info!(
                    "DA publisher: {e:#}; retrying in {:.1} s",
                    backoff.as_secs_f64()
                );
                failing = true;
                sleep_unless_stopped(backoff, &stop);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

fn sleep_unless_stopped(duration: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < duration && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(step);
        slept += step;
    }
}

/// Submits `blobs` in as few submissions as the layer's limit allows, in order.
fn submit_all(
    da: &dyn DataAvailability,
    namespace: Namespace,
    blobs: &[Vec<u8>],
) -> Result<Vec<BlobRef>> {
    let mut refs = Vec::with_capacity(blobs.len());
    let mut batch_start = 0;
    let mut batch_bytes = 0;
    for (i, blob) in blobs.iter().enumerate() {
        if i > batch_start && batch_bytes + blob.len() > da.max_submission_bytes() {
            refs.extend(da.submit(namespace, &blobs[batch_start..i])?);
            (batch_start, batch_bytes) = (i, 0);
        }
        batch_bytes += blob.len();
    }
    refs.extend(da.submit(namespace, &blobs[batch_start..])?);
    Ok(refs)
}

struct Publisher {
    app: Arc<App>,
    da: Arc<dyn DataAvailability>,
    commits: CommitSource,
    blocks: Namespace,
    proofs: Namespace,
    proof_published: u64,
}

impl Publisher {
    /// Publishes the oldest unpublished block whose commit is available, else a newer chain
    /// proof; false if neither waits.
    fn publish_next(&mut self) -> Result<bool> {
        let store = self.app.store();
        if let Some(height) = store.outbox_first()?
            && let Some(commit) = self.commits.commit(height)?
        {
            let block = store
                .block(height)?
                .with_context(|| format!("block {height} is in the outbox but not stored"))?;
            let payload = BlockBlob { block, commit }.to_bytes();
            let blobs = split(Kind::Block, height, &payload, self.da.max_blob_bytes())?;
            let refs = submit_all(self.da.as_ref(), self.blocks, &blobs)?;
            store.mark_published(height, &borsh::to_vec(&refs)?)?;
            if height % 50 == 0 || blobs.len() > 1 {
                tracing::info!(
                    "DA publisher: block {height} posted in {} blob(s) at DA height {}",
                    blobs.len(),
                    refs.first().map_or(0, |r| r.height)
                );
            }
            return Ok(true);
        }
        if let Some((height, proof)) = store.latest_chain_proof()?
            && height > self.proof_published
        {
            let blobs = split(Kind::ChainProof, height, &proof, self.da.max_blob_bytes())?;
            let refs = submit_all(self.da.as_ref(), self.proofs, &blobs)?;
            self.proof_published = height;
            tracing::info!(
                "DA publisher: the chain proof of {height} blocks posted at DA height {}",
                refs.first().map_or(0, |r| r.height)
            );
            return Ok(true);
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkpsm_da::EmbeddedDa;
    use zkpsm_da::embedded::{DEFAULT_MAX_BLOB_BYTES, MAX_SUBMISSION_BYTES};
    use zkpsm_da::envelope::Assembler;

    #[test]
    fn a_payload_beyond_one_submission_goes_out_in_several_and_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let da = EmbeddedDa::open(&dir.path().join("da.redb"), DEFAULT_MAX_BLOB_BYTES).unwrap();
        let ns = Namespace::of("zkpsm-big", zkpsm_da::namespace::Purpose::Blocks);
        let payload: Vec<u8> = (0..8 * 1024 * 1024 + 5).map(|i| (i % 251) as u8).collect();
        let blobs = split(Kind::Block, 1, &payload, DEFAULT_MAX_BLOB_BYTES).unwrap();
        let refs = submit_all(&da, ns, &blobs).unwrap();
        assert_eq!(refs.len(), blobs.len());
        let heights: std::collections::BTreeSet<u64> = refs.iter().map(|r| r.height).collect();
        assert_eq!(
            heights.len(),
            2,
            "8 MiB in submissions of at most {MAX_SUBMISSION_BYTES}"
        );
        let mut assembler = Assembler::default();
        let mut whole = Vec::new();
        for height in heights {
            for blob in da.get(height, ns).unwrap() {
                whole.extend(assembler.push(&blob));
            }
        }
        assert_eq!(whole.len(), 1);
        assert_eq!(whole.remove(0).unwrap().bytes, payload);
    }
}
