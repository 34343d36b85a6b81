//! The peer for `zkpsm bench tx`: Zcash Orchard's prover and verifier (the `orchard` crate, Halo 2)
//! on a 2-action bundle, and its `BatchValidator` on a batch of such bundles, measured in the
//! same process as zkpsm's.

use anyhow::{Result, anyhow};
use orchard::builder::{Builder, BundleType};
use orchard::builder::{InProgress, Unauthorized, Unproven};
use orchard::bundle::{BatchValidator, BundleVersion};
use orchard::circuit::{OrchardCircuitVersion, ProvingKey, VerifyingKey};
use orchard::keys::{FullViewingKey, Scope, SpendingKey};
use orchard::value::NoteValue;
use orchard::{Anchor, Bundle};
use rand010::rand_core::UnwrapErr;
use rand010::rngs::SysRng;
use std::time::{Duration, Instant};

/// Timings of Orchard runs.
pub struct OrchardTimings {
    /// Each proving run.
    pub prove: Vec<Duration>,
    /// Each verification run.
    pub verify: Vec<Duration>,
    /// Bytes of the 2-action proof.
    pub proof_bytes: usize,
    /// Each run of `BatchValidator` over the batch (proofs and signatures, as a node validates
    /// bundles).
    pub verify_batch: Vec<Duration>,
}

/// A 2-action bundle before its proof and signatures: two outputs give two actions (each with a
/// dummy spend), the same circuit work as any 2-action bundle.
type UnprovenBundle = Bundle<InProgress<Unproven, Unauthorized>, i64>;

fn unproven_bundle(recipient: orchard::Address) -> Result<UnprovenBundle> {
    let mut builder = Builder::new(
        BundleType::DEFAULT,
        BundleVersion::orchard_v2(),
        BundleVersion::orchard_v2().default_flags(),
        Anchor::from_bytes([0; 32])
            .into_option()
            .ok_or_else(|| anyhow!("orchard anchor"))?,
    )
    .map_err(|e| anyhow!("orchard builder: {e:?}"))?;
    for _ in 0..2 {
        builder
            .add_output(None, recipient, NoteValue::from_raw(10), [0; 512])
            .map_err(|e| anyhow!("orchard output: {e:?}"))?;
    }
    let bundle: UnprovenBundle = builder
        .build(UnwrapErr(SysRng))
        .map_err(|e| anyhow!("orchard build: {e:?}"))?
        .ok_or_else(|| anyhow!("orchard built no bundle"))?
        .0;
    if bundle.actions().len() != 2 {
        return Err(anyhow!(
            "expected 2 actions, got {}",
            bundle.actions().len()
        ));
    }
    Ok(bundle)
}

/// Proves and verifies a 2-action Orchard bundle `runs` times each (after one warm-up), then
/// batch-validates `batch` such bundles (different ones, proven and signed) `runs` times.
pub fn measure(
    runs: usize,
    batch: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<OrchardTimings> {
    let rng = UnwrapErr(SysRng);
    let sk = SpendingKey::from_bytes([7; 32])
        .into_option()
        .ok_or_else(|| anyhow!("orchard spending key"))?;
    let recipient = FullViewingKey::from(&sk).address_at(0u32, Scope::External);
    progress("orchard: building proving and verifying keys");
    let pk = ProvingKey::build(OrchardCircuitVersion::FixedPostNu6_2);
    let vk = VerifyingKey::build(OrchardCircuitVersion::FixedPostNu6_2);

    let bundle = unproven_bundle(recipient)?;
    let instances: Vec<_> = bundle
        .actions()
        .iter()
        .map(|a| a.to_instance(*bundle.flags(), *bundle.anchor()))
        .collect();
    let mut prove = Vec::with_capacity(runs);
    let mut proof = None;
    for run in 0..=runs {
        progress(&format!("orchard: proving {run}/{runs}"));
        let started = Instant::now();
        let p = bundle
            .authorization()
            .create_proof(&pk, &instances, rng)
            .map_err(|e| anyhow!("orchard prove: {e:?}"))?;
        if run > 0 {
            prove.push(started.elapsed());
        }
        proof = Some(p);
    }
    let proof = proof.ok_or_else(|| anyhow!("no orchard proof"))?;
    let mut verify = Vec::with_capacity(runs);
    for run in 0..=runs {
        let started = Instant::now();
        proof
            .verify(&vk, &instances)
            .map_err(|e| anyhow!("orchard verify: {e:?}"))?;
        if run > 0 {
            verify.push(started.elapsed());
        }
    }
    let mut bundles = Vec::with_capacity(batch);
    for i in 0..batch {
        progress(&format!("orchard: proving the batch, {}/{batch}", i + 1));
        let sighash = [i as u8; 32];
        let authorized = unproven_bundle(recipient)?
            .create_proof(&pk, rng)
            .map_err(|e| anyhow!("orchard prove: {e:?}"))?
            .apply_signatures(rng, sighash, &[])
            .map_err(|e| anyhow!("orchard sign: {e:?}"))?;
        bundles.push((authorized, sighash));
    }
    let mut verify_batch = Vec::with_capacity(runs);
    for run in 0..=runs {
        let started = Instant::now();
        let mut validator = BatchValidator::new(&vk);
        for (bundle, sighash) in &bundles {
            validator
                .add_bundle(bundle, *sighash)
                .map_err(|e| anyhow!("orchard batch: {e}"))?;
        }
        if !validator.validate(rng) {
            return Err(anyhow!(
                "orchard's batch of {batch} bundles did not validate"
            ));
        }
        if run > 0 {
            verify_batch.push(started.elapsed());
        }
    }
    Ok(OrchardTimings {
        prove,
        verify,
        proof_bytes: proof.as_ref().len(),
        verify_batch,
    })
}
