//! The SP1 backend on the node's side: the guest key genesis pins, and `zkpsm prove --backend sp1`
//! through the `zkpsm-sp1` host (driven as [`zkpsm_light::sp1`] drives it to verify).

use anyhow::{Context, Result, bail};
use std::path::Path;
use zkpsm_light::sp1::Sp1Paths;

/// The verifying key hash of the SP1 guest built from this source tree, as `scripts/test-sp1`
/// checks it against `sp1/guest.vk`; `zkpsm init` pins it in genesis.
pub const GUEST_VK: &str = include_str!("../../../sp1/guest.vk").trim_ascii();

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
