//! `zkpsm bench …`: runs the `zkpsm-bench` binary built next to this one, so that the node's
//! binary links none of the benchmarks' peers (Orchard).

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::process::Command;

/// Runs `zkpsm-bench ARGS`, failing with its exit status.
pub fn run(args: &[OsString]) -> Result<()> {
    let name = format!("zkpsm-bench{}", std::env::consts::EXE_SUFFIX);
    let bench = std::env::current_exe()?.with_file_name(name);
    if !bench.is_file() {
        bail!(
            "no benchmark binary at {}: build it with `cargo build -p zkpsm-bench` (or run \
             `cargo run -p zkpsm-bench -- …`)",
            bench.display()
        );
    }
    let status = Command::new(&bench)
        .args(args)
        .status()
        .with_context(|| format!("running {}", bench.display()))?;
    if !status.success() {
        bail!("{} {args:?} failed ({status})", bench.display());
    }
    Ok(())
}
