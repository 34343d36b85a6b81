//! Helpers for tests that run real `zkpsm` node processes.
#![allow(dead_code)]

use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_app::Genesis;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_test_support::{Spend, genesis_note, genesis_tree, prove_spend};

pub const BIN: &str = env!("CARGO_BIN_EXE_zkpsm");

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `zkpsm init` in `home`, funding `alice` with `notes` notes of `value` each.
pub fn init(home: &Path, alice: &SpendingKey, notes: usize, value: u64, extra: &[&str]) -> Genesis {
    let fvk = alice.full_viewing_key();
    let mut cmd = Command::new(BIN);
    cmd.args(["init", "--home"])
        .arg(home)
        .args(["--chain-id", "zkpsm-e2e"]);
    for i in 0..notes {
        cmd.arg("--fund")
            .arg(format!("{}:{value}", fvk.address_at(i as u64)));
    }
    cmd.args(extra);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Genesis::from_json(&std::fs::read_to_string(home.join("genesis.json")).unwrap()).unwrap()
}

/// A running `zkpsm start` process.
pub struct NodeProcess {
    child: Child,
    pub url: String,
    pub client: Client,
}

impl NodeProcess {
    /// Starts the node of `home` on `port` and waits until its API answers.
    pub fn start(home: &Path, port: u16) -> Self {
        Self::start_with(home, port, &[])
    }

