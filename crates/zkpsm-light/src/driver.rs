//! The light client's driver (`zkpsm verify`): it fetches what the checks of this crate's root
//! need and writes what it checked, line by line, to a writer. From the chain's genesis document alone (never from the node)
//! it computes the genesis state and derives the chain verifier key (cached on disk by
//! [`crate::key_cache`]); from the node it takes the
//! latest compressed chain proof (or it reads a proof file: a Nova chain proof, or an SP1 proof of a
//! block range that the SP1 host checks under the guest key genesis pins) and Merkle proofs for the
//! nullifiers and commitments asked about;
//! and it checks that the chain committed the proven app hash: the embedded sequencer's signature
//! (from the node), or a CometBFT commit signed by more than 2/3 of the voting power of the
//! validator set in CometBFT's genesis (from a CometBFT RPC). Any failure is an error with a reason
//! (`zkpsm verify` exits 1).

use crate::cometbft_rpc::{fetch_commit, latest_block_height};
use crate::key_cache;
use crate::sp1::Sp1Paths;
use crate::trust::TrustRoot;
use crate::{
    CheckedState, check_chain_proof, check_commitment, check_nullifier, check_range, same_app_hash,
};
use anyhow::{Context, Result, anyhow, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zkpsm_api::client::Client;
use zkpsm_app::{App, Genesis};
use zkpsm_chain_proof::ChainProof;
use zkpsm_da::block_blob::BlockCommit;
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{Digest, NodePath, PathWitness, Z_LEN};
use zkpsm_primitives::field;
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::merkle::DEPTH;
use zkpsm_primitives::tree::TreeShape;
use zkpsm_proofs::SpendKeys;
use zkpsm_state::ChainState;

fn hex32(text: &str, what: &str) -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).map_err(|_| anyhow!("{what}: not 32 bytes of hex"))?;
    Ok(bytes)
}

/// A path from the API with `expected` siblings.
fn node_path_of(info: &zkpsm_api::types::PathInfo, expected: usize) -> Result<NodePath> {
    if info.siblings.len() != expected {
        bail!(
            "a path of {} siblings (expected {expected})",
            info.siblings.len()
        );
    }
    let siblings = info
        .siblings
        .iter()
        .map(|text| {
            Digest::from_bytes(&hex32(text, "path sibling")?)
                .map_err(|e| anyhow!("path sibling: {e}"))
        })
        .collect::<Result<_>>()?;
    Ok(NodePath {
        index: info.index,
        siblings,
    })
}

/// A note commitment's path from the API.
fn note_path_of(info: &zkpsm_api::types::PathInfo) -> Result<PathWitness> {
    let path = node_path_of(info, DEPTH)?;
    let siblings: [Digest; DEPTH] = path
        .siblings
        .try_into()
        .map_err(|_| anyhow!("a note path of the wrong length"))?;
    Ok(PathWitness {
        index: path.index,
        siblings,
    })
}

/// The chain as the light client trusts it: its genesis, the trust root genesis names, and where
/// a CometBFT chain's commits are fetched.
struct TrustedChain<'a> {
    genesis: &'a Genesis,
    trust: TrustRoot,
    cometbft_rpc: Option<&'a str>,
}

/// The evidence that the chain committed an app hash at `height`: the sequencer's signature
/// (from the node), or CometBFT's header `height + 1` with its validators (from its RPC, waiting
/// up to `wait` for it).
fn fetch_block_commit(
    client: &Client,
    chain: &TrustedChain,
    height: u64,
    wait: Duration,
) -> Result<BlockCommit> {
    Ok(match &chain.trust {
        TrustRoot::Sequencer(_) => {
            let commit = client
                .commit(height)
                .with_context(|| format!("fetching the signed commit of height {height}"))?;
            let mut signature = [0u8; 64];
            hex::decode_to_slice(&commit.signature, &mut signature)
                .map_err(|_| anyhow!("the commit signature is not 64 bytes of hex"))?;
            BlockCommit::Sequencer {
                app_hash: hex32(&commit.app_hash, "app hash")?,
                signature,
            }
        }
        TrustRoot::CometBft(_) => {
            let rpc = cometbft_rpc(chain)?;
            let (signed_header, validators) =
                fetch_commit(rpc, height + 1, wait)?.ok_or_else(|| {
                    anyhow!(
                        "CometBFT at {rpc} has not committed height {} in {} s",
                        height + 1,
                        wait.as_secs()
                    )
                })?;
            BlockCommit::Cometbft {
                signed_header: serde_json::to_vec(&signed_header)?,
                validators: serde_json::to_vec(&validators)?,
            }
        }
    })
}

