//! Crash safety: the node is killed with SIGKILL at random moments while transactions stream in
//! and blocks are produced (every 15 ms while the mempool holds any), 20 times, and restarted each
//! time. No committed block is ever lost, and replaying the committed blocks on a node that never
//! crashed gives the same app hash at every height. A full disk stops the node with a clear
//! error and a non-zero exit, and a restart with room loses no committed block.
//!
//! The transactions are proven ahead against the genesis anchor, which stays valid while blocks
//! leave the note tree unchanged: the chain makes no empty blocks, so it stays in the ring of
//! recent anchors until every transaction is in.

mod common;

use common::*;
use rand::{Rng, rngs::OsRng};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use zkpsm_api::client::{Client, ClientError};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_test_support::payment_fee;

const TXS: usize = 24;
const ROUNDS: usize = 20;

#[test]
fn sigkill_during_block_production_loses_no_committed_block() {
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let genesis = init(
        &home,
        &alice,
        TXS,
        100,
        &["--block-interval-ms", "15", "--no-empty-blocks"],
    );
    let txs = genesis_spends(&genesis, &alice, &(0..TXS).collect::<Vec<_>>(), 7);
    let port = free_port();
    let mut observed: Vec<(u64, String)> = Vec::new();
    let mut rng = OsRng;

    for round in 0..ROUNDS {
        let node = NodeProcess::start(&home, port);
        // Every block observed committed before a crash is still there, unchanged.
        for (height, app_hash) in &observed {
            let block = node
                .client
                .block(*height)
                .unwrap_or_else(|e| panic!("round {round}: block {height} lost: {e}"));
            assert_eq!(
                &block.app_hash, app_hash,
                "round {round}: block {height} changed"
            );
        }
        // Resubmit what is not committed yet (the mempool does not survive a crash), a few more
        // each round, from another thread, and kill the node at a random moment meanwhile (each
        // admission verifies a proof, some 40 ms).
        let upto = ((round + 1) * TXS / ROUNDS).min(TXS);
        let killed = Arc::new(AtomicBool::new(false));
        let submitter = {
            let (url, batch, killed) = (node.url.clone(), txs[..upto].to_vec(), killed.clone());
            std::thread::spawn(move || {
                let client = Client::new(&url);
                for tx in &batch {
                    match client.submit(tx) {
                        Ok(_) | Err(ClientError::Refused(_)) => {}
                        Err(_) if killed.load(Ordering::SeqCst) => return,
                        Err(e) => panic!("round {round}: {e}"),
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(
            rng.gen_range(0..40 * upto as u64 + 40),
        ));
        let status = node.client.status().unwrap();
        observed.push((status.height, status.app_hash.clone()));
        killed.store(true, Ordering::SeqCst);
        node.kill9();
        submitter
            .join()
            .expect("the submitter fails only for a live node");
    }

    // A last start: everything gets committed.
    let node = NodeProcess::start(&home, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    let target_supply = (100 - payment_fee(&genesis)) * TXS as u64;
    loop {
        for tx in &txs {
            let _ = node.client.submit(tx);
        }
        let status = node.client.status().unwrap();
        if status.supply == target_supply && status.mempool == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not all transactions committed: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let head = node.client.status().unwrap();
    for (height, app_hash) in &observed {
        assert_eq!(&node.client.block(*height).unwrap().app_hash, app_hash);
    }
    // Nothing observed committed is behind the head (it may equal it if all was committed already).
    assert!(head.height >= observed.iter().map(|o| o.0).max().unwrap_or(0));

    // Replay every committed block on a node that never crashed: the same app hash at each height.
    check_replay(
        &node.client,
        genesis,
        &dir.path().join("replica"),
        head.height,
    );
    eprintln!(
        "{ROUNDS} SIGKILLs, {} blocks, {TXS} transactions: no committed block lost, replay agrees",
        head.height
    );
}

/// A full disk, as the kernel reports it to a process past its file-size limit: block production
/// fails, and the node stops with a message that says what happened and what to do, and exits
/// non-zero (it does not retry forever against storage that refuses writes). Restarted with room,
/// it has every block it committed, unchanged, and makes blocks again.
#[test]
fn a_full_disk_stops_the_node_and_a_restart_loses_no_committed_block() {
    let (_dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    init(&home, &alice, 1, 100, &["--block-interval-ms", "15"]);
    let port = free_port();
    // Empty blocks every 15 ms grow the state file past 32 MiB within seconds.
    let mut node = NodeProcess::start_with_file_size_limit(&home, port, 32 << 20);
    let mut observed: Vec<(u64, String)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    let exit = loop {
        if let Some(exit) = node.exited() {
            break exit;
        }
        if let Ok(status) = node.client.status()
            && status.height > 0
        {
            observed.push((status.height, status.app_hash));
        }
        assert!(
            Instant::now() < deadline,
            "the node never reached the file-size limit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(home.join("node.log")).unwrap();
    assert!(!exit.success(), "{exit}; log: {log}");
    assert!(
        log.contains("the node stopped: block production failed")
            && log.contains("File too large")
            && log.contains("nothing committed is lost")
            && log.contains("start the node again"),
        "{log}"
    );
    let last = observed.last().expect("no block was observed").0;

    let node = NodeProcess::start(&home, port);
    for (height, app_hash) in &observed {
        let block = node
            .client
            .block(*height)
            .unwrap_or_else(|e| panic!("block {height} lost: {e}"));
        assert_eq!(&block.app_hash, app_hash, "block {height} changed");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while node.client.status().unwrap().height < last + 10 {
        assert!(
            Instant::now() < deadline,
            "the restarted node makes no blocks"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
