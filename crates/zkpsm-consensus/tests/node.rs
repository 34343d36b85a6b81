//! The embedded node: admission, block production, and the mempool under double spends.

mod common;

use common::{app_with_notes, app_with_params, spend};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zkpsm_app::{ConsensusParams, Genesis};
use zkpsm_consensus::{MempoolError, Node, SubmitError};
use zkpsm_primitives::keys::SpendingKey;

fn setup() -> (tempfile::TempDir, Node, Genesis, SpendingKey) {
    let (dir, app, genesis, alice) = app_with_notes("zkpsm-node", 3);
    (dir, Node::new(app), genesis, alice)
}

#[test]
fn the_mempool_and_blocks_refuse_double_spends() {
    let (_dir, node, genesis, alice) = setup();
    let a = spend(&genesis, &alice, 1, 10);
    let b = spend(&genesis, &alice, 1, 20);
    node.submit(a.clone()).unwrap();
    assert!(matches!(
        node.submit(a.clone()),
        Err(SubmitError::Mempool(MempoolError::Duplicate(_)))
    ));
    assert!(matches!(
        node.submit(b.clone()),
        Err(SubmitError::Mempool(MempoolError::ConflictingNullifier(_)))
    ));
    let committed = node.produce_block().unwrap();
    assert_eq!(committed.state.height, 1);
    assert_eq!(node.mempool_len(), 0);
    let refused = node.submit(b.clone());
    assert!(
        matches!(
            refused,
            Err(SubmitError::App(zkpsm_app::AppError::DoubleSpend(_)))
        ),
        "{refused:?}"
    );
    // An empty block is still a block.
    assert_eq!(node.produce_block().unwrap().state.height, 2);
}

/// A full block does not wait for the sequencer's tick: with an interval of ten minutes, one
/// transaction waits, and the one that fills the block (capacity 2 here) gets both committed at
/// once.
#[test]
fn the_sequencer_closes_a_full_block_without_waiting_for_its_interval() {
    let params = ConsensusParams {
        max_txs_per_block: 2,
        ..ConsensusParams::default()
    };
    let (_dir, app, genesis, alice) = app_with_params("zkpsm-full-block", 3, params);
    let first = spend(&genesis, &alice, 0, 10);
    let second = spend(&genesis, &alice, 1, 10);
    let node = Arc::new(Node::new(app));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let sequencer = runtime.spawn(zkpsm_consensus::sequencer::run(
        node.clone(),
        Duration::from_secs(600),
        false,
        shutdown,
    ));
    let height = || node.app().head().unwrap().state.height;
    // The interval's first tick is immediate; it finds the mempool empty and makes no block.
    std::thread::sleep(Duration::from_millis(300));
    node.submit(first).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        height(),
        0,
        "a block was made before it was full or its interval ended"
    );
    assert_eq!(node.mempool_len(), 1);
    node.submit(second).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while height() == 0 {
        assert!(
            Instant::now() < deadline,
            "a full block waited for the sequencer's interval"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(height(), 1);
    assert_eq!(node.mempool_len(), 0, "the block holds both transactions");
    stop.send(true).unwrap();
    runtime.block_on(sequencer).unwrap().unwrap();
}
