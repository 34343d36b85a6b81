//! `zkpsm sync --from-da`: builds a node's full state from the DA layer alone. It reads every DA
//! height's block blobs for the chain's namespace, accepts a block only with the chain's commit of
//! it (the genesis sequencer's signature, or more than 2/3 of the genesis validators' voting power
//! on CometBFT), re-executes it (verifying every transaction proof again, a block's proofs as one batch) and commits it only if it
//! reaches the committed app hash. Anything else is skipped with a logged reason. Finally it checks
//! the latest chain proof found on DA against the state it rebuilt.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::path::Path;
use zkpsm_app::{App, Block, Genesis};
use zkpsm_chain_proof::{ChainParams, ChainProof};
use zkpsm_da::block_blob::BlockBlob;
use zkpsm_da::envelope::{Assembler, Kind, Payload};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{DataAvailability, Namespace};
use zkpsm_light::check_chain_proof;
use zkpsm_light::trust::TrustRoot;
use zkpsm_primitives::field::Fq;
use zkpsm_proofs::SpendKeys;

/// What a sync reached.
pub struct Synced {
    /// The height it reached.
    pub height: u64,
    /// The app hash there.
    pub app_hash: [u8; 32],
    /// Blobs or blocks it skipped.
    pub skipped: usize,
}

/// Syncs the node home `home` (created with `genesis_file`'s chain if new) from `da`; on a
/// CometBFT chain `cometbft_genesis` names the trusted validators. Progress and every skip with
/// its reason are logged through `tracing`.
pub fn run(
    home: &Path,
    genesis_file: &Path,
    da: &dyn DataAvailability,
    cometbft_genesis: Option<&Path>,
) -> Result<Synced> {
    let text = std::fs::read_to_string(genesis_file)
        .with_context(|| format!("reading the genesis {}", genesis_file.display()))?;
    let genesis = Genesis::from_json(&text)?;
    let trust = TrustRoot::of(&genesis, cometbft_genesis)?;
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let home_genesis = home.join("genesis.json");
    match std::fs::read_to_string(&home_genesis) {
        Ok(existing) if Genesis::from_json(&existing)? != genesis => bail!(
            "{} holds another chain's genesis (sync into a fresh --home)",
            home_genesis.display()
        ),
        Ok(_) => {}
        Err(_) => std::fs::write(&home_genesis, genesis.to_bytes())?,
    }
    let app = App::open(
        &home.join("state.redb"),
        genesis.clone(),
        SpendKeys::shared()?,
        Vec::new(),
    )?;
    let mut syncer = Syncer {
        app,
        trust,
        waiting: BTreeMap::new(),
        waiting_bytes: 0,
        waiting_count: 0,
        skipped: 0,
    };
    let blocks = Namespace::of(&genesis.chain_id, Purpose::Blocks);
    let head = da.head()?;
    tracing::info!(
        "syncing chain {} from DA heights 1..={head} (namespace {blocks}), from block {}",
        genesis.chain_id,
        syncer.height()? + 1
    );
    let mut assembler = Assembler::default();
    for da_height in 1..=head {
        for blob in da.get(da_height, blocks)? {
            match assembler.push(&blob) {
                None => {}
                Some(Ok(p)) if p.kind == Kind::Block => syncer.offer(da_height, p)?,
                Some(Ok(p)) => {
                    syncer.skip(format!("DA height {da_height}: a {:?} payload", p.kind))
                }
                Some(Err(e)) => syncer.skip(format!("DA height {da_height}: {e}")),
            }
        }
    }
    for why in assembler.incomplete() {
        syncer.skip(format!("never completed: {why}"));
    }
    for (height, left) in &syncer.waiting {
        tracing::info!(
            "never applied: {} candidate(s) for block {height}, which does not follow the synced \
             chain",
            left.len()
        );
    }
    let height = syncer.height()?;
    let app_hash = syncer.app.head()?.app_hash;
    tracing::info!(
        "synced to block {height}, app hash {}",
        hex::encode(app_hash)
    );
    check_latest_chain_proof(&syncer.app, da, head)?;
    Ok(Synced {
        height,
        app_hash,
        skipped: syncer.skipped,
    })
}

