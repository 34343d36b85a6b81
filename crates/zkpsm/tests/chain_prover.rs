//! The chain prover on a real embedded node process (`zkpsm start --prove`, one transaction per
//! block): the compressed proof it serves verifies from the genesis state, ends in the state whose
//! app hash the node committed and the sequencer signed; the light client (`zkpsm verify`) checks
//! all of it and answers about nullifiers and commitments; the prover resumes after a SIGKILL
//! without refolding. A node without a prover keeps no step witnesses, and `zkpsm prove`
//! regenerates them from its committed blocks.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use zkpsm_app::{App, ChainTx};
use zkpsm_chain_proof::ChainParams;
use zkpsm_light::{LightError, check_chain_proof, check_nullifier, check_sequencer_commit};
use zkpsm_primitives::chain_step::{Digest, NodePath};
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::SpendKeys;
use zkpsm_state::{ChainState, Store};
use zkpsm_test_support::payment_fee;

/// The chain step of one transaction per block, set up once for this test binary.
fn chain_params() -> &'static ChainParams {
    static PARAMS: OnceLock<ChainParams> = OnceLock::new();
    PARAMS.get_or_init(|| ChainParams::setup(1).unwrap())
}

/// The genesis state a light client computes from the genesis document alone.
fn genesis_z(dir: &std::path::Path, genesis: &zkpsm_app::Genesis) -> [zkpsm_primitives::Fq; 8] {
    App::open(
        &dir.join("light.redb"),
        genesis.clone(),
        SpendKeys::shared().unwrap(),
        Vec::new(),
    )
    .unwrap()
    .head()
    .unwrap()
    .state
    .z()
}

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
    let z0 = genesis_z(dir.path(), &genesis);
    let params = chain_params();

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
    let key_cache = dir.path().join("key-cache");
    let out = Command::new(BIN)
        .args(["verify", "--node", &node.url, "--genesis"])
        .arg(home.join("genesis.json"))
        .arg("--key-cache")
        .arg(&key_cache)
        .args(["--nullifier", &spent, "--nullifier", &unspent])
        .args(["--commitment", &created])
        .output()
        .unwrap();
    let (printed, errors) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{printed}{errors}");
    // The first run derives the chain verifier key and keeps it.
    assert!(
        errors.contains("derived the chain verifier key in"),
        "{errors}"
    );
    assert!(
        errors.contains("cached the chain verifier key at"),
        "{errors}"
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
            .arg("--key-cache")
            .arg(&key_cache)
            .args(["--max-lag", max_lag, "--nullifier", &unspent])
            .output()
            .unwrap()
    };
    let from_cache = |errors: &str| {
        errors.contains("loaded the cached chain verifier key")
            && !errors.contains("derived the chain verifier key")
    };
    let stale = light_client("2");
    let (printed, errors) = (
        String::from_utf8_lossy(&stale.stdout),
        String::from_utf8_lossy(&stale.stderr),
    );
    assert!(!stale.status.success(), "{printed}");
    assert!(from_cache(&errors), "{errors}");
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
    let errors = String::from_utf8_lossy(&tolerated.stderr);
    assert!(tolerated.status.success(), "{printed}{errors}");
    assert!(from_cache(&errors), "{errors}");
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

    // A damaged cache file is reported and rebuilt, and the check passes.
    let cache_file = std::fs::read_dir(&key_cache)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "bin"))
        .expect("the cached key's file");
    let mut damaged = std::fs::read(&cache_file).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    std::fs::write(&cache_file, &damaged).unwrap();
    let rebuilt = light_client("20");
    let errors = String::from_utf8_lossy(&rebuilt.stderr);
    assert!(rebuilt.status.success(), "{errors}");
    assert!(
        errors.contains("is unusable") && errors.contains("do not match their digest"),
        "{errors}"
    );
    assert!(
        errors.contains("cached the chain verifier key at"),
        "{errors}"
    );
    let again = String::from_utf8_lossy(&light_client("20").stderr).into_owned();
    assert!(from_cache(&again), "{again}");

    // A cached key of another circuit, stored with its own digest, passes the file's checks but
    // not the proof: the proof is checked again under a derived key, and passes.
    let good = std::fs::read(&cache_file).unwrap();
    let (version, genesis_digest, capacity, _, _): (String, [u8; 32], u32, [u8; 32], Vec<u8>) =
        borsh::from_slice(&good).unwrap();
    let other = ChainParams::setup(2).unwrap().into_verifier_key();
    let swapped = (
        version,
        genesis_digest,
        capacity,
        other.digest(),
        other.to_bytes().unwrap(),
    );
    std::fs::write(&cache_file, borsh::to_vec(&swapped).unwrap()).unwrap();
    let rechecked = light_client("20");
    let errors = String::from_utf8_lossy(&rechecked.stderr);
    assert!(rechecked.status.success(), "{errors}");
    assert!(
        errors.contains("the chain proof fails under the cached verifier key"),
        "{errors}"
    );
    // The cache is repaired: the next run takes the key from it and checks the proof once.
    assert!(errors.contains("replacing it"), "{errors}");
    let repaired = String::from_utf8_lossy(&light_client("20").stderr).into_owned();
    assert!(from_cache(&repaired), "{repaired}");
    assert!(!repaired.contains("fails under"), "{repaired}");

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

    // Until now the prover found every block's witness kept for it: it never replayed.
    let log = log_of();
    assert!(!log.contains("regenerating the pruned witnesses"), "{log}");

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

