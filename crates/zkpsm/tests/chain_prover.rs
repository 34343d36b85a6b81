//! The chain prover on a real embedded node process (`zkpsm start --prove`, one transaction per
//! block): the compressed proof it serves verifies from the genesis state, ends in the state whose
//! app hash the node committed, and the prover resumes after a SIGKILL without refolding.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use zkpsm_app::App;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::SpendKeys;
use zkpsm_proofs::chain::{ChainParams, ChainProof};
use zkpsm_state::ChainState;

/// Asks for a proof and waits until one covers at least `height`.
fn proof_through(node: &NodeProcess, height: u64) -> (ChainProof, String) {
    node.client.request_chain_proof().unwrap();
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        if let Ok(info) = node.client.chain_proof()
            && info.height >= height
        {
            let bytes = hex::decode(&info.proof).unwrap();
            let proof: ChainProof = borsh::from_slice(&bytes).unwrap();
            assert_eq!(proof.height, info.height);
            return (proof, info.app_hash);
        }
        assert!(Instant::now() < deadline, "no chain proof in time");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn the_node_proves_its_chain_and_resumes_after_a_crash() {
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let genesis = init(
        &home,
        &alice,
        2,
        100,
        &["--block-interval-ms", "3000", "--max-txs-per-block", "1"],
    );
    // The light client's view: the genesis state, computed from the genesis document alone.
    let z0 = App::open(
        &dir.path().join("light.redb"),
        genesis.clone(),
        SpendKeys::shared().unwrap(),
        Vec::new(),
    )
    .unwrap()
    .head()
    .unwrap()
    .state
    .z();
    let params = ChainParams::setup(1).unwrap();

    let port = free_port();
    let node = NodeProcess::start_with(&home, port, &["--prove", "--compress-every", "0"]);
    // The chain is empty before the prover has anything to show.
    assert!(node.client.chain_proof().is_err());
    let txs = genesis_spends(&genesis, &alice, &[0], 40);
    node.client.submit(&txs[0]).unwrap();
    let settled = node.wait_settled(0);

    let (proof, app_hash) = proof_through(&node, settled);
    params.verifier_key().verify(&z0, &proof).unwrap();
    let state = ChainState::from_z(&proof.state()).unwrap();
    assert_eq!(state.height, proof.height);
    assert_eq!(hex::encode(state.app_hash(&[])), app_hash);
    assert_eq!(state.supply, 200 - 1);

    // SIGKILL, restart: the prover resumes where it was and folds on, redoing nothing.
    node.kill9();
    let log_of = || std::fs::read_to_string(home.join("node.log")).unwrap();
    let folded_before = log_of().matches("chain prover: folded block").count() as u64;
    let node = NodeProcess::start_with(&home, port, &["--prove", "--compress-every", "0"]);
    let deadline = Instant::now() + Duration::from_secs(300);
    let resumed = loop {
        let log = log_of();
        assert!(!log.contains("chain prover stopped"), "{log}");
        if let Some(line) = log
            .lines()
            .find(|l| l.contains("chain prover: resuming at block"))
        {
            let at: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
            if log.contains(&format!("chain prover: folded block {}/", at + 1)) {
                break at;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the prover did not resume: {log}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!((folded_before..=folded_before + 1).contains(&resumed));
    assert_eq!(log_of().matches("chain prover: folded block 1/").count(), 1);
    drop(node);
}
