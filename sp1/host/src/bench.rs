//! `check` (what `scripts/test-sp1` runs) and `bench` of the SP1 backend.

use crate::backend::{Mode, Sp1Backend, load};
use crate::blocks::Chain;
use crate::verifier::Sp1Verifier;
use anyhow::{Context, Result, bail};
use sp1_core_executor::SyscallCode;
use sp1_sdk::{ExecutionReport, SP1PublicValues};
use std::path::Path;
use std::time::{Duration, Instant};
use zkpsm_primitives::chain_step::{Digest, StepWitness};
use zkpsm_primitives::field::Fq;
use zkpsm_state::synthetic;
use zkpsm_transition::TransitionProver;

/// What the guest spends its cycles on: its calls to SP1's uint256 mulmod precompile (each field
/// multiplication of Poseidon over the Pasta field is one of them) and the most frequent opcodes
/// (mostly the copies of field elements through neptune's rounds and around the calls).
fn profile(report: &ExecutionReport) -> (u64, String) {
    let total = report.total_instruction_count().max(1) as f64;
    let mut counts: Vec<(String, u64)> = report
        .opcode_counts
        .iter()
        .map(|(op, n)| (format!("{op:?}"), *n))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mulmod_calls = report.syscall_counts[SyscallCode::UINT256_MUL];
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let top = counts
        .iter()
        .take(6)
        .map(|(op, n)| format!("{op} {:.0}%", 100.0 * *n as f64 / total))
        .collect::<Vec<_>>()
        .join(", ");
    (mulmod_calls, top)
}

/// A proof's size on disk.
fn saved_bytes(proof: &sp1_sdk::SP1ProofWithPublicValues) -> Result<u64> {
    let file = tempfile::NamedTempFile::new()?;
    proof.save(file.path())?;
    Ok(std::fs::metadata(file.path())?.len())
}

/// Executes `chain`'s first block (`witnesses`) in the zkVM; fails unless the guest reaches the
/// native executor's `z_after`.
fn execute_first_block(
    verifier: &Sp1Verifier,
    chain: &Chain,
    witnesses: &[StepWitness],
) -> Result<(ExecutionReport, Duration)> {
    let (statement, report, took) = verifier.execute(&chain.states[0], witnesses)?;
    if statement.z_after != chain.states[1] || statement.blocks != 1 {
        bail!("the guest's z_after differs from the native executor's");
    }
    Ok((report, took))
}

