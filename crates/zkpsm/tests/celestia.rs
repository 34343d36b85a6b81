//! The DA layer on a real local Celestia (celestia-app validator + celestia-node bridge, built by
//! `scripts/install-celestia`, run by `scripts/celestia-devnet`): a node publishes its blocks and
//! chain proof there and they read back byte-for-byte; with the bridge stopped the chain keeps
//! committing and the backlog is published in order once it returns; a fresh node synced from
//! Celestia alone reaches the producer's app hash and checks the chain proof, skipping a corrupted
//! blob and a block posted without the sequencer's signature.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use zkpsm_da::block_blob::BlockBlob;
use zkpsm_da::celestia::{CELESTIA_MAX_BLOB_BYTES, DEFAULT_GAS_PRICE};
use zkpsm_da::envelope::{Kind, join, split};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{CelestiaDa, DataAvailability, Namespace};
use zkpsm_primitives::keys::SpendingKey;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A local Celestia devnet driven through the project's script.
struct Devnet {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    base: u16,
}

impl Devnet {
    fn script(&self, args: &[&str]) {
        let out = Command::new(repo().join("scripts/celestia-devnet"))
            .args(args)
            .env("CELESTIA_DEVNET_BASE_PORT", self.base.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "celestia-devnet {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start(base: u16) -> Self {
        for bin in ["celestia-appd", "celestia"] {
            let path = repo().join(".tools/bin").join(bin);
            assert!(
                path.exists(),
                "{bin} is missing at {}: run scripts/install-celestia",
                path.display()
            );
        }
        let guard = tempfile::tempdir().unwrap();
        let dir = guard.path().join("celestia");
        let net = Self {
            _dir: guard,
            dir,
            base,
        };
        net.script(&["start", net.dir.to_str().unwrap()]);
        net
    }

    fn rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.base + 8)
    }

    fn token_file(&self) -> PathBuf {
        self.dir.join("token")
    }

    fn client(&self) -> CelestiaDa {
        let token = std::fs::read_to_string(self.token_file()).unwrap();
        CelestiaDa::connect(&self.rpc(), Some(token.trim()), DEFAULT_GAS_PRICE).unwrap()
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/celestia-devnet"))
            .args(["stop", self.dir.to_str().unwrap(), "--kill"])
            .env("CELESTIA_DEVNET_BASE_PORT", self.base.to_string())
            .status();
    }
}

