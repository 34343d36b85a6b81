//! `zkpsm prove`: a range of a stopped node's blocks proven into a file from their step
//! witnesses (regenerated from the committed blocks where the node did not keep them), by the SP1 backend (in its own host binary) or by the
//! chain's Nova IVC (from genesis, the proof `zkpsm verify --chain-proof` checks).

use anyhow::{Context, Result, anyhow, bail};
use std::path::Path;
use std::time::Instant;
use zkpsm_chain_proof::{ChainParams, ChainProver};
use zkpsm_light::sp1::Sp1Paths;
use zkpsm_node::{node, sp1};
use zkpsm_state::Store;

/// Parses `A..B` (B above A).
pub fn parse_range(text: &str) -> Result<(u64, u64)> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| anyhow!("--blocks takes A..B, e.g. 0..10"))?;
    let parse = |x: &str| {
        x.trim()
            .parse::<u64>()
            .map_err(|_| anyhow!("--blocks: {x:?} is not a height"))
    };
    let (from, to) = (parse(a)?, parse(b)?);
    if to <= from {
        bail!("--blocks {text}: the range is empty (B must be above A)");
    }
    Ok((from, to))
}

/// Proves the blocks `blocks` of the node at `home` with `backend` into `out`.
pub fn run(home: &Path, backend: &str, blocks: &str, out: &Path, paths: &Sp1Paths) -> Result<()> {
    let (from, to) = parse_range(blocks)?;
    let sp1 = match backend {
        // The host and guest are checked before any replay, which can take long.
        "sp1" => paths.host("prove").map(|_| true)?,
        "nova" if from != 0 => {
            bail!("the Nova chain proof starts at genesis: pass --blocks 0..{to}")
        }
        "nova" => false,
        other => bail!("unknown backend {other:?}: sp1 or nova"),
    };
    let regenerated = node::restore_step_witnesses(home, from, to)?;
    if regenerated > 0 {
        eprintln!("regenerated {regenerated} step witnesses the node did not keep");
    }
    if sp1 {
        sp1::prove(paths, home, from, to, out)
    } else {
        nova(home, to, out)
    }
}

fn nova(home: &Path, to: u64, out: &Path) -> Result<()> {
    let (genesis, _) = node::load(home)?;
    let store = Store::open(&home.join("state.redb")).with_context(|| {
        format!(
            "opening {}/state.redb (stop the node first: the store is one process's)",
            home.display()
        )
    })?;
    let committed = |h: u64| {
        store
            .committed_at(h)?
            .with_context(|| format!("height {h} is not committed"))
    };
    let expected = committed(to)?;
    let mut prover = ChainProver::new(committed(0)?.state.z());
    let capacity = genesis.params.max_txs_per_block as usize;
    eprintln!("setting the chain step up for {capacity} transactions per block ...");
    let params = ChainParams::setup(capacity)?;
    let witnesses = store.step_witnesses(0, to)?;
    let started = Instant::now();
    for (witness, h) in witnesses.into_iter().zip(1..) {
        prover.prove_step(&params, witness)?;
        eprintln!(
            "folded block {h}/{to} ({:.1} s so far)",
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!("compressing ...");
    let proof = prover.compress(&params)?;
    if proof.state() != expected.state.z() {
        bail!("the proven state differs from the one the node committed at {to}");
    }
    std::fs::write(out, borsh::to_vec(&proof)?)
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "proof of blocks 1..={to} written to {} ({} bytes of SNARK)",
        out.display(),
        proof.snark.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn block_ranges_parse_and_empty_ones_are_refused() {
        assert_eq!(parse_range("0..10").unwrap(), (0, 10));
        assert_eq!(parse_range("3..4").unwrap(), (3, 4));
        for bad in ["4..4", "5..2", "10", "a..3", "1..", "..3", "-1..2"] {
            assert!(parse_range(bad).is_err(), "{bad} accepted");
        }
    }
}