/// The CometBFT RPC the light client was given.
fn cometbft_rpc<'a>(chain: &TrustedChain<'a>) -> Result<&'a str> {
    chain.cometbft_rpc.ok_or_else(|| {
        anyhow!("a CometBFT chain: pass --cometbft-rpc URL to fetch the validators' commit")
    })
}

/// Checks that the chain committed the app hash of `checked`, under its trust root: the
/// sequencer's signature (from the node), or CometBFT's commit (from its RPC).
fn check_commit(
    out: &mut dyn Write,
    client: &Client,
    chain: &TrustedChain,
    checked: &CheckedState,
) -> Result<()> {
    let (genesis, trust) = (chain.genesis, &chain.trust);
    let height = checked.state.height;
    let commit = fetch_block_commit(client, chain, height, Duration::from_secs(60))?;
    let committed = trust.committed_app_hash(&genesis.chain_id, height, &commit)?;
    same_app_hash(&checked.app_hash, &committed)?;
    match trust {
        TrustRoot::Sequencer(sequencer) => writeln!(
            out,
            "commit of height {height} signed by the genesis sequencer {}",
            hex::encode(sequencer)
        )?,
        TrustRoot::CometBft(trusted) => writeln!(
            out,
            "app hash of height {height} committed in CometBFT header {}, signed by more than \
             2/3 of the voting power of the {} genesis validators",
            height + 1,
            trusted.validators().len()
        )?,
    }
    Ok(())
}

/// How many blocks the proof may lag behind the chain's latest commit unless `--max-lag` says
/// otherwise: a proof older than that may show a note spent since as unspent.
pub const DEFAULT_MAX_LAG: u64 = 10;

/// The chain's latest height whose app hash is committed, checked under its trust root: the
/// sequencer's signed commit of the node's head, or the app height that CometBFT's latest header
/// commits (one below it), signed by more than 2/3 of the genesis validators' power. A node or
/// RPC can hide newer commits (as it can withhold blocks), never claim one that was not made.
fn latest_committed_height(client: &Client, chain: &TrustedChain) -> Result<u64> {
    let height = match &chain.trust {
        TrustRoot::Sequencer(_) => {
            client
                .status()
                .context("asking the node for its latest height")?
                .height
        }
        TrustRoot::CometBft(_) => {
            let rpc = cometbft_rpc(chain)?;
            latest_block_height(rpc)?.saturating_sub(1)
        }
    };
    let commit = fetch_block_commit(client, chain, height, Duration::from_secs(10))?;
    chain
        .trust
        .committed_app_hash(&chain.genesis.chain_id, height, &commit)
        .with_context(|| format!("the chain's latest commit, of height {height}"))?;
    Ok(height)
}

/// Fails when the proof of `proven` blocks lags the chain's latest commit by more than `max_lag`
/// blocks; says how far behind it is either way.
fn check_freshness(
    out: &mut dyn Write,
    client: &Client,
    chain: &TrustedChain,
    proven: u64,
    max_lag: u64,
) -> Result<()> {
    let latest = latest_committed_height(client, chain)?;
    let lag = latest.saturating_sub(proven);
    writeln!(
        out,
        "freshness: the chain's latest commit is height {latest}; the proof is {lag} blocks behind \
         it (at most {max_lag} allowed)"
    )?;
    if lag > max_lag {
        bail!(
            "the proof covers height {proven}, {lag} blocks behind the chain's latest commit \
             (height {latest}), more than --max-lag {max_lag}: what it says about nullifiers may \
             be stale. Ask the node for a fresh proof (POST /v1/chain-proof), or accept this one \
             with a larger --max-lag"
        );
    }
    Ok(())
}