/// Executes a one-transaction block and checks `z_after` against the executor's, and checks that a
/// block that breaks a rule is refused; then proves the range of the first `blocks` blocks (1, or
/// 0: the empty range, whose proof takes the same guest through every stage of proving in minutes
/// rather than hours on a CPU) as each kind of proof in `modes`, verifies it (also reloaded and on
/// the light node), and checks that it is refused from another `z_before` and with a tampered
/// public value.
pub fn check(elf: &Path, modes: &[Mode], blocks: usize) -> Result<()> {
    if modes.is_empty() {
        bail!("--modes names no kind of proof (core, compressed)");
    }
    if blocks > 1 {
        bail!("--blocks is 1 (the one-transaction block) or 0 (the empty range)");
    }
    let chain = Chain::new(1, 1, 1, 7)?;
    let witnesses = chain.witnesses(0, 1)?;
    let z0 = chain.states[0];
    let mut backend = Sp1Backend::new(elf, Mode::Core)?;
    println!("guest verifying key: {}", backend.vk_hash()?);
    let verifier = Sp1Verifier::new(elf)?;
    if verifier.vk_hash() != backend.vk_hash()? {
        bail!("the light node sets the guest up with another verifying key");
    }

    let (report, took) = execute_first_block(&verifier, &chain, &witnesses)?;
    let cycles = report.total_instruction_count();
    println!(
        "ok: executed a one-transaction block in {:.2} s, {cycles} cycles; z_after equals the \
         executor's",
        took.as_secs_f64()
    );

    let mut broken = witnesses.clone();
    broken[0].txs[0].anchor = Digest(Fq::from(12345));
    if verifier.execute(&z0, &broken).is_ok() {
        bail!("the guest accepted a block whose anchor is not a recent anchor");
    }
    println!("ok: a block with an unknown anchor does not execute (the guest panics)");

    let range = &witnesses[..blocks];
    let z_end = chain.states[blocks];
    let (statement, report, _) = verifier.execute(&z0, range)?;
    if statement.z_after != z_end || statement.blocks != blocks as u64 {
        bail!("the guest's statement of {blocks} blocks is not the executor's");
    }
    println!(
        "proving the range of {blocks} block(s) from genesis: {} cycles, gas {}",
        report.total_instruction_count(),
        report.gas().unwrap_or_default()
    );
    for &mode in modes {
        backend.mode = mode;
        let started = Instant::now();
        let proof = backend.prove_range(&z0, range)?;
        let proved = started.elapsed().as_secs_f64();
        let (z_after, proven_blocks) = backend.verify_range(&z0, &proof)?;
        if z_after != z_end || proven_blocks != blocks as u64 {
            bail!("the {mode:?} proof states another range");
        }
        let file = tempfile::NamedTempFile::new()?;
        proof.save(file.path())?;
        let reloaded = load(file.path())?;
        backend.verify_range(&z0, &reloaded)?;
        if verifier.verify_statement(&reloaded)?.z_after != z_end {
            bail!("the light node reads another statement from the {mode:?} proof");
        }
        // The state after the block: the range of either length starts at genesis, not there.
        if backend.verify_range(&chain.states[1], &proof).is_ok() {
            bail!("a {mode:?} proof verified from another z_before");
        }
        let mut tampered = proof.clone();
        let mut values = tampered.public_values.as_slice().to_vec();
        values[8 * 32 + 5] ^= 1;
        tampered.public_values = SP1PublicValues::from(values.as_slice());
        if backend.verify_statement(&tampered).is_ok()
            || verifier.verify_statement(&tampered).is_ok()
        {
            bail!("a {mode:?} proof with a tampered public value verified");
        }
        println!(
            "ok: {mode:?} proof of {blocks} block(s) in {proved:.1} s, {} bytes; verifies, also \
             reloaded and on the light node; refused from another z_before and with a tampered \
             z_after",
            saved_bytes(&proof)?
        );
    }
    Ok(())
}

/// Proving figures at one capacity.
struct Proving {
    core_ms: f64,
    core_bytes: u64,
    compressed_ms: f64,
    compressed_bytes: u64,
}

/// Figures at one capacity.
struct Figures {
    capacity: usize,
    cycles: u64,
    /// SP1's own estimate of the proving cost, from the trace area and complexity of the chips the
    /// execution fills; it leaves out the Global rows of deferred precompile calls (see README).
    gas: Option<u64>,
    mulmod_calls: u64,
    execute_ms: f64,
    proving: Option<Proving>,
    peak_rss_mb: f64,
}

/// Cycles per transaction (none in an empty block).
fn per_tx(x: &Figures) -> Option<u64> {
    x.cycles.checked_div(x.capacity as u64)
}

/// Proves one block as a core and as a compressed proof, verifying both.
fn prove_both(
    backend: &mut Sp1Backend,
    z0: &[Fq; 8],
    witnesses: &[StepWitness],
) -> Result<Proving> {
    let mut timed = |mode| -> Result<(f64, u64)> {
        backend.mode = mode;
        let started = Instant::now();
        let proof = backend.prove_range(z0, witnesses)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        backend.verify_range(z0, &proof)?;
        Ok((ms, saved_bytes(&proof)?))
    };
    let (core_ms, core_bytes) = timed(Mode::Core)?;
    let (compressed_ms, compressed_bytes) = timed(Mode::Compressed)?;
    Ok(Proving {
        core_ms,
        core_bytes,
        compressed_ms,
        compressed_bytes,
    })
}