#[test]
fn a_node_without_a_prover_keeps_no_witnesses_and_prove_regenerates_them() {
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let genesis = init(
        &home,
        &alice,
        2,
        100,
        &[
            "--block-interval-ms",
            "200",
            "--max-txs-per-block",
            "1",
            "--no-empty-blocks",
        ],
    );
    let port = free_port();
    let node = NodeProcess::start(&home, port);
    let mut head = 0;
    for tx in genesis_spends(&genesis, &alice, &[0, 1], 40) {
        node.client.submit(&tx).unwrap();
        head = node.wait_settled(head);
    }
    assert_eq!(head, 2);
    node.kill9();
    let kept = || {
        Store::open(&home.join("state.redb"))
            .unwrap()
            .kept_step_witnesses()
            .unwrap()
    };
    assert_eq!(kept(), 0, "a node without a prover kept step witnesses");

    let prove = |blocks: &str, out: &std::path::Path| {
        let run = Command::new(BIN)
            .args(["prove", "--backend", "nova", "--blocks", blocks, "--home"])
            .arg(&home)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        (
            run.status.success(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        )
    };
    // A range past the head is refused and regenerates nothing.
    let (ok, stderr) = prove("0..9", &dir.path().join("none.proof"));
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("block 9 is not committed: the node's head is 2"),
        "{stderr}"
    );
    assert_eq!(kept(), 0);

    let out = dir.path().join("chain.proof");
    let (ok, stderr) = prove("0..2", &out);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("regenerated 2 step witnesses the node did not keep"),
        "{stderr}"
    );
    let proof: zkpsm_chain_proof::ChainProof =
        borsh::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(proof.height, 2);
    chain_params()
        .verifier_key()
        .verify(&genesis_z(dir.path(), &genesis), &proof)
        .unwrap();
    let committed = Store::open(&home.join("state.redb"))
        .unwrap()
        .committed_at(2)
        .unwrap()
        .unwrap();
    assert_eq!(proof.state(), committed.state.z());
    assert_eq!(
        kept(),
        2,
        "the regenerated witnesses are kept for the next prove"
    );
    assert!(!home.join("witness-replay.redb").exists());

    // Started again without a prover, the node drops them.
    let node = NodeProcess::start(&home, port);
    node.client.status().unwrap();
    drop(node);
    let log = std::fs::read_to_string(home.join("node.log")).unwrap();
    assert!(
        log.contains("dropped 2 step witnesses kept earlier: no chain prover follows"),
        "{log}"
    );
    assert_eq!(kept(), 0);
}
