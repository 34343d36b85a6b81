//! `zkpsm bench chain`: the chain prover at several step capacities: setup, proving time per block
//! (one Nova step), compression, the compressed proof's size and verification time, the verifier
//! key's size and the process's peak memory, on full blocks made by the real executor.

use crate::tx::median_ms;
use anyhow::{Context, Result, bail};
use std::time::Instant;
use zkpsm_chain_proof::{ChainParams, ChainProver};
use zkpsm_state::{Store, synthetic};

/// Figures at one capacity.
struct Figures {
    capacity: usize,
    constraints: usize,
    setup_ms: f64,
    step_ms: f64,
    compress_ms: f64,
    proof_bytes: usize,
    verify_ms: f64,
    vk_bytes: usize,
    peak_rss_mb: f64,
}

fn measure(capacity: usize, blocks: u64) -> Result<Figures> {
    let started = Instant::now();
    eprintln!("zkpsm: setting up the chain prover at capacity {capacity}");
    let params = ChainParams::setup(capacity)?;
    let setup_ms = started.elapsed().as_secs_f64() * 1e3;

    // Full blocks of random nullifiers and commitments, applied by the executor.
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("state.redb"))?;
    let seed = capacity as u64;
    let genesis = store.init_genesis(
        b"bench",
        &[synthetic::output(seed, b"genesis")],
        u64::MAX / 2,
        u32::try_from(capacity)?,
    )?;
    let mut prover = ChainProver::new(genesis.state.z());
    let mut steps = Vec::new();
    let mut head = genesis;
    for height in 1..=blocks {
        head = store.apply_block(&synthetic::full_block(&head, capacity, seed))?;
        let witness = store
            .step_witness(height)?
            .context("the executor records every block's witness")?;
        eprintln!("zkpsm: proving block {height}/{blocks} ({capacity} transactions)");
        let started = Instant::now();
        prover.prove_step(&params, witness)?;
        steps.push(started.elapsed());
    }
    eprintln!("zkpsm: compressing {blocks} steps");
    let started = Instant::now();
    let proof = prover.compress(&params)?;
    let compress_ms = started.elapsed().as_secs_f64() * 1e3;
    if proof.state() != head.state.z() {
        bail!("the proof's state differs from the executor's");
    }
    let vk = params.verifier_key();
    let mut verify = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        vk.verify(&genesis.state.z(), &proof)?;
        verify.push(started.elapsed());
    }
    Ok(Figures {
        capacity,
        constraints: params.num_constraints().0,
        setup_ms,
        step_ms: median_ms(&steps),
        compress_ms,
        proof_bytes: proof.snark.len(),
        verify_ms: median_ms(&verify),
        vk_bytes: vk.encoded_len(),
        peak_rss_mb: synthetic::peak_rss_mb(),
    })
}

/// Runs the benchmark at each capacity (ascending, so the peak memory after each is its own).
pub fn run(capacities: &[usize], blocks: u64, json: bool) -> Result<()> {
    if blocks < 3 {
        bail!("--blocks must be at least 3 (medians of fewer steps are not worth reporting)");
    }
    let mut capacities = capacities.to_vec();
    capacities.sort_unstable();
    capacities.dedup();
    if capacities.first() == Some(&0) || capacities.is_empty() {
        bail!("capacities must be at least 1");
    }
    let figures = capacities
        .iter()
        .map(|c| measure(*c, blocks))
        .collect::<Result<Vec<_>>>()?;
    let best_tps = figures
        .iter()
        .map(|f| f.capacity as f64 / (f.step_ms / 1e3))
        .fold(0.0, f64::max);
    if json {
        let by = |f: &dyn Fn(&Figures) -> serde_json::Value| -> serde_json::Value {
            figures
                .iter()
                .map(|x| (x.capacity.to_string(), f(x)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let report = serde_json::json!({
            "blocks": blocks,
            "constraints_by_txs": by(&|f| f.constraints.into()),
            "setup_ms_by_txs": by(&|f| f.setup_ms.into()),
            "step_ms_by_txs": by(&|f| f.step_ms.into()),
            "compress_ms": by(&|f| f.compress_ms.into()),
            "proof_bytes": by(&|f| f.proof_bytes.into()),
            "verify_ms": by(&|f| f.verify_ms.into()),
            "vk_bytes": by(&|f| f.vk_bytes.into()),
            "peak_rss_mb": by(&|f| f.peak_rss_mb.into()),
            "prover_tps": best_tps,
        });
        println!("{report}");
    } else {
        println!("chain prover, {blocks} full blocks per capacity, medians; same process");
        println!(
            "| txs/block | constraints | setup s | prove ms/block | ms/tx | compress s | proof B | verify ms | vk MB | peak MB |"
        );
        println!(
            "|----------:|------------:|--------:|---------------:|------:|-----------:|--------:|----------:|------:|--------:|"
        );
        for f in &figures {
            println!(
                "| {:9} | {:11} | {:7.1} | {:14.0} | {:5.0} | {:10.1} | {:7} | {:9.0} | {:5.1} | {:7.0} |",
                f.capacity,
                f.constraints,
                f.setup_ms / 1e3,
                f.step_ms,
                f.step_ms / f.capacity as f64,
                f.compress_ms / 1e3,
                f.proof_bytes,
                f.verify_ms,
                f.vk_bytes as f64 / 1e6,
                f.peak_rss_mb
            );
        }
        println!("prover throughput at the best capacity: {best_tps:.2} transactions/s");
    }
    Ok(())
}
