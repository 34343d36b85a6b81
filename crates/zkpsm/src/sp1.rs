//! The SP1 backend from the main command line: `zkpsm prove --backend sp1` and `zkpsm verify
//! --sp1-proof` run the `zkpsm-sp1` host, which `scripts/test-sp1` builds outside the default
//! workspace (sp1-sdk and nova-snark pin incompatible versions of generic-array, so one binary
//! cannot link both), and read back the statement it verified.

use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zkpsm_transition::RangeStatement;

/// The verifying key hash of the SP1 guest built from this source tree, as `scripts/test-sp1`
/// checks it against `sp1/guest.vk`; `zkpsm init` pins it in genesis.
pub const GUEST_VK: &str = include_str!("../../../sp1/guest.vk").trim_ascii();

/// Where the SP1 host and the guest are.
#[derive(clap::Args, Clone, Debug)]
pub struct Sp1Paths {
    /// The `zkpsm-sp1` host binary (built by scripts/test-sp1).
    #[arg(long, default_value = "sp1/target/host/release/zkpsm-sp1")]
    pub sp1_host: PathBuf,
    /// The SP1 guest ELF (built by scripts/build-sp1-guest).
    #[arg(long, default_value = "sp1/target/zkpsm-sp1-guest.elf")]
    pub sp1_elf: PathBuf,
}

impl Sp1Paths {
    fn host(&self, subcommand: &str) -> Result<Command> {
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

/// Proves blocks `from + 1..=to` of the stopped node at `home` into a compressed SP1 proof at `out`.
pub fn prove(paths: &Sp1Paths, home: &Path, from: u64, to: u64, out: &Path) -> Result<()> {
    let status = paths
        .host("prove")?
        .arg("--home")
        .arg(home)
        .args(["--from", &from.to_string(), "--to", &to.to_string()])
        .args(["--mode", "compressed", "--out"])
        .arg(out)
        .status()
        .context("running the SP1 host")?;
    if !status.success() {
        bail!("the SP1 host failed ({status}); its reason is above");
    }
    Ok(())
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
