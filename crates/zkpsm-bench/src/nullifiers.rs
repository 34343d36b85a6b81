//! `zkpsm bench nullifiers`: a non-membership proof for the value at the field's top, as of
//! genesis (height 0) and as of the head, on a store that holds at least `--nullifiers` (10,000
//! by default). At height 0 the low leaf of the top is the sentinel, and every nullifier
//! inserted since lies below the top: the old lookup walked back over all of them, the
//! skew-binary chain takes O(log n) links. The ratio of the two medians is the figure; each proof
//! is checked against the nullifier root of its height, so the bench also fails if a proof is
//! wrong.

use crate::tx::median_ms;
use anyhow::{Result, bail};
use std::time::Instant;
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::note::Nullifier;
use zkpsm_state::{Store, synthetic};

/// Transactions per block (two nullifiers each).
const TXS_PER_BLOCK: usize = 50;

/// Fills a store with `nullifiers` (rounded up to whole blocks) and times `runs` proofs at each
/// height.
pub fn run(nullifiers: usize, runs: usize, json: bool) -> Result<()> {
    if nullifiers < 2 * TXS_PER_BLOCK || runs < 3 {
        bail!(
            "--nullifiers must be at least {} and --runs at least 3",
            2 * TXS_PER_BLOCK
        );
    }
    let blocks = nullifiers.div_ceil(2 * TXS_PER_BLOCK) as u64;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("state.redb"))?;
    let seed = 7;
    let genesis = store.init_genesis(
        b"bench nullifiers",
        &[synthetic::output(seed, b"genesis")],
        u64::MAX / 2,
        TXS_PER_BLOCK as u32,
    )?;
    let mut head = genesis;
    for height in 1..=blocks {
        if height % 20 == 0 || height == blocks {
            eprintln!("zkpsm: writing block {height}/{blocks} ({TXS_PER_BLOCK} transactions)");
        }
        head = store.apply_block(&synthetic::full_block(&head, TXS_PER_BLOCK, seed))?;
    }
    let top = Nullifier(Fq::from(0) - Fq::from(1));
    let time_at = |height: u64, root: Fq| -> Result<f64> {
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let proof = store.non_membership(&top, height)?;
            samples.push(started.elapsed());
            match proof {
                Some(proof) if proof.verify(&root, &top.0) => {}
                _ => bail!("the proof at height {height} does not verify against its root"),
            }
        }
        Ok(median_ms(&samples))
    };
    let at_genesis_ms = time_at(0, genesis.state.nf_root.0)?;
    let at_head_ms = time_at(head.state.height, head.state.nf_root.0)?;
    let inserted = head.state.nf_size - genesis.state.nf_size;
    let ratio = at_genesis_ms / at_head_ms;
    if json {
        let report = serde_json::json!({
            "nullifiers": inserted,
            "blocks": blocks,
            "runs": runs,
            "proof_at_height_0_ms": at_genesis_ms,
            "proof_at_head_ms": at_head_ms,
            "ratio_height_0_to_head": ratio,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "non-membership proof of the field's top, {inserted} nullifiers over {blocks} blocks \
             (medians of {runs})"
        );
        println!("{:<24} {:>10}", "as of", "ms");
        println!("{:<24} {:>10.3}", "height 0", at_genesis_ms);
        println!("{:<24} {:>10.3}", format!("head ({blocks})"), at_head_ms);
        println!("{:<24} {:>10.2}", "ratio (height 0 / head)", ratio);
    }
    Ok(())
}
