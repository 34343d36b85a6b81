//! The SP1 host as the light client (and the node's prover) run it: `zkpsm verify --sp1-proof`
//! and `zkpsm prove --backend sp1` call the `zkpsm-sp1` host binary, which `scripts/test-sp1`
//! builds outside the default workspace (sp1-sdk and nova-snark pin incompatible versions of
//! generic-array, so one binary cannot link both), and read back the statement it verified.

use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zkpsm_transition::RangeStatement;

/// Where the SP1 host and the guest are.
#[derive(Clone, Debug)]
pub struct Sp1Paths {
    /// The `zkpsm-sp1` host binary (built by scripts/test-sp1).
    pub sp1_host: PathBuf,
    /// The SP1 guest ELF (built by scripts/build-sp1-guest).
    pub sp1_elf: PathBuf,
}

impl Sp1Paths {
    /// The host's `subcommand`, with the guest ELF; an error naming the script that builds
    /// whichever is missing.
    pub fn host(&self, subcommand: &str) -> Result<Command> {
        if !self.sp1_host.is_file() {
            bail!(
                "no SP1 host at {}: build it with scripts/test-sp1 (half an hour the first time), \
                 or pass --sp1-host",
                self.sp1_host.display()
            );
        }
        if !self.sp1_elf.is_file() {
            bail!(
                "no SP1 guest at {}: build it with scripts/build-sp1-guest, or pass --sp1-elf",
                self.sp1_elf.display()
            );
        }
        let mut command = Command::new(&self.sp1_host);
        command.arg(subcommand).arg("--elf").arg(&self.sp1_elf);
        Ok(command)
    }
}

/// Verifies the SP1 proof at `proof` under the guest key `vk_hash`; returns its statement.
pub fn verify(paths: &Sp1Paths, proof: &Path, vk_hash: &str) -> Result<RangeStatement> {
    let output = paths
        .host("verify")?
        .arg("--proof")
        .arg(proof)
        .args(["--vk-hash", vk_hash])
        .stderr(Stdio::inherit())
        .output()
        .context("running the SP1 host")?;
    if !output.status.success() {
        bail!(
            "the SP1 proof is refused ({}); the reason is above",
            output.status
        );
    }
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| anyhow!("the SP1 host's answer is not JSON: {e}"))?;
    let bytes = answer["statement"]
        .as_str()
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| anyhow!("the SP1 host's answer has no statement"))?;
    RangeStatement::from_bytes(&bytes).ok_or_else(|| anyhow!("the SP1 statement is malformed"))
}
