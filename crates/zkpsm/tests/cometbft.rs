//! zkpsm served to real CometBFT v0.38 processes (installed by `scripts/install-cometbft`, run by
//! `scripts/cometbft-testnet`): one validator, four validators with one killed and restarted, and
//! crash recovery with the app killed between FinalizeBlock and Commit and right after Commit, and
//! with CometBFT alone killed there on one and on four validators; the
//! light client checking a chain proof against the four validators' signed commit; and a node
//! synced from DA alone on the validators' commits.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tendermint::block::CommitSig;
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use tendermint_rpc::{Client as _, HttpClient, Paging};
use zkpsm_api::client::Client;
use zkpsm_app::{App, Block, ChainTx};
use zkpsm_chain_proof::ChainParams;
use zkpsm_da::block_blob::BlockBlob;
use zkpsm_da::embedded::DEFAULT_MAX_BLOB_BYTES;
use zkpsm_da::envelope::{Kind, join, split};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{DataAvailability, EmbeddedDa, Namespace};
use zkpsm_light::{
    LightError, check_chain_proof, check_cometbft_commit, cometbft_genesis_validators,
};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::SpendKeys;
use zkpsm_test_support::payment_fee;
use zkpsm_wallet::scan::scan;
use zkpsm_wallet::send::send;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A local CometBFT network driven through the project's script.
struct Testnet {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    n: usize,
    base: u16,
    env: Vec<(&'static str, &'static str)>,
}

impl Testnet {
    fn script(&self, args: &[&str], crash: Option<&str>) {
        let mut cmd = Command::new(repo().join("scripts/cometbft-testnet"));
        cmd.args(args)
            .env("ZKPSM_BIN", BIN)
            .env("ZKPSM_TESTNET_BASE_PORT", self.base.to_string())
            .envs(self.env.iter().copied());
        match crash {
            Some(c) => cmd.env("ZKPSM_CRASH_AT", c),
            None => cmd.env_remove("ZKPSM_CRASH_AT"),
        };
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn new(n: usize, base: u16, genesis: &Path) -> Self {
        Self::new_with(n, base, genesis, Vec::new())
    }

    /// A testnet whose script runs with `env` (`ZKPSM_TESTNET_*` settings).
    fn new_with(
        n: usize,
        base: u16,
        genesis: &Path,
        env: Vec<(&'static str, &'static str)>,
    ) -> Self {
        let cometbft = repo().join(".tools/bin/cometbft");
        assert!(
            cometbft.exists(),
            "CometBFT is missing at {}: run scripts/install-cometbft",
            cometbft.display()
        );
        let dir_guard = tempfile::tempdir().unwrap();
        let dir = dir_guard.path().join("net");
        let net = Self {
            _dir: dir_guard,
            dir,
            n,
            base,
            env,
        };
        let dir = net.dir.to_str().unwrap().to_owned();
        net.script(
            &["init", &dir, &n.to_string(), genesis.to_str().unwrap()],
            None,
        );
        net.script(&["start", &dir], None);
        for i in 0..n {
            net.wait_api(i);
        }
        net
    }

    fn dir(&self) -> String {
        self.dir.to_str().unwrap().to_owned()
    }

    fn api(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.base as usize + 10 * i + 3)
    }

    fn client(&self, i: usize) -> Client {
        Client::new(&self.api(i))
    }

    fn cometbft_genesis(&self, i: usize) -> PathBuf {
        self.dir.join(format!("cmt/node{i}/config/genesis.json"))
    }

