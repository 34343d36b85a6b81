//! `zkpsm bench tx`: medians of proving and verifying a 2-in-2-out transaction, next to Orchard's
//! 2-action bundle measured in the same process, and what each part of the proof weighs; with
//! `--widths`, the same for spend keys of each Hyrax commitment width, with the linear and the
//! logarithmic opening.

use crate::{orchard_peer, verify_phases};
use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{
    CommitmentLayout, SpendKeys, SpendProver, VerifyContext, proof_parts, verify_batch,
    verify_transaction,
};
use zkpsm_wallet::build_transaction;
use zkpsm_wallet::example::{EXAMPLE_CHAIN_ID, ExampleWorld, example_world};

/// The chain's spend keys, set up once, saying so.
fn spend_keys() -> Result<Arc<SpendKeys>> {
    eprintln!("zkpsm: setting up spend keys ...");
    let started = Instant::now();
    let keys = SpendKeys::shared()?;
    eprintln!("zkpsm: spend keys in {} ms", started.elapsed().as_millis());
    Ok(keys)
}

/// The median of `samples`, in milliseconds.
pub(crate) fn median_ms(samples: &[Duration]) -> f64 {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    if n % 2 == 1 {
        ms[n / 2]
    } else {
        (ms[n / 2 - 1] + ms[n / 2]) / 2.0
    }
}

/// Proving and verifying samples of one key, and the last transaction proven.
struct Measured {
    prove: Vec<Duration>,
    verify: Vec<Duration>,
    tx: Transaction,
}

/// Builds and proves the example transaction: the whole wallet path (witness, encryption,
/// binding, the witness check and the proof), with fresh randomness, so each body differs.
fn prove_example(world: &ExampleWorld, prover: &SpendProver) -> Result<Transaction> {
    Ok(build_transaction(
        &world.sender,
        &world.request,
        prover,
        &mut OsRng,
        &mut |_| {},
    )?)
}

/// Proves and verifies the example transaction `runs` times each, after one untimed warm-up.
fn measure(prover: &SpendProver, runs: usize, context: &VerifyContext) -> Result<Measured> {
    let world = example_world(EXAMPLE_CHAIN_ID, &mut OsRng);
    let mut prove = Vec::new();
    let mut tx = None;
    for run in 0..=runs {
        eprintln!("zkpsm: proving {run}/{runs}");
        let started = Instant::now();
        let built = prove_example(&world, prover)?;
        if run > 0 {
            prove.push(started.elapsed());
        }
        tx = Some(built);
    }
    let Some(tx) = tx else {
        bail!("no transaction was built")
    };
    let mut verify = Vec::new();
    for run in 0..=runs {
        let started = Instant::now();
        verify_transaction(prover.keys(), &tx, context)?;
        if run > 0 {
            verify.push(started.elapsed());
        }
    }
    Ok(Measured { prove, verify, tx })
}

/// Transactions in the measured batch.
const BATCH: usize = 32;

/// Proves `BATCH` transactions (different bodies: fresh notes' randomness each) and times their
/// batched verification `runs` times (after one warm-up); returns the median per transaction.
fn measure_batch(prover: &SpendProver, runs: usize, context: &VerifyContext) -> Result<f64> {
    let world = example_world(EXAMPLE_CHAIN_ID, &mut OsRng);
    let mut txs = Vec::with_capacity(BATCH);
    for i in 0..BATCH {
        eprintln!("zkpsm: proving the batch, {}/{BATCH}", i + 1);
        txs.push(prove_example(&world, prover)?);
    }
    let refs: Vec<&Transaction> = txs.iter().collect();
    batch_ms_per_tx(prover.keys(), &refs, context, runs)
}

/// Times the batched verification of `txs` `runs` times (after one warm-up; every verdict must be
/// a pass) and returns the median per transaction, in ms.
pub(crate) fn batch_ms_per_tx(
    keys: &SpendKeys,
    txs: &[&Transaction],
    context: &VerifyContext,
    runs: usize,
) -> Result<f64> {
    let mut samples = Vec::new();
    for run in 0..=runs {
        let started = Instant::now();
        for verdict in verify_batch(keys, txs, context) {
            verdict?;
        }
        if run > 0 {
            samples.push(started.elapsed());
        }
    }
    Ok(median_ms(&samples) / txs.len().max(1) as f64)
}

