//! The embedded node: admission, block production, and the mempool under double spends.

mod common;

use common::{app_with_notes, spend};
use zkpsm_app::Genesis;
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