    fn rpc(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.base as usize + 10 * i + 1)
    }

    fn wait_api(&self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.client(i).status().is_err() {
            assert!(
                Instant::now() < deadline,
                "node {i} API did not come up; logs in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn height(&self, i: usize) -> u64 {
        self.client(i).status().map(|s| s.height).unwrap_or(0)
    }

    fn wait_height(&self, i: usize, height: u64) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while self.height(i) < height {
            assert!(
                Instant::now() < deadline,
                "node {i} did not reach height {height}; logs in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_supply(&self, i: usize, supply: u64) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while self
            .client(i)
            .status()
            .map(|s| s.supply)
            .unwrap_or(u64::MAX)
            != supply
        {
            assert!(
                Instant::now() < deadline,
                "node {i}: supply never reached {supply}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn app_hash(&self, i: usize, height: u64) -> String {
        self.client(i).block(height).unwrap().app_hash
    }

    /// How often `needle` appears in node `i`'s app log.
    fn app_log_count(&self, i: usize, needle: &str) -> usize {
        std::fs::read_to_string(self.dir.join(format!("logs/app{i}.log")))
            .unwrap_or_default()
            .matches(needle)
            .count()
    }

    /// Waits until `needle` appears in node `i`'s app log.
    fn wait_app_log(&self, i: usize, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while self.app_log_count(i, needle) == 0 {
            assert!(
                Instant::now() < deadline,
                "node {i} never logged '{needle}'; logs in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn logs_contain(&self, needle: &str) -> bool {
        std::fs::read_dir(self.dir.join("logs")).unwrap().any(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap_or_default()
                .contains(needle)
        })
    }
}

impl Drop for Testnet {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/cometbft-testnet"))
            .args(["stop", &self.dir(), "--kill"])
            .status();
    }
}

#[test]
fn one_validator_settles_payments_and_refuses_double_spends() {
    let (_home_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 5, 100, &["--consensus", "cometbft"]);
    let net = Testnet::new(1, 27100, &home.join("genesis.json"));
    let client = net.client(0);

    // The wallet works unchanged: a payment settles through CometBFT.
    let fee = payment_fee(&genesis);
    let (mut alice, mut bob, prover, request) = alice_and_bob(&alice_sk, 120, "via cometbft");
    send(
        &mut alice,
        &client,
        &prover,
        &request,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap();
    net.wait_supply(0, 500 - fee);
    scan(&mut bob, &client, &mut |_| {}).unwrap();
    assert_eq!(bob.balance(), 120);
    assert_eq!(bob.notes[0].memo, "via cometbft");

    // Double spends: refused at CheckTx while the first is pending, and once it is committed.
    let spends = genesis_spends(&genesis, &alice_sk, &[4, 4], 10);
    client.submit(&spends[0]).unwrap();
    assert_eq!(refused(client.submit(&spends[1])).0, 5);
    net.wait_supply(0, 500 - 2 * fee);
    // After the commit: refused as spent (5), or by CometBFT's cache of seen transactions (105).
    for tx in &spends {
        let (code, _) = refused(client.submit(tx));
        assert!(code == 5 || code == 105, "{code}");
    }

    // A malformed transaction sent straight to CometBFT's RPC is refused at CheckTx with a clear log.
    let url = format!("{}/broadcast_tx_sync?tx=0x0102030405", net.rpc(0));
    let body = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["result"]["code"], 1, "{body}");
    assert!(
        answer["result"]["log"]
            .as_str()
            .unwrap()
            .contains("malformed"),
        "{body}"
    );
    let unconfirmed = ureq::get(&format!("{}/num_unconfirmed_txs", net.rpc(0)))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(unconfirmed.contains("\"total\":\"0\""), "{unconfirmed}");
    assert!(!net.logs_contain("AppHash does not match"));
}

#[test]
fn four_validators_agree_and_a_killed_one_catches_up() {
    let (_home_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 10, 100, &["--consensus", "cometbft"]);
    let net = Testnet::new(4, 27200, &home.join("genesis.json"));
    let spends = genesis_spends(&genesis, &alice_sk, &[0, 1, 2], 10);
    let burst = genesis_spends(&genesis, &alice_sk, &[3, 4, 5, 6, 7, 8, 9], 10);
    let fee = payment_fee(&genesis);

    net.client(0).submit(&spends[0]).unwrap();
    net.wait_supply(0, 1000 - fee);
    let h = net.height(0);
    for i in 0..net.n {
        net.wait_height(i, h);
    }
    let expected = net.app_hash(0, h);
    for i in 1..net.n {
        assert_eq!(
            net.app_hash(i, h),
            expected,
            "node {i} disagrees at height {h}"
        );
    }
    // Each validator verified the proof once: at CheckTx (from the gossip) or in ProcessProposal,
    // whichever came first, the other waiting for it or finding it cached.
    for i in 0..net.n {
        let verified = net.client(i).status().unwrap().proof_verifications;
        assert_eq!(verified, 1, "node {i} verified the proof {verified} times");
    }
    // A burst, more transactions at once than any node has cores, sent to every node: all are
    // admitted and committed (the mempool connection keeps answering while CheckTx waits for a
    // core), and each validator still verifies each proof once.
    std::thread::scope(|s| {
        for (k, tx) in burst.iter().enumerate() {
            let client = net.client(k % net.n);
            s.spawn(move || client.submit(tx).unwrap());
        }
    });
    net.wait_supply(0, 1000 - 8 * fee);
    for i in 0..net.n {
        net.wait_supply(i, 1000 - 8 * fee);
        let verified = net.client(i).status().unwrap().proof_verifications;
        assert_eq!(
            verified, 8,
            "node {i}: {verified} verifications of 8 proofs"
        );
    }

    // Kill validator 3 (its CometBFT and its app) with SIGKILL: 3 of 4 keep committing.
    net.script(&["stop", &net.dir(), "3", "--kill"], None);
    let down_at = net.height(0);
    net.client(1).submit(&spends[1]).unwrap();
    net.wait_supply(0, 1000 - 9 * fee);
    net.wait_height(0, down_at + 5);

    // Restart it: it catches up and agrees.
    net.script(&["start", &net.dir(), "3"], None);
    net.wait_api(3);
    net.client(2).submit(&spends[2]).unwrap();
    net.wait_supply(0, 1000 - 10 * fee);
    let target = net.height(0);
    net.wait_height(3, target);
    let expected = net.app_hash(0, target);
    for i in 1..net.n {
        assert_eq!(
            net.app_hash(i, target),
            expected,
            "node {i} disagrees at height {target}"
        );
    }
    assert!(!net.logs_contain("AppHash does not match"));
    assert!(!net.logs_contain("CONSENSUS FAILURE"));
}

#[test]
fn app_killed_around_commit_recovers_without_losing_blocks() {
    let (_home_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 6, 100, &["--consensus", "cometbft"]);
    let net = Testnet::new(1, 27300, &home.join("genesis.json"));
    let spends = genesis_spends(&genesis, &alice_sk, &[0, 1, 2, 3, 4, 5], 10);
    let mut observed: Vec<(u64, String)> = Vec::new();
    let points = [
        "after-finalize",
        "after-commit",
        "after-finalize",
        "after-commit",
        "after-finalize",
        "after-commit",
    ];
    for (round, point) in points.iter().enumerate() {
        let h = net.height(0);
        observed.push((h, net.app_hash(0, h)));
        // Restart with the failpoint a few blocks ahead, and give those blocks a transaction.
        net.script(&["stop", &net.dir(), "--kill"], None);
        let crash_at = h + 3;
        net.script(&["start", &net.dir()], Some(&format!("{point}:{crash_at}")));
        net.wait_api(0);
        let _ = net.client(0).submit(&spends[round]);
        // The app kills itself at the failpoint; wait until its API is gone.
        let deadline = Instant::now() + Duration::from_secs(60);
        while net.client(0).status().is_ok() {
            assert!(
                Instant::now() < deadline,
                "round {round}: failpoint {point}:{crash_at} never fired"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // Restart both without the failpoint: the handshake replays what the app lacks.
        net.script(&["stop", &net.dir(), "--kill"], None);
        net.script(&["start", &net.dir()], None);
        net.wait_api(0);
        net.wait_height(0, crash_at + 2);
        for (height, app_hash) in &observed {
            assert_eq!(
                &net.app_hash(0, *height),
                app_hash,
                "round {round}: block {height} changed"
            );
        }
    }
    // Every submitted transaction that was committed or resubmitted ends up committed once.
    for tx in &spends {
        let _ = net.client(0).submit(tx);
    }
    net.wait_supply(0, 600 - 6 * payment_fee(&genesis));
    assert!(net.logs_contain("failpoint"), "the failpoints fired");
    assert!(!net.logs_contain("AppHash does not match"));
}

/// The hold failpoints of the CometBFT-only kill tests, alternating: FinalizeBlock executed and
/// kept but not answered, and Commit durable but not answered.
const HOLDS: &str = "finalize:4,commit:8,finalize:12,commit:16,finalize:20,commit:24";

/// Kills node 0's CometBFT process alone (SIGKILL; its app runs on) while its app holds each
/// point of [`HOLDS`], and starts it again at once. A restarted CometBFT replays FinalizeBlock for a
/// height finalized but never committed: the app drops that block and executes again, rather
/// than waiting on the store's writer forever. Every validator ends at the same app hash, a
/// replica that never crashed agrees at every height, and every transaction commits once.
fn cometbft_killed_alone_around_finalize_and_commit(n: usize, base: u16) {
    let (home_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 6, 100, &["--consensus", "cometbft"]);
    let net = Testnet::new_with(
        n,
        base,
        &home.join("genesis.json"),
        vec![("ZKPSM_HOLD_AT", HOLDS)],
    );
    let spends = genesis_spends(&genesis, &alice_sk, &[0, 1, 2, 3, 4, 5], 10);
    for (round, hold) in HOLDS.split(',').enumerate() {
        let (point, height) = hold.split_once(':').unwrap();
        let height: u64 = height.parse().unwrap();
        net.client(0).submit(&spends[round]).unwrap();
        let point_name = if point == "finalize" {
            "FinalizeUnanswered"
        } else {
            "CommitUnanswered"
        };
        net.wait_app_log(
            0,
            &format!("failpoint: holding {point_name} at height {height} "),
        );
        net.script(&["kill-cometbft", &net.dir(), "0"], None);
        net.script(&["start-cometbft", &net.dir(), "0"], None);
        if point == "finalize" {
            net.wait_app_log(
                0,
                &format!("FinalizeBlock {height} again: dropping block {height} finalized"),
            );
        }
        net.wait_height(0, height + 1);
    }
    // CometBFT's mempool does not survive a kill: what it lost is sent again (what committed is
    // refused as spent).
    for tx in &spends {
        let _ = net.client(0).submit(tx);
    }
    net.wait_supply(0, 600 - 6 * payment_fee(&genesis));
    let target = net.height(0) + 2;
    for i in 0..n {
        net.wait_height(i, target);
    }
    let expected = net.app_hash(0, target);
    for i in 1..n {
        assert_eq!(
            net.app_hash(i, target),
            expected,
            "node {i} disagrees at {target}"
        );
    }
    check_replay(
        &net.client(0),
        genesis,
        &home_dir.path().join("replica"),
        target,
    );
    assert!(!net.logs_contain("AppHash does not match"));
    assert!(!net.logs_contain("CONSENSUS FAILURE"));
    assert!(!net.logs_contain("consensus failure, halting"));
}

#[test]
fn one_validator_survives_cometbft_killed_alone_around_finalize_and_commit() {
    cometbft_killed_alone_around_finalize_and_commit(1, 27700);
}

#[test]
fn four_validators_survive_cometbft_killed_alone_around_finalize_and_commit() {
    cometbft_killed_alone_around_finalize_and_commit(4, 27800);
}

/// The signed header of `height` and its validator set, from a CometBFT RPC.
fn cometbft_commit(rpc: &str, height: u64) -> (SignedHeader, validator::Set) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = HttpClient::new(rpc).unwrap();
        let at = tendermint::block::Height::try_from(height).unwrap();
        let commit = client.commit(at).await.unwrap();
        let validators = client.validators(at, Paging::All).await.unwrap();
        (
            commit.signed_header,
            validator::Set::without_proposer(validators.validators),
        )
    })
}

#[test]
fn the_light_client_checks_the_chain_proof_against_the_validators_commit() {
    let (dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(
        &home,
        &alice_sk,
        2,
        100,
        &["--consensus", "cometbft", "--max-txs-per-block", "1"],
    );
    let net = Testnet::new_with(
        4,
        27400,
        &home.join("genesis.json"),
        vec![
            ("ZKPSM_TESTNET_TIMEOUT_COMMIT", "1s"),
            ("ZKPSM_TESTNET_PROVE_NODE", "0"),
        ],
    );
    let spends = genesis_spends(&genesis, &alice_sk, &[0], 10);
    net.client(1).submit(&spends[0]).unwrap();
    net.wait_supply(0, 200 - payment_fee(&genesis));
    let settled = net.height(0);
    let (proof, app_hash) = proof_through(&net.client(0), settled);
    assert_eq!(app_hash, net.app_hash(0, proof.height));
    let nf = match ChainTx::decode(&spends[0]).unwrap() {
        ChainTx::Shielded(tx) => tx.body.nullifiers[0].0,
        other => panic!("{other:?}"),
    };
    let nf_hex = zkpsm_primitives::field::to_hex(&nf);

    // The light client, from the two genesis documents and a CometBFT RPC. This chain makes a
    // block a second while the proof is compressed, so the proof is some blocks behind the
    // latest header: allowed here (the embedded chain's test refuses a stale proof).
    let verify = |cometbft_genesis: &Path| {
        Command::new(BIN)
            .args(["verify", "--node", &net.api(0), "--genesis"])
            .arg(home.join("genesis.json"))
            .arg("--key-cache")
            .arg(home.with_file_name("key-cache"))
            .args(["--cometbft-rpc", &net.rpc(3), "--cometbft-genesis"])
            .arg(cometbft_genesis)
            .args(["--nullifier", &nf_hex, "--max-lag", "100000"])
            .output()
            .unwrap()
    };
    let out = verify(&net.cometbft_genesis(0));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("chain proof verified"), "{printed}");
    assert!(
        printed.contains("signed by more than 2/3 of the voting power of the 4 genesis validators"),
        "{printed}"
    );
    let latest = printed
        .split("the chain's latest commit is height ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|h| h.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no freshness line: {printed}"));
    assert!(latest >= proof.height, "{printed}");
    assert!(
        printed.contains(&format!(
            "the proof is {} blocks behind it",
            latest - proof.height
        )),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("nullifier {nf_hex}: SPENT")),
        "{printed}"
    );

    // Another chain's validators (a genesis with one validator key replaced) are refused.
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(net.cometbft_genesis(0)).unwrap()).unwrap();
    let stranger = tendermint::PublicKey::from_raw_ed25519(&[7; 32]).unwrap();
    other["validators"][0]["pub_key"] = serde_json::to_value(stranger).unwrap();
    other["validators"][0]["address"] =
        serde_json::to_value(tendermint::account::Id::from(stranger)).unwrap();
    let other_path = dir.path().join("other-genesis.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let out = verify(&other_path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not the genesis set"), "{stderr}");

    // The checks themselves, on the real commit and on tampered copies of it.
    let params = ChainParams::setup(1).unwrap();
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
    let checked = check_chain_proof(params.verifier_key(), &z0, &proof, &[]).unwrap();
    let (trusted_chain, trusted) =
        cometbft_genesis_validators(&std::fs::read_to_string(net.cometbft_genesis(0)).unwrap())
            .unwrap();
    assert_eq!(trusted_chain, genesis.chain_id);
    let chain_id = genesis.chain_id.as_str();
    let (header, validators) = cometbft_commit(&net.rpc(0), proof.height + 1);
    let h = proof.height;
    let check = |header: &SignedHeader, validators: &validator::Set| {
        check_cometbft_commit(&trusted, chain_id, h, &checked.app_hash, header, validators)
    };
    check(&header, &validators).unwrap();
    assert!(
        check_cometbft_commit(
            &trusted,
            "zkpsm-other",
            h,
            &checked.app_hash,
            &header,
            &validators
        )
        .is_err()
    );

    // The header of height H itself (not H+1) does not carry the app hash after block H.
    let (same_height, _) = cometbft_commit(&net.rpc(0), proof.height);
    assert!(matches!(
        check(&same_height, &validators),
        Err(LightError::CometbftCommit(why)) if why.contains("is of height")
    ));

    // A header rewritten to carry another app hash no longer matches the signed block id.
    let mut forged = header.clone();
    let mut other_state = checked;
    other_state.app_hash[0] ^= 1;
    forged.header.app_hash = tendermint::AppHash::try_from(other_state.app_hash.to_vec()).unwrap();
    assert!(matches!(
        check_cometbft_commit(
            &trusted,
            chain_id,
            h,
            &other_state.app_hash,
            &forged,
            &validators
        ),
        Err(LightError::CometbftCommit(_))
    ));
    assert!(matches!(
        check(&forged, &validators),
        Err(LightError::AppHashMismatch { .. })
    ));

    // Signatures: tampered ones fail; with only two of four validators' the power is not > 2/3.
    let signed: Vec<usize> = header
        .commit
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_commit())
        .map(|(i, _)| i)
        .collect();
    assert!(signed.len() >= 3, "{signed:?}");
    let mut tampered = header.clone();
    for sig in &mut tampered.commit.signatures {
        if let CommitSig::BlockIdFlagCommit {
            signature: Some(signature),
            ..
        } = sig
        {
            let mut bytes = signature.as_bytes().to_vec();
            bytes[0] ^= 1;
            *signature = tendermint::Signature::try_from(bytes).unwrap();
        }
    }
    assert!(check(&tampered, &validators).is_err());
    let mut thin = header.clone();
    for &i in &signed[2..] {
        thin.commit.signatures[i] = CommitSig::BlockIdFlagAbsent;
    }
    let why = check(&thin, &validators).unwrap_err().to_string();
    assert!(why.contains("tallied=2"), "{why}");
    let mut three = header.clone();
    for &i in &signed[3..] {
        three.commit.signatures[i] = CommitSig::BlockIdFlagAbsent;
    }
    check(&three, &validators).unwrap();

    // Node 0 published every block with the validators' commit to its DA store: a fresh node
    // syncs from it alone, checking each commit against the genesis validators, and reaches the
    // network's app hash; a block posted with another height's commit is skipped.
    let network: Vec<String> = (1..=net.height(1)).map(|h| net.app_hash(1, h)).collect();
    net.script(&["stop", &net.dir(), "--kill"], None);
    let da_path = net.dir.join("app0/da.redb");
    {
        let da = EmbeddedDa::open(&da_path, DEFAULT_MAX_BLOB_BYTES).unwrap();
        let blocks_ns = Namespace::of(&genesis.chain_id, Purpose::Blocks);
        let last = (1..=da.head().unwrap())
            .rev()
            .find_map(|h| join(&da.get(h, blocks_ns).unwrap()).pop())
            .unwrap()
            .unwrap();
        let mut forged = BlockBlob::decode(&last.bytes).unwrap();
        let mut block = Block::decode(&forged.block, usize::MAX).unwrap();
        block.height = last.height + 1;
        forged.block = block.to_bytes();
        let blobs = split(
            Kind::Block,
            last.height + 1,
            &forged.to_bytes(),
            DEFAULT_MAX_BLOB_BYTES,
        )
        .unwrap();
        da.submit(blocks_ns, &blobs).unwrap();
    }
    let synced_home = dir.path().join("synced");
    let cometbft_genesis = net.cometbft_genesis(0);
    let (_, stderr) = sync_from_da(
        &synced_home,
        &home.join("genesis.json"),
        &[
            "--da-store".as_ref(),
            da_path.as_os_str(),
            "--cometbft-genesis".as_ref(),
            cometbft_genesis.as_os_str(),
        ],
    );
    assert!(
        stderr.contains("the CometBFT commit does not attest"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the chain proof of") && stderr.contains("verifies"),
        "{stderr}"
    );
    let synced_height = check_synced(&synced_home, genesis, &network);
    assert!(
        synced_height > proof.height,
        "synced only to {synced_height}"
    );
}