/// Runs the benchmark and prints the table or JSON. With `widths`, it measures keys of each Hyrax
/// commitment width instead, next to Orchard in the same run.
pub fn tx(runs: usize, widths: &[usize], json: bool) -> Result<()> {
    if runs < 5 {
        bail!("--runs must be at least 5 (medians of fewer are not worth reporting)");
    }
    let context = VerifyContext {
        chain_id: EXAMPLE_CHAIN_ID.into(),
        height: 1,
    };
    if !widths.is_empty() {
        return sweep(runs, widths, &context, json);
    }
    let prover = SpendProver::new(spend_keys()?);
    let Measured { prove, verify, tx } = measure(&prover, runs, &context)?;
    let parts = proof_parts(&tx.proof)?;
    // spartan2's own phase timings, in runs of their own so that collecting them cannot touch
    // the figures above.
    let mut phase_runs = Vec::new();
    for _ in 0..runs {
        let (verified, phases) =
            verify_phases::timed(|| verify_transaction(prover.keys(), &tx, &context));
        verified?;
        phase_runs.push(phases);
    }
    let phases = verify_phases::medians(&phase_runs);
    let batch_ms_per_tx = measure_batch(&prover, runs, &context)?;
    let orchard = orchard_peer::measure(runs, BATCH, &mut |msg| eprintln!("{msg}"))?;
    let orchard_batch_ms_per_bundle = median_ms(&orchard.verify_batch) / BATCH as f64;

    let prove_ms = median_ms(&prove);
    let verify_ms = median_ms(&verify);
    let orchard_prove_ms = median_ms(&orchard.prove);
    let orchard_verify_ms = median_ms(&orchard.verify);
    let speedup = orchard_prove_ms / prove_ms;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    if json {
        let report = serde_json::json!({
            "runs": runs,
            "threads": threads,
            "prove_ms": prove_ms,
            "verify_ms": verify_ms,
            "proof_bytes": tx.proof.len(),
            "tx_bytes": tx.to_bytes().len(),
            "orchard_prove_ms": orchard_prove_ms,
            "orchard_verify_ms": orchard_verify_ms,
            "orchard_proof_bytes": orchard.proof_bytes,
            "speedup_vs_orchard": speedup,
            "verify_ratio_vs_orchard": verify_ms / orchard_verify_ms,
            "verify_batch_size": BATCH,
            "verify_batch_ms_per_tx": batch_ms_per_tx,
            "orchard_verify_batch_ms_per_bundle": orchard_batch_ms_per_bundle,
            "verify_batch_ratio_vs_orchard_batch": batch_ms_per_tx / orchard_batch_ms_per_bundle,
            "verify_phases_ms": phases,
            "proof_parts": parts.iter().map(|(part, bytes)| (part.to_string(), *bytes)).collect::<std::collections::BTreeMap<_, _>>(),
        });
        println!("{report}");
    } else {
        println!("2-in-2-out transaction, medians of {runs} runs, {threads} threads, same process");
        println!("| system                            | prove ms | verify ms | proof bytes |");
        println!("|-----------------------------------|---------:|----------:|------------:|");
        println!(
            "| zkpsm (spartan2 zk, Pallas/Hyrax) | {prove_ms:8.1} | {verify_ms:9.1} | {:11} |",
            tx.proof.len()
        );
        println!(
            "| Zcash Orchard (Halo 2), 2 actions | {orchard_prove_ms:8.1} | {orchard_verify_ms:9.1} | {:11} |",
            orchard.proof_bytes
        );
        println!(
            "proving speedup vs Orchard: {speedup:.2}x; verification ratio: {:.2}x Orchard's time",
            verify_ms / orchard_verify_ms
        );
        println!(
            "batched verification of {BATCH} transactions: {batch_ms_per_tx:.1} ms per transaction \
             ({:.2}x Orchard's single verification); Orchard's BatchValidator on {BATCH} bundles \
             (proofs and signatures): {orchard_batch_ms_per_bundle:.1} ms per bundle ({:.2}x)",
            batch_ms_per_tx / orchard_verify_ms,
            batch_ms_per_tx / orchard_batch_ms_per_bundle
        );
        println!(
            "verification phases, spartan2's own timings (ms, medians; nested phases overlap):"
        );
        for (phase, ms) in &phases {
            println!("  {phase:<28} {ms:6.1}");
        }
        println!("proof parts (bytes):");
        for (part, bytes) in &parts {
            println!("  {part:<32} {bytes:7}");
        }
    }
    Ok(())
}