/// At most this many blocks ahead of the synced height are held until their turn.
const MAX_WAITING_BLOCKS: usize = 256;
/// At most this many bytes of blocks ahead of the synced height are held.
const MAX_WAITING_BYTES: usize = 256 * 1024 * 1024;
/// A block more than this far ahead of the synced height is skipped, not held.
const MAX_BLOCKS_AHEAD: u64 = 4096;

/// A block held until its turn: where it was found, the digest of its payload and its bytes.
struct Waiting {
    da_height: u64,
    digest: [u8; 32],
    bytes: Vec<u8>,
}

struct Syncer {
    app: App,
    trust: TrustRoot,
    /// Blocks seen ahead of the synced height, each with a valid commit, kept until their turn.
    waiting: BTreeMap<u64, Vec<Waiting>>,
    waiting_bytes: usize,
    waiting_count: usize,
    skipped: usize,
}

impl Syncer {
    fn height(&self) -> Result<u64> {
        Ok(self.app.head()?.state.height)
    }

    fn skip(&mut self, why: String) {
        self.skipped += 1;
        tracing::warn!("skipped: {why}");
    }

    /// Takes a block payload found at `da_height`: applies it if it is the next block (then any
    /// waiting successors), keeps it if it is ahead, skips it if it is behind. Only a block whose
    /// commit checks is kept, once per payload digest, within the bounds above: past them the
    /// block farthest ahead is dropped (it is needed last). Sync reads each DA height once, so a
    /// dropped block is not read again in this run: sync stops at the gap, logs the blocks it never
    /// applied, and a later run reads it again.
    fn offer(&mut self, da_height: u64, payload: Payload) -> Result<()> {
        let next = self.height()? + 1;
        if payload.height < next {
            tracing::info!(
                "DA height {da_height}: block {} again (already synced)",
                payload.height
            );
            return Ok(());
        }
        if payload.height > next {
            return self.hold(da_height, payload, next);
        }
        self.try_apply(da_height, payload.height, payload.bytes);
        loop {
            let next = self.height()? + 1;
            let Some(candidates) = self.waiting.remove(&next) else {
                return Ok(());
            };
            let mut applied = false;
            for held in candidates {
                self.waiting_count -= 1;
                self.waiting_bytes -= held.bytes.len();
                if applied {
                    tracing::info!(
                        "DA height {}: another block {next} (already synced)",
                        held.da_height
                    );
                } else {
                    applied = self.try_apply(held.da_height, next, held.bytes);
                }
            }
            if !applied {
                return Ok(());
            }
        }
    }

    /// Applies block `height` from `bytes`, or skips it with the reason; whether it applied.
    fn try_apply(&mut self, da_height: u64, height: u64, bytes: Vec<u8>) -> bool {
        match self.apply(height, &bytes) {
            Ok(()) => {
                tracing::info!("synced block {height} (DA height {da_height})");
                true
            }
            Err(why) => {
                self.skip(format!("DA height {da_height}, block {height}: {why:#}"));
                false
            }
        }
    }

