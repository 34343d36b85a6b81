//! `zkpsm verify`: the light client. From the chain's genesis document alone (never from the node)
//! it computes the genesis state and derives the chain verifier key; from the node it takes the
//! latest compressed chain proof, the sequencer's signed commit of that height, and Merkle proofs
//! for the nullifiers and commitments asked about, and checks each. Any failure is an error with a
//! reason (exit 1).

use anyhow::{Context, Result, anyhow, bail};
use std::path::Path;
use std::time::Instant;
use zkpsm_api::client::Client;
use zkpsm_app::{App, Genesis};
use zkpsm_light::{check_chain_proof, check_commitment, check_nullifier, check_sequencer_commit};
use zkpsm_primitives::chain_step::{Digest, PathWitness};
use zkpsm_primitives::field;
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::merkle::DEPTH;
use zkpsm_proofs::SpendKeys;
use zkpsm_proofs::chain::{ChainParams, ChainProof};

fn hex32(text: &str, what: &str) -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).map_err(|_| anyhow!("{what}: not 32 bytes of hex"))?;
    Ok(bytes)
}

fn path_of(info: &zkpsm_api::types::PathInfo) -> Result<PathWitness> {
    if info.siblings.len() != DEPTH {
        bail!(
            "a path of {} siblings (expected {DEPTH})",
            info.siblings.len()
        );
    }
    let mut siblings = [Digest::default(); DEPTH];
    for (s, text) in siblings.iter_mut().zip(&info.siblings) {
        *s = Digest::from_bytes(&hex32(text, "path sibling")?)
            .map_err(|e| anyhow!("path sibling: {e}"))?;
    }
    Ok(PathWitness {
        index: info.index,
        siblings,
    })
}

/// Runs the light client against the node at `node`.
pub fn run(
    node: &str,
    genesis_file: &Path,
    nullifiers: &[String],
    commitments: &[String],
) -> Result<()> {
    let text = std::fs::read_to_string(genesis_file)
        .with_context(|| format!("reading the genesis {}", genesis_file.display()))?;
    let genesis = Genesis::from_json(&text)?;
    let Some(sequencer) = genesis.sequencer_key()? else {
        bail!(
            "this genesis names no sequencer (a CometBFT chain): checking a CometBFT commit is \
             not supported by this light client yet"
        );
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
    println!("genesis state computed from {}", genesis_file.display());

    let client = Client::new(node);
    let info = client
        .chain_proof()
        .with_context(|| format!("fetching the chain proof from {node}"))?;
    let proof: ChainProof =
        borsh::from_slice(&hex::decode(&info.proof).map_err(|_| anyhow!("the proof is not hex"))?)
            .map_err(|e| anyhow!("the proof does not decode: {e}"))?;
    let module_roots = info
        .module_roots
        .iter()
        .map(|(name, root)| Ok((name.clone(), hex32(root, "module root")?)))
        .collect::<Result<Vec<_>>>()?;

    let capacity = genesis.params.max_txs_per_block as usize;
    eprintln!("deriving the chain verifier key for {capacity} transactions per block ...");
    let started = Instant::now();
    let params = ChainParams::setup(capacity)?;
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());

    let commit = client
        .commit(proof.height)
        .with_context(|| format!("fetching the signed commit of height {}", proof.height))?;
    let committed_app_hash = hex32(&commit.app_hash, "app hash")?;
    let checked = check_chain_proof(
        params.verifier_key(),
        &z0,
        &proof,
        &module_roots,
        &committed_app_hash,
    )?;
    println!(
        "chain proof verified: {} blocks from genesis, state root app hash {}",
        proof.height,
        hex::encode(checked.app_hash)
    );
    let mut signature = [0u8; 64];
    hex::decode_to_slice(&commit.signature, &mut signature)
        .map_err(|_| anyhow!("the commit signature is not 64 bytes of hex"))?;
    check_sequencer_commit(&sequencer, &genesis.chain_id, &checked, &signature)?;
    println!(
        "commit of height {} signed by the genesis sequencer {}",
        proof.height,
        hex::encode(sequencer)
    );
    println!(
        "  note tree: {} notes, nullifier set: {} entries, supply {}",
        checked.state.cm_size,
        checked.state.nf_size - 1,
        checked.state.supply
    );

    for nf_hex in nullifiers {
        let nf = field::from_bytes(&hex32(nf_hex, "nullifier")?, "nullifier")?;
        let answer = client.nullifier_proof(nf_hex, proof.height)?;
        let leaf_bytes: [u8; 72] = hex::decode(&answer.leaf)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow!("the nullifier leaf is not 72 bytes of hex"))?;
        let leaf = NullifierLeaf::from_bytes(&leaf_bytes)?;
        check_nullifier(&checked, &nf, answer.spent, leaf, path_of(&answer.path)?)?;
        println!(
            "nullifier {nf_hex}: {} at height {} (proof checked against the proven nullifier root)",
            if answer.spent { "SPENT" } else { "unspent" },
            proof.height
        );
    }
    for cm_hex in commitments {
        let cm = field::from_bytes(&hex32(cm_hex, "commitment")?, "commitment")?;
        let answer = client.commitment_proof(cm_hex, proof.height)?;
        let path = path_of(&answer.path)?;
        check_commitment(&checked, &cm, &path)?;
        println!(
            "commitment {cm_hex}: in the note tree at position {} (proof checked against the proven root)",
            path.index
        );
    }
    println!(
        "trusted, not proven: that each transaction's spend proof verifies (the sequencer checked \
         them; anyone can re-check them from the blocks)"
    );
    Ok(())
}
