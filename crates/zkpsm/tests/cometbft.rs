//! zkpsm served to real CometBFT v0.38 processes (installed by `scripts/install-cometbft`, run by
//! `scripts/cometbft-testnet`): one validator, four validators with one killed and restarted, and
//! crash recovery with the app killed between FinalizeBlock and Commit and right after Commit.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_primitives::keys::SpendingKey;
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
}

impl Testnet {
    fn script(&self, args: &[&str], crash: Option<&str>) {
        let mut cmd = Command::new(repo().join("scripts/cometbft-testnet"));
        cmd.args(args)
            .env("ZKPSM_BIN", BIN)
            .env("ZKPSM_TESTNET_BASE_PORT", self.base.to_string());
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

    fn client(&self, i: usize) -> Client {
        Client::new(&format!(
            "http://127.0.0.1:{}",
            self.base as usize + 10 * i + 3
        ))
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
    let (mut alice, mut bob, prover, request) = alice_and_bob(&alice_sk, 120, 4, "via cometbft");
    send(
        &mut alice,
        &client,
        &prover,
        &request,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap();
    net.wait_supply(0, 500 - 4);
    scan(&mut bob, &client, &mut |_| {}).unwrap();
    assert_eq!(bob.balance(), 120);
    assert_eq!(bob.notes[0].memo, "via cometbft");

    // Double spends: refused at CheckTx while the first is pending, and once it is committed.
    let spends = genesis_spends(&genesis, &alice_sk, &[4, 4], 10);
    client.submit(&spends[0]).unwrap();
    assert_eq!(refused(client.submit(&spends[1])).0, 5);
    net.wait_supply(0, 500 - 4 - 1);
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
    let genesis = init(&home, &alice_sk, 4, 100, &["--consensus", "cometbft"]);
    let net = Testnet::new(4, 27200, &home.join("genesis.json"));
    let spends = genesis_spends(&genesis, &alice_sk, &[0, 1, 2], 10);

    net.client(0).submit(&spends[0]).unwrap();
    net.wait_supply(0, 399);
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

    // Kill validator 3 (its CometBFT and its app) with SIGKILL: 3 of 4 keep committing.
    net.script(&["stop", &net.dir(), "3", "--kill"], None);
    let down_at = net.height(0);
    net.client(1).submit(&spends[1]).unwrap();
    net.wait_supply(0, 398);
    net.wait_height(0, down_at + 5);

    // Restart it: it catches up and agrees.
    net.script(&["start", &net.dir(), "3"], None);
    net.wait_api(3);
    net.client(2).submit(&spends[2]).unwrap();
    net.wait_supply(0, 397);
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
    net.wait_supply(0, 600 - 6);
    assert!(net.logs_contain("failpoint"), "the failpoints fired");
    assert!(!net.logs_contain("AppHash does not match"));
}