/// Where the light client takes the proof from.
pub enum ProofSource {
    /// The node's latest compressed Nova chain proof.
    Node,
    /// A Nova chain proof in a file (`zkpsm prove --backend nova`).
    NovaFile(PathBuf),
    /// An SP1 proof of a block range in a file (`zkpsm prove --backend sp1`), checked by the SP1
    /// host under the guest key genesis pins.
    Sp1File(PathBuf, Sp1Paths),
}

/// The other modules' roots after `height`, from the node (the app hash covers them).
fn module_roots_at(client: &Client, height: u64) -> Result<Vec<(String, [u8; 32])>> {
    let block = client
        .block(height)
        .with_context(|| format!("fetching block {height}'s module roots"))?;
    parse_roots(&block.module_roots)
}

fn parse_roots(roots: &[(String, String)]) -> Result<Vec<(String, [u8; 32])>> {
    roots
        .iter()
        .map(|(name, root)| Ok((name.clone(), hex32(root, "module root")?)))
        .collect()
}

/// Verifies a Nova chain proof from genesis and computes the app hash it implies, under the
/// chain verifier key from `key_cache` (derived and cached there if it is not); a proof that
/// fails under a cached key is checked again under a freshly derived one, so that a stale cache
/// never refuses a valid proof, and the cache is rewritten with that key if it differs.
fn check_nova(
    out: &mut dyn Write,
    genesis: &Genesis,
    key_cache: Option<&Path>,
    z0: &[Fq; Z_LEN],
    proof: &ChainProof,
    module_roots: &[(String, [u8; 32])],
) -> Result<CheckedState> {
    let (key, cached) = key_cache::load_or_derive(key_cache, genesis)?;
    let checked = match check_chain_proof(&key, z0, proof, module_roots) {
        Err(e) if cached => {
            tracing::warn!(
                "the chain proof fails under the cached verifier key ({e}): checking it again \
                 under one derived now"
            );
            let derived = key_cache::derive(genesis)?;
            if derived.digest() == key.digest() {
                return Err(e.into());
            }
            let checked = check_chain_proof(&derived, z0, proof, module_roots)?;
            if let Some(dir) = key_cache {
                tracing::warn!("the cached key was not this chain's: replacing it");
                key_cache::keep(dir, genesis, &derived);
            }
            checked
        }
        checked => checked?,
    };
    writeln!(
        out,
        "chain proof verified: {} blocks from genesis, state root app hash {}",
        proof.height,
        hex::encode(checked.app_hash)
    )?;
    Ok(checked)
}

/// Checks an SP1 proof of a block range; the range's start, unless genesis, against its commit.
fn check_sp1(
    out: &mut dyn Write,
    client: &Client,
    chain: &TrustedChain,
    z0: &[Fq; Z_LEN],
    file: &Path,
    paths: &Sp1Paths,
) -> Result<CheckedState> {
    let vk = chain.genesis.sp1_vk.as_deref().ok_or_else(|| {
        anyhow!("this genesis pins no SP1 guest key (sp1_vk), so no SP1 proof can be trusted")
    })?;
    let statement = crate::sp1::verify(paths, file, vk)?;
    let from = ChainState::from_z(&statement.z_before).map_or(0, |s| s.height);
    let to = from.saturating_add(statement.blocks);
    // A range from genesis needs no start roots: its start is the genesis state itself.
    let roots_before = if statement.z_before == *z0 {
        Vec::new()
    } else {
        module_roots_at(client, from)?
    };
    let (start, end) = check_range(z0, &statement, &roots_before, &module_roots_at(client, to)?)?;
    writeln!(
        out,
        "SP1 proof verified under the genesis guest key {vk}: blocks {}..={to}, state root \
         app hash {}",
        from + 1,
        hex::encode(end.app_hash)
    )?;
    match start {
        None => writeln!(out, "  the range starts at the genesis state")?,
        Some(start) => {
            check_commit(out, client, chain, &start)?;
            writeln!(
                out,
                "  the range starts at height {from}, whose state is trusted to that commit's \
                 signers (blocks 1..={from} are not in this proof)"
            )?;
        }
    }
    Ok(end)
}