    /// [`NodeProcess::start`] with extra arguments to `zkpsm start`.
    pub fn start_with(home: &Path, port: u16, extra: &[&str]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["start", "--home"])
            .arg(home)
            .args(["--api", &format!("127.0.0.1:{port}")])
            .args(extra);
        Self::spawn(home, port, cmd)
    }

    /// [`NodeProcess::start`] with the kernel refusing to let any file it writes grow past
    /// `max_file_bytes` (`ulimit -f`), as a full disk would: SIGXFSZ is ignored, so a write past
    /// the limit fails with EFBIG ("File too large") instead of killing the process.
    pub fn start_with_file_size_limit(home: &Path, port: u16, max_file_bytes: u64) -> Self {
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f {}; exec \"$0\" start --home \"$1\" --api 127.0.0.1:{port}",
                max_file_bytes / 1024
            ))
            .arg(BIN)
            .arg(home);
        Self::spawn(home, port, cmd)
    }

    /// Runs `cmd`, its output appended to `home/node.log`, and waits until its API answers.
    fn spawn(home: &Path, port: u16, mut cmd: Command) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(home.join("node.log"))
            .unwrap();
        let child = cmd
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let url = format!("http://127.0.0.1:{port}");
        let client = Client::new(&url);
        let mut node = Self { child, url, client };
        let deadline = Instant::now() + Duration::from_secs(60);
        while node.client.status().is_err() {
            if let Ok(Some(status)) = node.child.try_wait() {
                panic!(
                    "node exited with {status}; log: {}",
                    std::fs::read_to_string(home.join("node.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "node did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        node
    }

    /// How the process exited, if it has.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits until the mempool is empty and the height passed `after`.
    pub fn wait_settled(&self, after: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.client.status().unwrap();
            if s.mempool == 0 && s.height > after {
                return s.height;
            }
            assert!(Instant::now() < deadline, "did not settle");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Transactions each spending one of alice's genesis notes (`indices`) to a fresh address of bob's,
/// against the genesis anchor, proven ahead of time.
pub fn genesis_spends(
    genesis: &Genesis,
    alice: &SpendingKey,
    indices: &[usize],
    amount: u64,
) -> Vec<Vec<u8>> {
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    let tree = genesis_tree(genesis);
    let bob = SpendingKey::from_bytes([42; 32]).full_viewing_key();
    indices
        .iter()
        .map(|&i| {
            prove_spend(
                &prover,
                &Spend {
                    chain_id: &genesis.chain_id,
                    sender: alice,
                    tree: &tree,
                    note: genesis_note(genesis, i),
                    position: i as u32,
                    to: bob.address_at(i as u64),
                    value: amount,
                    change: alice.full_viewing_key().address_at(1000 + i as u64),
                    expiry_height: 5000,
                    fee: zkpsm_test_support::payment_fee(genesis),
                },
            )
        })
        .collect()
}

/// A temporary node home.
pub fn home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node");
    (dir, path)
}

/// The code and message of a refused submission (panics on anything else).
pub fn refused(
    result: Result<zkpsm_api::types::Submitted, zkpsm_api::client::ClientError>,
) -> (u32, String) {
    match result {
        Err(zkpsm_api::client::ClientError::Refused(e)) => (e.code, e.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Alice's spending wallet (handing out addresses from index 10), a fresh wallet for bob, a prover,
/// and a payment request of `amount` to bob's address 1 (paying the fee the chain's rule asks).
pub fn alice_and_bob(
    alice_sk: &SpendingKey,
    amount: u64,
    memo: &str,
) -> (
    zkpsm_wallet::WalletFile,
    zkpsm_wallet::WalletFile,
    SpendProver,
    zkpsm_wallet::send::SendRequest,
) {
    let mut alice = zkpsm_wallet::WalletFile::new_spending(alice_sk);
    alice.next_index = 10;
    let bob = zkpsm_wallet::WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    let to = bob.full_viewing_key().unwrap().address_at(1).to_string();
    let request = zkpsm_wallet::send::SendRequest {
        to,
        amount,
        fee: None,
        memo: memo.into(),
    };
    (alice, bob, prover, request)
}

/// Asks the node's chain prover for a proof (or finds one asked for already) and waits until one
/// covers at least `height`; returns it with the app hash the node committed there.
pub fn proof_through(client: &Client, height: u64) -> (zkpsm_chain_proof::ChainProof, String) {
    match client.request_chain_proof() {
        Ok(_) => {}
        Err(zkpsm_api::client::ClientError::Refused(e)) if e.code == 109 => {}
        Err(e) => panic!("asking for a chain proof: {e}"),
    }
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        if let Ok(info) = client.chain_proof()
            && info.height >= height
        {
            let bytes = hex::decode(&info.proof).unwrap();
            let proof: zkpsm_chain_proof::ChainProof = borsh::from_slice(&bytes).unwrap();
            assert_eq!(proof.height, info.height);
            return (proof, info.app_hash);
        }
        assert!(Instant::now() < deadline, "no chain proof in time");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Runs `zkpsm sync --from-da` into `synced_home` from `genesis_file` and the DA layer `args`
/// name; returns its stdout and stderr (panics if it fails).
pub fn sync_from_da(
    synced_home: &Path,
    genesis_file: &Path,
    args: &[&std::ffi::OsStr],
) -> (String, String) {
    let out = Command::new(BIN)
        .args(["sync", "--from-da", "--home"])
        .arg(synced_home)
        .arg("--genesis")
        .arg(genesis_file)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}{stderr}");
    (stdout, stderr)
}

/// A well-formed blob of block `height`, empty, with a commit signed by a stranger's key.
pub fn stranger_signed_block(genesis: &Genesis, height: u64) -> zkpsm_da::block_blob::BlockBlob {
    let block = zkpsm_app::Block {
        chain_id: genesis.chain_id.clone(),
        height,
        txs: Vec::new(),
    };
    let stranger = zkpsm_primitives::sequencer::SequencerKey::random(&mut OsRng);
    zkpsm_da::block_blob::BlockBlob {
        block: block.to_bytes(),
        commit: zkpsm_da::block_blob::BlockCommit::Sequencer {
            app_hash: [7; 32],
            signature: stranger.sign_commit(&genesis.chain_id, height, &[7; 32]),
        },
    }
}

/// The app hash (hex) of every block committed in the node state in `home`, height 1 first.
pub fn committed_app_hashes(home: &Path, genesis: Genesis) -> Vec<String> {
    let app = zkpsm_app::App::open(
        &home.join("state.redb"),
        genesis,
        SpendKeys::shared().unwrap(),
        Vec::new(),
    )
    .unwrap();
    let height = app.head().unwrap().state.height;
    (1..=height)
        .map(|h| hex::encode(app.store().committed_at(h).unwrap().unwrap().app_hash))
        .collect()
}

/// Checks that the node state in `synced_home` has `app_hashes[i]` (hex) at height `i + 1` for
/// every height it reached, and returns that height.
pub fn check_synced(synced_home: &Path, genesis: Genesis, app_hashes: &[String]) -> u64 {
    let synced = committed_app_hashes(synced_home, genesis);
    assert!(synced.len() <= app_hashes.len(), "synced past the producer");
    for (i, (synced, produced)) in synced.iter().zip(app_hashes).enumerate() {
        assert_eq!(synced, produced, "height {}", i + 1);
    }
    synced.len() as u64
}

/// Replays blocks 1 to `head`, as `client` serves them, on a fresh node state in `dir` that never
/// crashed, and checks that each reaches the app hash the node committed.
pub fn check_replay(client: &Client, genesis: Genesis, dir: &Path, head: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let replica = zkpsm_app::App::open(
        &dir.join("state.redb"),
        genesis,
        SpendKeys::shared().unwrap(),
        vec![],
    )
    .unwrap();
    for height in 1..=head {
        let info = client.block(height).unwrap();
        let block =
            zkpsm_app::Block::decode(&hex::decode(&info.encoded).unwrap(), usize::MAX).unwrap();
        let committed = replica.execute_and_commit(&block).unwrap();
        assert_eq!(
            hex::encode(committed.app_hash),
            info.app_hash,
            "height {height}"
        );
    }
}