/// One layout's figures in the sweep.
struct WidthRow {
    layout: CommitmentLayout,
    setup_ms: f64,
    prove_ms: f64,
    verify_ms: f64,
    proof_bytes: usize,
    opening_bytes: u64,
}

/// Measures the spend keys at each Hyrax commitment width, and Orchard, in one process.
fn sweep(runs: usize, widths: &[usize], context: &VerifyContext, json: bool) -> Result<()> {
    let mut rows = Vec::new();
    let layouts = widths.iter().flat_map(|&width| {
        [false, true].map(|log_opening| CommitmentLayout { width, log_opening })
    });
    for layout in layouts {
        eprintln!("zkpsm: setting up keys for {}", opening_name(layout));
        let started = Instant::now();
        let keys = SpendKeys::setup_with(layout)?;
        let setup_ms = started.elapsed().as_secs_f64() * 1e3;
        let prover = SpendProver::new(Arc::new(keys));
        let measured = measure(&prover, runs, context)?;
        let opening_bytes = proof_parts(&measured.tx.proof)?
            .iter()
            .find(|(part, _)| *part == "Hyrax opening")
            .map_or(0, |(_, bytes)| *bytes);
        rows.push(WidthRow {
            layout,
            setup_ms,
            prove_ms: median_ms(&measured.prove),
            verify_ms: median_ms(&measured.verify),
            proof_bytes: measured.tx.proof.len(),
            opening_bytes,
        });
    }
    let orchard = orchard_peer::measure(runs, 0, &mut |msg| eprintln!("{msg}"))?;
    let orchard_verify_ms = median_ms(&orchard.verify);
    if json {
        let report = serde_json::json!({
            "runs": runs,
            "orchard_verify_ms": orchard_verify_ms,
            "orchard_proof_bytes": orchard.proof_bytes,
            "widths": rows.iter().map(|r| serde_json::json!({
                "width": r.layout.width,
                "log_opening": r.layout.log_opening,
                "setup_ms": r.setup_ms,
                "prove_ms": r.prove_ms,
                "verify_ms": r.verify_ms,
                "verify_ratio_vs_orchard": r.verify_ms / orchard_verify_ms,
                "proof_bytes": r.proof_bytes,
                "opening_bytes": r.opening_bytes,
            })).collect::<Vec<_>>(),
        });
        println!("{report}");
        return Ok(());
    }
    println!(
        "spend keys by Hyrax commitment width, medians of {runs} runs, same process \
         (Orchard verifies in {orchard_verify_ms:.1} ms, {} proof bytes)",
        orchard.proof_bytes
    );
    println!(
        "| layout | setup ms | prove ms | verify ms | x Orchard | proof bytes | opening bytes |"
    );
    println!(
        "|:-------|---------:|---------:|----------:|----------:|------------:|--------------:|"
    );
    for r in &rows {
        println!(
            "| {} | {:8.0} | {:8.1} | {:9.1} | {:9.2} | {:11} | {:13} |",
            opening_name(r.layout),
            r.setup_ms,
            r.prove_ms,
            r.verify_ms,
            r.verify_ms / orchard_verify_ms,
            r.proof_bytes,
            r.opening_bytes
        );
    }
    Ok(())
}

/// A layout as the sweep's table names it: `2048 log` or `256 linear`.
fn opening_name(layout: CommitmentLayout) -> String {
    let opening = if layout.log_opening { "log" } else { "linear" };
    format!("{} {opening}", layout.width)
}
