//! The chain verifier key, derived from genesis once and kept on disk. Deriving it sets the whole
//! chain step up (100 MB and about 10 s at one transaction per block, about 1 GB and a minute at
//! 32); a later run reads the file instead.
//!
//! A file is named after the genesis digest and holds the build that wrote it (the blake3 of the
//! running executable, so that a key of another build, whose circuit may differ, is never taken
//! for this one's), the genesis digest, the step capacity, the key's digest and the key. Each is
//! checked on load: a file of another build, genesis or capacity, or whose key does not match its
//! digest (damaged, or tampered by hand), is reported and rebuilt. The digest cannot tell a key
//! swapped in together with its own digest: the cache is trusted as the user's own disk is
//! (docs/security.md). A proof that fails under a cached key is checked again under a freshly
//! derived one, and the file is rewritten with that key if it differs.

use anyhow::{Context, Result};
use borsh::{BorshDeserialize, BorshSerialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;
use zkpsm_app::Genesis;
use zkpsm_chain_proof::{ChainParams, ChainVerifierKey};

/// What a cache file holds.
#[derive(BorshSerialize, BorshDeserialize)]
struct CachedKey {
    version: String,
    genesis: [u8; 32],
    capacity: u32,
    digest: [u8; 32],
    key: Vec<u8>,
}

/// The build written in and required of every cache file: this crate's version and the blake3
/// of the running executable, hashed once per process: the write after a failed load, or the
/// repair after a failed proof, reuses the hash the load made.
fn build() -> Result<&'static str> {
    static BUILD: OnceLock<Result<String, String>> = OnceLock::new();
    let hashed = BUILD.get_or_init(|| {
        let exe = std::env::current_exe().map_err(|e| format!("locating this executable: {e}"))?;
        let file =
            std::fs::File::open(&exe).map_err(|e| format!("opening {}: {e}", exe.display()))?;
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(file)
            .map_err(|e| format!("reading {}: {e}", exe.display()))?;
        Ok(format!(
            "zkpsm-light {} {}",
            env!("CARGO_PKG_VERSION"),
            hasher.finalize().to_hex()
        ))
    });
    hashed.as_deref().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Where keys are cached unless `--key-cache` says: `$XDG_CACHE_HOME/zkpsm`, else
/// `$HOME/.cache/zkpsm`; none without either.
pub fn default_dir() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("XDG_CACHE_HOME")
        .or_else(|| from("HOME").map(|home| home.join(".cache")))
        .map(|dir| dir.join("zkpsm"))
}

/// Derives the chain verifier key of `genesis` from its step capacity.
pub(crate) fn derive(genesis: &Genesis) -> Result<ChainVerifierKey> {
    let capacity = genesis.params.max_txs_per_block as usize;
    tracing::info!("deriving the chain verifier key for {capacity} transactions per block ...");
    let started = Instant::now();
    let key = ChainParams::setup(capacity)?.into_verifier_key();
    tracing::info!(
        "derived the chain verifier key in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(key)
}

/// Where `genesis`' key is cached in `dir`.
fn file_for(dir: &Path, genesis: &Genesis) -> (PathBuf, [u8; 32]) {
    let digest = *blake3::hash(&genesis.to_bytes()).as_bytes();
    let file = dir.join(format!("chain-vk-{}.bin", hex::encode(&digest[..16])));
    (file, digest)
}

/// The chain verifier key of `genesis`: from `dir`'s file for it when that file checks, else
/// derived and written there (with no `dir`, derived). Says which it did through `tracing`, and
/// returns whether the key came from the cache.
pub(crate) fn load_or_derive(
    dir: Option<&Path>,
    genesis: &Genesis,
) -> Result<(ChainVerifierKey, bool)> {
    let Some(dir) = dir else {
        return Ok((derive(genesis)?, false));
    };
    let (file, genesis_digest) = file_for(dir, genesis);
    if file.exists() {
        let started = Instant::now();
        match read(&file, &genesis_digest, genesis.params.max_txs_per_block) {
            Ok(key) => {
                tracing::info!(
                    "loaded the cached chain verifier key {} in {:.1} s",
                    file.display(),
                    started.elapsed().as_secs_f64()
                );
                return Ok((key, true));
            }
            Err(e) => tracing::warn!(
                "the cached chain verifier key {} is unusable ({e:#}): deriving it again",
                file.display()
            ),
        }
    }
    let key = derive(genesis)?;
    keep(dir, genesis, &key);
    Ok((key, false))
}

/// Writes `key` as `genesis`' cached key in `dir`, replacing any; a failure is logged (the check
/// goes on without a cache, and the next run derives the key again).
pub(crate) fn keep(dir: &Path, genesis: &Genesis, key: &ChainVerifierKey) {
    let (file, genesis_digest) = file_for(dir, genesis);
    match write(
        &file,
        &genesis_digest,
        genesis.params.max_txs_per_block,
        key,
    ) {
        Ok(()) => tracing::info!("cached the chain verifier key at {}", file.display()),
        Err(e) => tracing::warn!("could not cache the chain verifier key: {e:#}"),
    }
}

fn read(file: &Path, genesis: &[u8; 32], capacity: u32) -> Result<ChainVerifierKey> {
    let bytes = std::fs::read(file).context("reading it")?;
    let cached = CachedKey::try_from_slice(&bytes).context("it does not decode")?;
    let build = build()?;
    anyhow::ensure!(
        cached.version == build,
        "written by {}, this is {build}",
        cached.version
    );
    anyhow::ensure!(&cached.genesis == genesis, "it is another genesis' key");
    anyhow::ensure!(
        cached.capacity == capacity,
        "it is for {} transactions per block, genesis says {capacity}",
        cached.capacity
    );
    Ok(ChainVerifierKey::from_bytes(&cached.key, &cached.digest)?)
}

/// Writes the file whole or not at all: to a fresh temporary file beside it (never a name
/// another process or a planted link shares), synced, then renamed over it.
fn write(file: &Path, genesis: &[u8; 32], capacity: u32, key: &ChainVerifierKey) -> Result<()> {
    let dir = file.parent().context("the cache file has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let cached = CachedKey {
        version: build()?.to_owned(),
        genesis: *genesis,
        capacity,
        digest: key.digest(),
        key: key.to_bytes()?,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, &borsh::to_vec(&cached)?)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file)
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}
