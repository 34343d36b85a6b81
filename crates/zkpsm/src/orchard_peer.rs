//! The peer for `zkpsm bench tx`: Zcash Orchard's prover and verifier (the `orchard` crate, Halo 2)
//! on a 2-action bundle, measured in the same process as zkpsm's.

use anyhow::{Result, anyhow};
use orchard::builder::{Builder, BundleType};
use orchard::bundle::BundleVersion;
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
}

/// Proves and verifies a 2-action Orchard bundle `runs` times each (after one warm-up).
pub fn measure(runs: usize, progress: &mut dyn FnMut(&str)) -> Result<OrchardTimings> {
    let rng = UnwrapErr(SysRng);
    let sk = SpendingKey::from_bytes([7; 32])
        .into_option()
        .ok_or_else(|| anyhow!("orchard spending key"))?;
    let recipient = FullViewingKey::from(&sk).address_at(0u32, Scope::External);
    progress("orchard: building proving and verifying keys");
    let pk = ProvingKey::build(OrchardCircuitVersion::FixedPostNu6_2);
    let vk = VerifyingKey::build(OrchardCircuitVersion::FixedPostNu6_2);

    // Two outputs give two actions (each with a dummy spend): the same circuit work as any
    // 2-action bundle.
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
    let bundle: Bundle<_, i64> = builder
        .build(rng)
        .map_err(|e| anyhow!("orchard build: {e:?}"))?
        .ok_or_else(|| anyhow!("orchard built no bundle"))?
        .0;
    let instances: Vec<_> = bundle
        .actions()
        .iter()
        .map(|a| a.to_instance(*bundle.flags(), *bundle.anchor()))
        .collect();
    if bundle.actions().len() != 2 {
        return Err(anyhow!(
            "expected 2 actions, got {}",
            bundle.actions().len()
        ));
    }

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
    Ok(OrchardTimings {
        prove,
        verify,
        proof_bytes: proof.as_ref().len(),
    })
}
