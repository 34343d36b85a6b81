//! `zkpsm bench tx`: medians of proving and verifying a 2-in-2-out transaction, next to Orchard's
//! 2-action bundle measured in the same process.

use crate::tx::{example_world, keys};
use crate::{orchard_peer, verify_phases};
use anyhow::{Result, bail};
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use zkpsm_proofs::{SpendProver, VerifyContext, verify_transaction};
use zkpsm_wallet::build_transaction;

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

/// Runs the benchmark and prints the table or JSON.
pub fn tx(runs: usize, json: bool) -> Result<()> {
    if runs < 5 {
        bail!("--runs must be at least 5 (medians of fewer are not worth reporting)");
    }
    let prover = SpendProver::new(keys()?);
    let world = example_world(crate::tx::EXAMPLE_CHAIN_ID);
    let context = VerifyContext {
        chain_id: crate::tx::EXAMPLE_CHAIN_ID.into(),
        height: 1,
    };

    let mut prove = Vec::new();
    let mut tx = None;
    for run in 0..=runs {
        eprintln!("zkpsm: proving {run}/{runs}");
        let started = Instant::now();
        // The whole wallet path: witness, encryption, binding, the witness check and the proof.
        let built = build_transaction(
            &world.sender,
            &world.request,
            &prover,
            &mut OsRng,
            &mut |_| {},
        )?;
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
        verify_transaction(prover.keys(), &tx, &context)?;
        if run > 0 {
            verify.push(started.elapsed());
        }
    }
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
    let orchard = orchard_peer::measure(runs, &mut |msg| eprintln!("{msg}"))?;

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
            "verify_phases_ms": phases,
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
            "verification phases, spartan2's own timings (ms, medians; nested phases overlap):"
        );
        for (phase, ms) in &phases {
            println!("  {phase:<28} {ms:6.1}");
        }
    }
    Ok(())
}