    /// Keeps a block that is ahead of `next` until its turn, if its commit checks and it is new.
    fn hold(&mut self, da_height: u64, payload: Payload, next: u64) -> Result<()> {
        let height = payload.height;
        if height - next >= MAX_BLOCKS_AHEAD {
            self.skip(format!(
                "DA height {da_height}, block {height}: more than {MAX_BLOCKS_AHEAD} blocks ahead \
                 of the synced block {}",
                next - 1
            ));
            return Ok(());
        }
        let digest = *blake3::hash(&payload.bytes).as_bytes();
        if let Some(held) = self.waiting.get(&height)
            && held.iter().any(|w| w.digest == digest)
        {
            tracing::info!("DA height {da_height}: block {height} again (already held)");
            return Ok(());
        }
        // Checked now so that forged blocks take no room; checked again when applied.
        if let Err(why) = self.checked(height, &payload.bytes) {
            self.skip(format!("DA height {da_height}, block {height}: {why:#}"));
            return Ok(());
        }
        self.waiting_count += 1;
        self.waiting_bytes += payload.bytes.len();
        self.waiting.entry(height).or_default().push(Waiting {
            da_height,
            digest,
            bytes: payload.bytes,
        });
        while self.waiting_count > MAX_WAITING_BLOCKS || self.waiting_bytes > MAX_WAITING_BYTES {
            let Some(mut farthest) = self.waiting.last_entry() else {
                break;
            };
            let far_height = *farthest.key();
            let dropped = farthest.get_mut().pop();
            if farthest.get().is_empty() {
                farthest.remove();
            }
            let Some(dropped) = dropped else {
                continue;
            };
            self.waiting_count -= 1;
            self.waiting_bytes -= dropped.bytes.len();
            self.skip(format!(
                "DA height {}, block {far_height}: dropped, the farthest ahead of the blocks held \
                 (at most {MAX_WAITING_BLOCKS} blocks and {MAX_WAITING_BYTES} bytes); sync stops \
                 before it, and a later run reads it again",
                dropped.da_height
            ));
        }
        Ok(())
    }

    /// Decodes block `height` from `bytes` and checks its commit; returns the block and the app
    /// hash its commit names.
    fn checked(&self, height: u64, bytes: &[u8]) -> Result<(Block, [u8; 32])> {
        let genesis = self.app.genesis();
        let blob = BlockBlob::decode(bytes)?;
        let block = Block::decode(&blob.block, genesis.params.max_block_bytes as usize)?;
        if block.height != height || block.chain_id != genesis.chain_id {
            bail!(
                "the blob names block {height} but holds block {} of chain {}",
                block.height,
                block.chain_id
            );
        }
        let committed_app_hash =
            self.trust
                .committed_app_hash(&genesis.chain_id, height, &blob.commit)?;
        Ok((block, committed_app_hash))
    }

    /// Checks the commit of block `height` in `bytes`, re-executes the block and commits it if it
    /// reaches the committed app hash.
    fn apply(&self, height: u64, bytes: &[u8]) -> Result<()> {
        let (block, committed_app_hash) = self.checked(height, bytes)?;
        let pending = self.app.execute(&block)?;
        let reached = pending.committed().app_hash;
        if reached != committed_app_hash {
            bail!(
                "executing it reaches app hash {}, but the commit names {}",
                hex::encode(reached),
                hex::encode(committed_app_hash)
            );
        }
        pending.commit()?;
        Ok(())
    }
}

/// At most this many chain proofs found on DA are verified (each costs about a second).
const MAX_PROOF_CANDIDATES: usize = 16;

/// A chain proof found on DA that decodes and names its envelope's height: where it was found,
/// the digest of its bytes and the proof.
struct Candidate {
    da_height: u64,
    digest: [u8; 32],
    proof: ChainProof,
}