/// Runs the light client against the node at `node`, on the proof from `source`, which may lag
/// the chain's latest commit by at most `max_lag` blocks; `cometbft` is a CometBFT chain's RPC
/// address and genesis document; the chain verifier key is cached in `key_cache`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    node: &str,
    genesis_file: &Path,
    cometbft: Option<(String, PathBuf)>,
    key_cache: Option<&Path>,
    source: ProofSource,
    max_lag: u64,
    nullifiers: &[String],
    commitments: &[String],
    out: &mut dyn Write,
) -> Result<()> {
    let text = std::fs::read_to_string(genesis_file)
        .with_context(|| format!("reading the genesis {}", genesis_file.display()))?;
    let genesis = Genesis::from_json(&text)?;
    let chain = TrustedChain {
        genesis: &genesis,
        trust: TrustRoot::of(&genesis, cometbft.as_ref().map(|(_, file)| file.as_path()))?,
        cometbft_rpc: cometbft.as_ref().map(|(rpc, _)| rpc.as_str()),
    };
    let dir = tempfile::tempdir()?;
    let z0 = App::open(
        &dir.path().join("genesis.redb"),
        genesis.clone(),
        SpendKeys::shared()?,
        Vec::new(),
    )?
    .head()?
    .state
    .z();
    writeln!(
        out,
        "genesis state computed from {}",
        genesis_file.display()
    )?;

    let client = Client::new(node);
    let decode = |bytes: &[u8]| -> Result<ChainProof> {
        borsh::from_slice(bytes).map_err(|e| anyhow!("the proof does not decode: {e}"))
    };
    let checked = match source {
        ProofSource::Node => {
            let info = client
                .chain_proof()
                .with_context(|| format!("fetching the chain proof from {node}"))?;
            let proof =
                decode(&hex::decode(&info.proof).map_err(|_| anyhow!("the proof is not hex"))?)?;
            check_nova(
                out,
                &genesis,
                key_cache,
                &z0,
                &proof,
                &parse_roots(&info.module_roots)?,
            )?
        }
        ProofSource::NovaFile(file) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let proof = decode(&bytes)?;
            let roots = module_roots_at(&client, proof.height)?;
            check_nova(out, &genesis, key_cache, &z0, &proof, &roots)?
        }
        ProofSource::Sp1File(file, paths) => check_sp1(out, &client, &chain, &z0, &file, &paths)?,
    };
    let height = checked.state.height;
    check_commit(out, &client, &chain, &checked)?;
    check_freshness(out, &client, &chain, height, max_lag)?;
    writeln!(
        out,
        "  note tree: {} notes, nullifier set: {} entries, supply {}",
        checked.state.cm_size,
        checked.state.nf_size - 1,
        checked.state.supply
    )?;

    for nf_hex in nullifiers {
        let nf = field::from_bytes(&hex32(nf_hex, "nullifier")?, "nullifier")?;
        let answer = client.nullifier_proof(nf_hex, height)?;
        let leaf_bytes: [u8; 72] = hex::decode(&answer.leaf)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow!("the nullifier leaf is not 72 bytes of hex"))?;
        let leaf = NullifierLeaf::from_bytes(&leaf_bytes)?;
        check_nullifier(
            &checked,
            &nf,
            answer.spent,
            leaf,
            node_path_of(&answer.path, TreeShape::NULLIFIERS.path_len(0))?,
        )?;
        writeln!(
            out,
            "nullifier {nf_hex}: {} at height {} (proof checked against the proven nullifier root)",
            if answer.spent { "SPENT" } else { "unspent" },
            height
        )?;
    }
    for cm_hex in commitments {
        let cm = field::from_bytes(&hex32(cm_hex, "commitment")?, "commitment")?;
        let answer = client.commitment_proof(cm_hex, height)?;
        let path = note_path_of(&answer.path)?;
        check_commitment(&checked, &cm, &path)?;
        writeln!(
            out,
            "commitment {cm_hex}: in the note tree at position {} (proof checked against the proven root)",
            path.index
        )?;
    }
    writeln!(
        out,
        "trusted, not proven: that each transaction's spend proof verifies (the sequencer or \
         validators checked them; anyone can re-check them from the blocks)"
    )?;
    Ok(())
}