/// Measures one full block of each capacity (0: an empty block of one slot): executed (cycles and
/// an opcode profile), then, unless `execute_only`, proven as core and compressed. With two
/// capacities or more, the cycles split into a fixed part per proof and a marginal part per
/// transaction (a line through the smallest and the largest block).
pub fn run(elf: &Path, capacities: &[usize], execute_only: bool, json: bool) -> Result<()> {
    // Execution runs on the light node; the prover client (minutes and 7 GB) only to prove.
    let verifier = Sp1Verifier::new(elf)?;
    let mut backend = if execute_only {
        None
    } else {
        Some(Sp1Backend::new(elf, Mode::Core)?)
    };
    let mut all = Vec::new();
    for &capacity in capacities {
        // Capacity 0: an empty block of a one-slot chain.
        let chain = Chain::new(capacity.max(1), capacity, 1, capacity as u64)?;
        let witnesses = chain.witnesses(0, 1)?;
        let z0 = chain.states[0];
        let (report, took) = execute_first_block(&verifier, &chain, &witnesses)
            .with_context(|| format!("{capacity} transactions"))?;
        let cycles = report.total_instruction_count();
        let (mulmod_calls, top) = profile(&report);
        eprintln!(
            "zkpsm-sp1: {capacity} transactions: {cycles} cycles, {mulmod_calls} mulmod calls; {top}"
        );
        let proving = match backend.as_mut() {
            None => None,
            Some(backend) => {
                eprintln!("zkpsm-sp1: {capacity} transactions: proving (core, then compressed)");
                Some(prove_both(backend, &z0, &witnesses)?)
            }
        };
        all.push(Figures {
            capacity,
            cycles,
            gas: report.gas(),
            mulmod_calls,
            execute_ms: took.as_secs_f64() * 1e3,
            proving,
            peak_rss_mb: synthetic::peak_rss_mb(),
        });
    }
    let (first, last) = (&all[0], &all[all.len() - 1]);
    let split = (last.capacity > first.capacity).then(|| {
        let marginal =
            (last.cycles.saturating_sub(first.cycles)) / (last.capacity - first.capacity) as u64;
        let fixed = first
            .cycles
            .saturating_sub(marginal * first.capacity as u64);
        (fixed, marginal)
    });
    if json {
        let by = |f: &dyn Fn(&Figures) -> serde_json::Value| {
            all.iter()
                .map(|x| (x.capacity.to_string(), f(x)))
                .collect::<serde_json::Map<_, _>>()
        };
        let proving = |f: &dyn Fn(&Proving) -> serde_json::Value| {
            by(&|x| x.proving.as_ref().map_or(serde_json::Value::Null, f))
        };
        println!(
            "{}",
            serde_json::json!({
                "cycles": by(&|x| x.cycles.into()),
                "cycles_per_tx": by(&|x| per_tx(x).into()),
                "gas": by(&|x| x.gas.into()),
                "fixed_cycles": split.map(|s| s.0),
                "marginal_cycles_per_tx": split.map(|s| s.1),
                "mulmod_calls": by(&|x| x.mulmod_calls.into()),
                "execute_ms": by(&|x| x.execute_ms.into()),
                "core_prove_ms": proving(&|p| p.core_ms.into()),
                "core_proof_bytes": proving(&|p| p.core_bytes.into()),
                "compressed_prove_ms": proving(&|p| p.compressed_ms.into()),
                "compressed_proof_bytes": proving(&|p| p.compressed_bytes.into()),
                "peak_rss_mb": by(&|x| x.peak_rss_mb.into()),
            })
        );
        return Ok(());
    }
    println!(
        "SP1 backend (CPU prover), one full block per capacity (0: an empty block of one slot)"
    );
    println!(
        "| txs/block | cycles | cycles/tx | gas | mulmod calls | execute ms | core s | core B | compressed s | compressed B | peak MB |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for x in &all {
        let (core_s, core_b, comp_s, comp_b) = x.proving.as_ref().map_or_else(
            || ("-".into(), "-".into(), "-".into(), "-".into()),
            |p| {
                (
                    format!("{:.1}", p.core_ms / 1e3),
                    p.core_bytes.to_string(),
                    format!("{:.1}", p.compressed_ms / 1e3),
                    p.compressed_bytes.to_string(),
                )
            },
        );
        println!(
            "| {} | {} | {} | {} | {} | {:.0} | {core_s} | {core_b} | {comp_s} | {comp_b} | {:.0} |",
            x.capacity,
            x.cycles,
            per_tx(x).map_or_else(|| "-".into(), |c| c.to_string()),
            x.gas.map_or_else(|| "-".into(), |g| g.to_string()),
            x.mulmod_calls,
            x.execute_ms,
            x.peak_rss_mb
        );
    }
    if let Some((fixed, marginal)) = split {
        println!(
            "cycles: {fixed} fixed per proof (the block's own updates, loading the Poseidon \
             constants and reading the input), {marginal} per transaction"
        );
    }
    Ok(())
}