/// Waits until block `height` names where it landed on DA; returns the DA height.
fn wait_published(node: &NodeProcess, height: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(r) = node.client.block(height).unwrap().da.first() {
            return r.height;
        }
        assert!(
            Instant::now() < deadline,
            "block {height} was never published"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn blocks_and_chain_proofs_go_to_celestia_and_a_fresh_node_syncs_from_it() {
    let devnet = Devnet::start(28400);
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let rpc = devnet.rpc();
    let token_file = devnet.token_file();
    let genesis = init(
        &home,
        &alice,
        3,
        100,
        &[
            "--block-interval-ms",
            "300",
            "--max-txs-per-block",
            "1",
            "--no-empty-blocks",
            "--celestia-rpc",
            &rpc,
            "--celestia-token-file",
            token_file.to_str().unwrap(),
        ],
    );
    let node = NodeProcess::start_with(&home, free_port(), &["--prove", "--compress-every", "0"]);
    let txs = genesis_spends(&genesis, &alice, &[0, 1, 2], 10);
    node.client.submit(&txs[0]).unwrap();
    let first = node.wait_settled(0);
    wait_published(&node, first);

    // The bridge goes away: the chain keeps committing, the blocks wait in the outbox.
    devnet.script(&["stop-bridge", devnet.dir.to_str().unwrap()]);
    for tx in &txs[1..] {
        node.client.submit(tx).unwrap();
    }
    let head = node.wait_settled(first + 1);
    assert!(head >= first + 2, "the chain stopped at {head}");
    std::thread::sleep(Duration::from_secs(3));
    assert!(node.client.block(head).unwrap().da.is_empty());
    let log = || std::fs::read_to_string(home.join("node.log")).unwrap();
    assert!(
        log().contains("the DA layer is unavailable: blob.Submit"),
        "{}",
        log()
    );

    // It comes back: the backlog is published, in order.
    devnet.script(&["start-bridge", devnet.dir.to_str().unwrap()]);
    let mut previous = 0;
    for height in 1..=head {
        let da_height = wait_published(&node, height);
        assert!(da_height >= previous, "block {height} went out of order");
        previous = da_height;
    }
    assert!(
        log().contains("the DA layer accepts blobs again"),
        "{}",
        log()
    );

    // Blocks read back byte-for-byte.
    let celestia = devnet.client();
    let blocks_ns = Namespace::of(&genesis.chain_id, Purpose::Blocks);
    let mut producer = Vec::new();
    let mut node_blocks_da = Vec::new();
    for height in 1..=head {
        let info = node.client.block(height).unwrap();
        node_blocks_da.push(info.da[0].height);
        let payload = join(&celestia.get(info.da[0].height, blocks_ns).unwrap())
            .into_iter()
            .filter_map(Result::ok)
            .find(|p| p.height == height)
            .unwrap();
        let blob = BlockBlob::decode(&payload.bytes).unwrap();
        assert_eq!(hex::encode(&blob.block), info.encoded, "block {height}");
        // The commitment the node recorded is Celestia's share commitment of that very blob.
        let raw = celestia
            .get(info.da[0].height, blocks_ns)
            .unwrap()
            .into_iter()
            .find(|b| {
                join(std::slice::from_ref(b))
                    .into_iter()
                    .any(|p| p.is_ok_and(|p| p.height == height))
            })
            .unwrap();
        let ns = celestia_types::nmt::Namespace::new_v0(&blocks_ns.0).unwrap();
        let commitment = celestia_types::Blob::new(ns, raw, None).unwrap().commitment;
        assert_eq!(
            hex::encode(commitment.hash()),
            info.da[0].commitment,
            "block {height}"
        );
        producer.push(info.app_hash);
    }

    // A payload larger than Celestia's blob limit goes out in parts and comes back whole.
    let big: Vec<u8> = (0..2 * CELESTIA_MAX_BLOB_BYTES + 12_345)
        .map(|i| (i % 251) as u8)
        .collect();
    let parts = split(Kind::Block, 999_999, &big, CELESTIA_MAX_BLOB_BYTES).unwrap();
    assert_eq!(parts.len(), 3);
    let refs = celestia.submit(blocks_ns, &parts).unwrap();
    let read = join(&celestia.get(refs[0].height, blocks_ns).unwrap());
    assert!(
        read.iter().any(|p| p
            .as_ref()
            .is_ok_and(|p| p.height == 999_999 && p.bytes == big)),
        "the split payload did not come back whole"
    );

    // The chain proof too.
    let (proof, _) = proof_through(&node.client, head);
    let proofs_ns = Namespace::of(&genesis.chain_id, Purpose::ChainProofs);
    let posted = format!(
        "the chain proof of {} blocks posted at DA height ",
        proof.height
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let proof_da_height: u64 = loop {
        if let Some(line) = log().lines().find(|l| l.contains(&posted)) {
            break line.rsplit(' ').next().unwrap().parse().unwrap();
        }
        assert!(Instant::now() < deadline, "the chain proof was not posted");
        std::thread::sleep(Duration::from_millis(300));
    };
    let read = join(&celestia.get(proof_da_height, proofs_ns).unwrap())
        .remove(0)
        .unwrap();
    assert_eq!(read.kind, Kind::ChainProof);
    assert_eq!(read.bytes, borsh::to_vec(&proof).unwrap());
    drop(node);

    // Others post to the namespace: garbage, a corrupted copy of block 1's blob, and a next block
    // signed by a stranger.
    celestia
        .submit(blocks_ns, &[b"not a block".to_vec()])
        .unwrap();
    let first_da_height = node_blocks_da[0];
    let mut corrupted = celestia.get(first_da_height, blocks_ns).unwrap().remove(0);
    let last = corrupted.len() - 1;
    corrupted[last] ^= 1;
    celestia.submit(blocks_ns, &[corrupted]).unwrap();
    let forged = stranger_signed_block(&genesis, head + 1);
    celestia
        .submit(
            blocks_ns,
            &split(
                Kind::Block,
                head + 1,
                &forged.to_bytes(),
                CELESTIA_MAX_BLOB_BYTES,
            )
            .unwrap(),
        )
        .unwrap();

    // And to the proofs namespace: a payload that is no proof and the real proof with one byte of
    // its SNARK flipped, both claiming the real proof's height and posted after it (so sync tries
    // them first).
    let mut tampered = proof.clone();
    let middle = tampered.snark.len() / 2;
    tampered.snark[middle] ^= 1;
    for bytes in [b"not a proof".to_vec(), borsh::to_vec(&tampered).unwrap()] {
        celestia
            .submit(
                proofs_ns,
                &split(
                    Kind::ChainProof,
                    proof.height,
                    &bytes,
                    CELESTIA_MAX_BLOB_BYTES,
                )
                .unwrap(),
            )
            .unwrap();
    }

    // A fresh node from genesis and Celestia alone.
    let synced_home = dir.path().join("synced");
    let (stdout, stderr) = sync_from_da(
        &synced_home,
        &home.join("genesis.json"),
        &[
            "--celestia-rpc".as_ref(),
            rpc.as_ref(),
            "--celestia-token-file".as_ref(),
            token_file.as_os_str(),
        ],
    );
    assert!(
        stdout.contains(&format!("block {head}, app hash")),
        "{stdout}"
    );
    assert!(stderr.contains("not a zkpsm blob"), "{stderr}");
    assert!(stderr.contains("do not hash to the digest"), "{stderr}");
    assert!(
        stderr.contains("not signed by the genesis sequencer"),
        "{stderr}"
    );
    let skipped = format!("a chain proof claiming height {}: ", proof.height);
    assert!(
        stderr.contains(&format!("{skipped}it does not decode")),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches(&skipped).count(),
        2,
        "both forgeries are skipped: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "the chain proof of {} blocks verifies and ends in the synced app hash",
            proof.height
        )),
        "{stderr}"
    );
    assert_eq!(check_synced(&synced_home, genesis, &producer), head);
}
