//! The embedded node: admission, block production, and the mempool under double spends.

use rand::rngs::OsRng;
use std::sync::Arc;
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{App, ChainTx, ConsensusParams, Genesis};
use zkpsm_consensus::{MempoolError, Node, SubmitError};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_wallet::{Payment, SpendableNote, TransactionRequest, build_transaction};

fn setup() -> (tempfile::TempDir, Node, Genesis, SpendingKey) {
    let keys = SpendKeys::shared().unwrap();
    let alice = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let genesis = Genesis {
        chain_id: "zkpsm-node".into(),
        params: ConsensusParams::default(),
        spend_vk_digest: keys.vk_digest_hex(),
        sequencer: None,
        sp1_vk: None,
        allocations: (0..3)
            .map(|i| Allocation {
                address: fvk.address_at(i).to_string(),
                amount: 100,
            })
            .collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("s.redb"), genesis.clone(), keys, vec![]).unwrap();
    (dir, Node::new(Arc::new(app)), genesis, alice)
}

fn spend(genesis: &Genesis, alice: &SpendingKey, index: usize, value: u64) -> Vec<u8> {
    let notes = genesis.notes().unwrap();
    let tree = MemoryTree::new(&notes.iter().map(|n| n.commitment()).collect::<Vec<_>>());
    let request = TransactionRequest {
        chain_id: genesis.chain_id.clone(),
        expiry_height: 100,
        anchor: tree.root(),
        inputs: vec![SpendableNote {
            note: notes[index],
            path: tree.path(index as u32).unwrap(),
        }],
        payment: Payment {
            to: alice.full_viewing_key().address_at(50),
            value,
            memo: [0; 512],
        },
        change_address: alice.full_viewing_key().address_at(51),
        fee: 1,
    };
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    let tx = build_transaction(alice, &request, &prover, &mut OsRng, &mut |_| {}).unwrap();
    ChainTx::Shielded(Box::new(tx)).to_bytes()
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
