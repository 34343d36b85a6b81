//! The chain prover on a real embedded node process (`zkpsm start --prove`, one transaction per
//! block): the compressed proof it serves verifies from the genesis state, ends in the state whose
//! app hash the node committed and the sequencer signed; the light client (`zkpsm verify`) checks
//! all of it and answers about nullifiers and commitments; the prover resumes after a SIGKILL
//! without refolding.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::process::Command;
use std::time::{Duration, Instant};
use zkpsm_app::{App, ChainTx};
use zkpsm_chain_proof::ChainParams;
use zkpsm_light::{LightError, check_chain_proof, check_nullifier, check_sequencer_commit};
use zkpsm_primitives::chain_step::{Digest, NodePath};
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::SpendKeys;
use zkpsm_state::ChainState;
use zkpsm_test_support::payment_fee;

#[test]
fn the_node_proves_its_chain_and_resumes_after_a_crash() {
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let genesis = init(
        &home,
        &alice,
        12,
        100,
        &[
            "--block-interval-ms",
            "500",
            "--max-txs-per-block",
            "1",
            "--no-empty-blocks",
        ],
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
    let txs = genesis_spends(&genesis, &alice, &[0, 1], 40);
    node.client.submit(&txs[0]).unwrap();
    let settled = node.wait_settled(0);

    node.client.request_chain_proof().unwrap();
    // At most one request is outstanding: another, before the proof is made, is refused.
    match node.client.request_chain_proof() {
        Err(zkpsm_api::client::ClientError::Refused(e)) => assert_eq!(e.code, 109, "{}", e.message),
        other => panic!("a second request while one is outstanding: {other:?}"),
    }
    let (proof, app_hash) = proof_through(&node.client, settled);
    params.verifier_key().verify(&z0, &proof).unwrap();
    let state = ChainState::from_z(&proof.state()).unwrap();
    assert_eq!(state.height, proof.height);
    assert_eq!(hex::encode(state.app_hash(&[])), app_hash);
    assert_eq!(state.supply, 1200 - payment_fee(&genesis));

    // The light client, as a user runs it: every check passes and it says what it checked.
    let tx = match ChainTx::decode(&txs[0]).unwrap() {
        ChainTx::Shielded(tx) => tx,
        other => panic!("not a shielded transaction: {other:?}"),
    };
    let spent = tx.body.nullifiers[0].to_string();
    let unspent = zkpsm_primitives::field::to_hex(&zkpsm_primitives::Fq::from(123_456_789));
    let created = tx.body.outputs[0].cm.to_string();
    let out = Command::new(BIN)
        .args(["verify", "--node", &node.url, "--genesis"])
        .arg(home.join("genesis.json"))
        .args(["--nullifier", &spent, "--nullifier", &unspent])
        .args(["--commitment", &created])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("chain proof verified"), "{printed}");
    assert!(
        printed.contains("signed by the genesis sequencer"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("nullifier {spent}: SPENT")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("nullifier {unspent}: unspent")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("commitment {created}: in the note tree")),
        "{printed}"
    );

    // What the light client refuses: another app hash, another sequencer, a wrong answer.
    let vk = params.verifier_key();
    let mut app_hash_bytes = [0u8; 32];
    hex::decode_to_slice(&app_hash, &mut app_hash_bytes).unwrap();
    let checked = check_chain_proof(vk, &z0, &proof, &[]).unwrap();
    assert_eq!(checked.app_hash, app_hash_bytes);
    let commit = node.client.commit(proof.height).unwrap();
    let mut signature = [0u8; 64];
    hex::decode_to_slice(&commit.signature, &mut signature).unwrap();
    let sequencer = genesis.sequencer_key().unwrap().unwrap();
    let chain_id = &genesis.chain_id;
    check_sequencer_commit(&sequencer, chain_id, &checked, &app_hash_bytes, &signature).unwrap();
    assert!(matches!(
        check_sequencer_commit(&sequencer, chain_id, &checked, &[0; 32], &signature),
        Err(LightError::AppHashMismatch { .. })
    ));
    assert!(
        check_sequencer_commit(&[9; 32], chain_id, &checked, &app_hash_bytes, &signature).is_err()
    );
    assert!(
        check_sequencer_commit(
            &sequencer,
            "zkpsm-other",
            &checked,
            &app_hash_bytes,
            &signature
        )
        .is_err()
    );
    let answer = node.client.nullifier_proof(&spent, proof.height).unwrap();
    let leaf =
        NullifierLeaf::from_bytes(&hex::decode(&answer.leaf).unwrap().try_into().unwrap()).unwrap();
    let nf = tx.body.nullifiers[0].0;
    let path = NodePath {
        index: answer.path.index,
        siblings: answer
            .path
            .siblings
            .iter()
            .map(|s| Digest::from_bytes(&hex::decode(s).unwrap().try_into().unwrap()).unwrap())
            .collect(),
    };
    check_nullifier(&checked, &nf, true, leaf, path.clone()).unwrap();
    assert!(check_nullifier(&checked, &nf, false, leaf, path).is_err());

    // The proof went to the DA layer too.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(home.join("node.log"))
        .unwrap()
        .contains(&format!(
            "the chain proof of {} blocks posted",
            proof.height
        ))
    {
        assert!(
            Instant::now() < deadline,
            "the chain proof was not published"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Ten more blocks (one payment each), no new proof: the light client says how far behind the
    // chain's latest signed commit the proof is, and refuses it beyond --max-lag.
    let later = genesis_spends(&genesis, &alice, &(2..12).collect::<Vec<_>>(), 40);
    for tx in &later {
        node.client.submit(tx).unwrap();
    }
    let head = node.wait_settled(settled);
    assert_eq!(head, proof.height + 10);
    let light_client = |max_lag: &str| {
        Command::new(BIN)
            .args(["verify", "--node", &node.url, "--genesis"])
            .arg(home.join("genesis.json"))
            .args(["--max-lag", max_lag, "--nullifier", &unspent])
            .output()
            .unwrap()
    };
    let stale = light_client("2");
    let (printed, errors) = (
        String::from_utf8_lossy(&stale.stdout),
        String::from_utf8_lossy(&stale.stderr),
    );
    assert!(!stale.status.success(), "{printed}");
    assert!(
        errors.contains(&format!(
            "10 blocks behind the chain's latest commit (height {head})"
        )),
        "{errors}"
    );
    assert!(
        !printed.contains("unspent"),
        "a stale proof answered: {printed}"
    );
    let tolerated = light_client("20");
    let printed = String::from_utf8_lossy(&tolerated.stdout);
    assert!(tolerated.status.success(), "{printed}");
    assert!(
        printed.contains(&format!(
            "the chain's latest commit is height {head}; the proof is 10 blocks behind it"
        )),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("nullifier {unspent}: unspent")),
        "{printed}"
    );

    // SIGKILL, restart: the prover resumes where it was and folds on, redoing nothing.
    node.kill9();
    let log_of = || std::fs::read_to_string(home.join("node.log")).unwrap();
    let folded_before = log_of().matches("chain prover: folded block").count() as u64;
    let node = NodeProcess::start_with(&home, port, &["--prove", "--compress-every", "0"]);
    // An idle chain makes no blocks: a new transaction makes the next one.
    node.client.submit(&txs[1]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
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

    // A node synced from the DA store alone checks that proof against the state it rebuilt.
    let out = Command::new(BIN)
        .args(["sync", "--from-da", "--home"])
        .arg(dir.path().join("synced"))
        .arg("--genesis")
        .arg(home.join("genesis.json"))
        .arg("--da-store")
        .arg(home.join("da.redb"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the chain proof of {} blocks verifies and ends in the synced app hash",
            proof.height
        )),
        "{stderr}"
    );

    // The prover's state file corrupt (truncated): it says so, starts again from genesis,
    // regenerates the witnesses it pruned by replaying the committed blocks, and refolds the
    // whole chain into a proof that verifies.
    let state_file = home.join("chain-prover.bin");
    let saved = std::fs::read(&state_file).unwrap();
    std::fs::write(&state_file, &saved[..saved.len() / 2]).unwrap();
    let log_start = log_of().len();
    let node = NodeProcess::start_with(&home, port, &["--prove", "--compress-every", "0"]);
    let head = node.client.status().unwrap().height;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let log = log_of()[log_start..].to_owned();
        assert!(!log.contains("chain prover stopped"), "{log}");
        if log.contains(&format!("chain prover: folded block {head}/{head}")) {
            assert!(log.contains("chain-prover.bin is unreadable"), "{log}");
            assert!(log.contains("regenerating the pruned witnesses"), "{log}");
            assert!(log.contains("chain prover: folded block 1/"), "{log}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the prover did not refold the chain: {log}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let (refolded, _) = proof_through(&node.client, head);
    assert_eq!(refolded.height, head);
    params.verifier_key().verify(&z0, &refolded).unwrap();
}