/// Verifies the latest chain proof on DA that covers a synced block and ends in the state sync
/// rebuilt at its height. Anyone can post to the proofs namespace: a payload that does not decode
/// or names another height than its envelope is skipped as it is read; of the rest, repeats are
/// dropped and only the [`MAX_PROOF_CANDIDATES`] highest are kept (the latest posted first among
/// equals). They are tried in that order, and each one that fails to verify or proves another app
/// hash is skipped with a logged reason.
fn check_latest_chain_proof(app: &App, da: &dyn DataAvailability, head: u64) -> Result<()> {
    let genesis = app.genesis();
    let proofs = Namespace::of(&genesis.chain_id, Purpose::ChainProofs);
    let synced = app.head()?.state.height;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut left_out = 0;
    let mut assembler = Assembler::default();
    for da_height in 1..=head {
        for blob in da.get(da_height, proofs)? {
            match assembler.push(&blob) {
                Some(Ok(p)) if p.kind == Kind::ChainProof && p.height <= synced => {
                    match decode_candidate(&p) {
                        Ok(proof) => candidates.push(Candidate {
                            da_height,
                            digest: *blake3::hash(&p.bytes).as_bytes(),
                            proof,
                        }),
                        Err(e) => tracing::info!(
                            "skipped: DA height {da_height}, a chain proof claiming height {}: \
                             {e:#}",
                            p.height
                        ),
                    }
                    if candidates.len() > MAX_PROOF_CANDIDATES {
                        left_out += keep_best(&mut candidates);
                    }
                }
                Some(Ok(p)) => tracing::info!(
                    "skipped: DA height {da_height}, chain proofs: a {:?} payload of height {} \
                     (synced to {synced})",
                    p.kind,
                    p.height
                ),
                Some(Err(e)) => tracing::info!("skipped: DA height {da_height}, chain proofs: {e}"),
                None => {}
            }
        }
    }
    left_out += keep_best(&mut candidates);
    if left_out > 0 {
        tracing::info!(
            "{left_out} chain proofs on DA left untried: only the {MAX_PROOF_CANDIDATES} highest \
             distinct ones are tried"
        );
    }
    if candidates.is_empty() {
        tracing::info!("no chain proof of a synced height on DA");
        return Ok(());
    }
    tracing::info!(
        "deriving the chain verifier key from genesis to check the chain proofs on DA ..."
    );
    let params = ChainParams::setup(genesis.params.max_txs_per_block as usize)?;
    let z0 = app
        .store()
        .committed_at(0)?
        .context("the synced state has no genesis")?
        .state
        .z();
    for found in &candidates {
        match check_candidate(app, &params, &z0, &found.proof) {
            Ok(height) => {
                tracing::info!(
                    "the chain proof of {height} blocks verifies and ends in the synced app hash"
                );
                return Ok(());
            }
            Err(e) => tracing::info!(
                "skipped: DA height {}, a chain proof claiming height {}: {e:#}",
                found.da_height,
                found.proof.height
            ),
        }
    }
    tracing::info!("no chain proof on DA verifies: the synced blocks stand on their commits alone");
    Ok(())
}

/// Orders chain proof candidates from the highest height down (the latest posted first among
/// equals), drops repeats of the same proof at the same height (each costs one verification at
/// most) and keeps the first [`MAX_PROOF_CANDIDATES`]; how many it left out beyond the repeats.
fn keep_best(candidates: &mut Vec<Candidate>) -> usize {
    candidates.sort_by_key(|c| std::cmp::Reverse((c.proof.height, c.da_height)));
    let mut seen = std::collections::BTreeSet::new();
    candidates.retain(|c| seen.insert((c.proof.height, c.digest)));
    let left_out = candidates.len().saturating_sub(MAX_PROOF_CANDIDATES);
    candidates.truncate(MAX_PROOF_CANDIDATES);
    left_out
}

/// Decodes a chain proof payload and checks it names its envelope's height.
fn decode_candidate(found: &Payload) -> Result<ChainProof> {
    let proof: ChainProof =
        borsh::from_slice(&found.bytes).map_err(|e| anyhow!("it does not decode: {e}"))?;
    if proof.height != found.height {
        bail!(
            "its envelope says height {}, the proof {}",
            found.height,
            proof.height
        );
    }
    Ok(proof)
}

/// Checks one chain proof against the synced state; returns the height it proves.
fn check_candidate(
    app: &App,
    params: &ChainParams,
    z0: &[Fq; 8],
    proof: &ChainProof,
) -> Result<u64> {
    let module_roots = app.store().module_roots(proof.height)?.unwrap_or_default();
    let checked = check_chain_proof(params.verifier_key(), z0, proof, &module_roots)?;
    let ours = app
        .store()
        .committed_at(proof.height)?
        .context("the proof's height is not synced")?;
    if checked.app_hash != ours.app_hash {
        bail!(
            "it proves app hash {} at {}, sync reached {}",
            hex::encode(checked.app_hash),
            proof.height,
            hex::encode(ours.app_hash)
        );
    }
    Ok(proof.height)
}
