//! The counter module registered in a real application: its transactions are checked, executed
//! and committed with the block, its root enters the app hash, and its state survives a restart.

use zkpsm_app::{App, AppError, Block, ConsensusParams, Genesis};
use zkpsm_example_counter::{Counter, increment};
use zkpsm_proofs::SpendKeys;

fn genesis() -> Genesis {
    Genesis {
        chain_id: "zkpsm-counter".into(),
        params: ConsensusParams::default(),
        spend_vk_digest: SpendKeys::shared().unwrap().vk_digest_hex(),
        allocations: vec![],
        sequencer: None,
        sp1_vk: None,
    }
}

fn open(path: &std::path::Path) -> App {
    App::open(
        path,
        genesis(),
        SpendKeys::shared().unwrap(),
        vec![Box::new(Counter)],
    )
    .unwrap()
}

#[test]
fn counter_transactions_execute_and_enter_the_app_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let app = open(&path);
    let txs = vec![increment(5).to_bytes(), increment(7).to_bytes()];
    for tx in &txs {
        app.check_tx(tx).unwrap();
    }
    let one = app
        .execute_and_commit(&Block {
            chain_id: "zkpsm-counter".into(),
            height: 1,
            txs,
        })
        .unwrap();
    assert_eq!(
        app.store().module_get("counter", b"value").unwrap(),
        Some(12u64.to_le_bytes().to_vec())
    );

    // Invalid increments are refused at admission and in blocks.
    for bad in [increment(0), increment(1001)] {
        assert!(matches!(
            app.check_tx(&bad.to_bytes()),
            Err(AppError::Module { .. })
        ));
        let block = Block {
            chain_id: "zkpsm-counter".into(),
            height: 2,
            txs: vec![bad.to_bytes()],
        };
        assert!(app.execute(&block).is_err());
    }
    // An unknown module is refused.
    let unknown = zkpsm_app::ChainTx::Module {
        module: "nope".into(),
        payload: vec![1],
    };
    assert!(app.check_tx(&unknown.to_bytes()).is_err());

    // The module's root is in the app hash: a different counter value gives a different hash.
    let other_dir = tempfile::tempdir().unwrap();
    let other = open(&other_dir.path().join("state.redb"));
    let different = other
        .execute_and_commit(&Block {
            chain_id: "zkpsm-counter".into(),
            height: 1,
            txs: vec![increment(13).to_bytes()],
        })
        .unwrap();
    assert_eq!(different.state, one.state);
    assert_ne!(different.app_hash, one.app_hash);

    // State survives a restart.
    drop(app);
    let app = open(&path);
    assert_eq!(app.head().unwrap(), one);
    let two = app
        .execute_and_commit(&Block {
            chain_id: "zkpsm-counter".into(),
            height: 2,
            txs: vec![increment(1).to_bytes()],
        })
        .unwrap();
    assert_eq!(two.state.height, 2);
    assert_eq!(
        app.store().module_get("counter", b"value").unwrap(),
        Some(13u64.to_le_bytes().to_vec())
    );
}
