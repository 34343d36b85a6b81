//! The application end to end below consensus: real proofs, a real redb store.

use rand::rngs::OsRng;
use std::sync::Arc;
use zkpsm_app::committed_txs::{CommittedTxKind, committed_txs};
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{App, AppError, Block, ChainTx, ConsensusParams, Genesis, Lanes};
use zkpsm_primitives::encryption::try_decrypt;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_test_support::{Spend, genesis_note, payment_fee, prove_spend};
use zkpsm_wallet::{Payment, TransactionRequest, build_transaction};

const CHAIN: &str = "zkpsm-test";

struct World {
    dir: tempfile::TempDir,
    app: App,
    genesis: Genesis,
    alice: SpendingKey,
    bob: SpendingKey,
    prover: SpendProver,
}

fn keys() -> Arc<SpendKeys> {
    SpendKeys::shared().expect("keys")
}

fn world(params: ConsensusParams) -> World {
    let alice = SpendingKey::random(&mut OsRng);
    let bob = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let genesis = Genesis {
        chain_id: CHAIN.into(),
        params,
        spend_vk_digest: keys().vk_digest_hex(),
        sequencer: None,
        sp1_vk: None,
        allocations: vec![
            Allocation {
                address: fvk.address_at(0).to_string(),
                amount: 1000,
            },
            Allocation {
                address: fvk.address_at(1).to_string(),
                amount: 500,
            },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(
        &dir.path().join("state.redb"),
        genesis.clone(),
        keys(),
        vec![],
    )
    .unwrap();
    World {
        dir,
        app,
        genesis,
        alice,
        bob,
        prover: SpendProver::new(keys()),
    }
}

/// The note commitment tree as the chain holds it.
fn tree(app: &App) -> MemoryTree {
    let outputs = app.store().outputs_from(0, usize::MAX).unwrap();
    MemoryTree::new(&outputs.iter().map(|(_, _, o)| o.cm).collect::<Vec<_>>())
}

/// Alice spends her genesis note `index` (at that position), paying bob `value` and the fee the
/// chain's rule asks.
fn pay(w: &World, index: usize, value: u64, expiry: u64) -> Vec<u8> {
    pay_fee(w, index, value, expiry, payment_fee(&w.genesis))
}

/// The same, paying `fee`.
fn pay_fee(w: &World, index: usize, value: u64, expiry: u64, fee: u64) -> Vec<u8> {
    prove_spend(
        &w.prover,
        &Spend {
            chain_id: CHAIN,
            sender: &w.alice,
            tree: &tree(&w.app),
            note: genesis_note(&w.genesis, index),
            position: index as u32,
            to: w.bob.full_viewing_key().address_at(0),
            value,
            change: w.alice.full_viewing_key().address_at(7),
            expiry_height: expiry,
            fee,
        },
    )
}

fn block(w: &World, txs: Vec<Vec<u8>>) -> Block {
    Block {
        chain_id: CHAIN.into(),
        height: w.app.head().unwrap().state.height + 1,
        txs,
    }
}

#[test]
fn transactions_below_the_fee_rule_are_refused_in_admission_and_in_blocks() {
    let w = world(ConsensusParams::default());
    let required = payment_fee(&w.genesis);
    assert!(required > 1, "the default rule prices bytes: {required}");
    // Spam that holds nothing: two dummy inputs of value 0, a payment of 0, no fee. It proves
    // (a dummy input needs no tree membership), and the fee rule alone refuses it, before its
    // proof is verified.
    let spam = build_transaction(
        &w.alice,
        &TransactionRequest {
            chain_id: CHAIN.into(),
            expiry_height: 100,
            anchor: tree(&w.app).root(),
            inputs: vec![],
            payment: Payment {
                to: w.bob.full_viewing_key().address_at(0),
                value: 0,
                memo: [0; 512],
            },
            change_address: w.alice.full_viewing_key().address_at(1),
            fee: 0,
        },
        &w.prover,
        &mut OsRng,
        &mut |_| {},
    )
    .expect("a zero-value transaction proves");
    let spam = zkpsm_app::ChainTx::Shielded(Box::new(spam)).to_bytes();
    for _ in 0..3 {
        match w.app.check_tx(&spam) {
            Err(e @ AppError::Fee { paid: 0, .. }) => {
                assert_eq!(e.code(), 11);
                assert!(
                    e.to_string().contains(&format!("at least {required}")),
                    "{e}"
                );
            }
            other => panic!("a zero-fee transaction: {other:?}"),
        }
    }
    assert_eq!(w.app.proof_verifications(), 0);
    // One unit short of the rule: refused in admission and in a block; exactly the rule: valid.
    let short = pay_fee(&w, 0, 300, 100, required - 1);
    assert!(matches!(
        w.app.check_tx(&short),
        Err(AppError::Fee { paid, required: r, .. }) if paid == required - 1 && r == required
    ));
    assert!(matches!(
        w.app.process_proposal(&block(&w, vec![short.clone()])),
        Err(AppError::Fee { .. })
    ));
    assert!(
        w.app
            .prepare_proposal(std::slice::from_ref(&short))
            .is_empty()
    );
    let exact = pay_fee(&w, 0, 300, 100, required);
    w.app.check_tx(&exact).expect("the exact fee is admitted");
    let committed = w.app.execute_and_commit(&block(&w, vec![exact])).unwrap();
    assert_eq!(committed.state.supply, 1500 - required);
}

#[test]
fn a_payment_settles_and_double_spends_are_rejected() {
    let w = world(ConsensusParams::default());
    let tx1 = pay(&w, 0, 300, 100);
    w.app.check_tx(&tx1).expect("admitted");
    assert_eq!(w.app.proof_verifications(), 1);
    // Checked again, proposed, processed and executed: the proof is never verified twice.
    w.app.check_tx(&tx1).expect("still valid");
    assert_eq!(
        w.app.prepare_proposal(std::slice::from_ref(&tx1)),
        vec![tx1.clone()]
    );
    w.app
        .process_proposal(&block(&w, vec![tx1.clone()]))
        .unwrap();
    let committed = w
        .app
        .execute_and_commit(&block(&w, vec![tx1.clone()]))
        .unwrap();
    assert_eq!(w.app.proof_verifications(), 1);
    assert_eq!(committed.state.height, 1);
    assert_eq!(committed.state.supply, 1500 - payment_fee(&w.genesis));
    assert_eq!(committed.state.cm_size, 4);

    // Bob finds 300 among the new outputs.
    let bob_ivk = w.bob.full_viewing_key().incoming_viewing_key();
    let outputs = w.app.store().outputs_from(2, 10).unwrap();
    let received: u64 = outputs
        .iter()
        .filter_map(|(_, _, o)| try_decrypt(&bob_ivk, &o.cm, &o.encrypted).ok())
        .map(|d| d.note.value)
        .sum();
    assert_eq!(received, 300);

    // The same note again, in another transaction, across blocks: refused at admission and in a block.
    let again = pay(&w, 0, 100, 100);
    assert!(matches!(
        w.app.check_tx(&again),
        Err(AppError::DoubleSpend(_))
    ));
    assert!(matches!(
        w.app.execute(&block(&w, vec![again])),
        Err(AppError::DoubleSpend(_))
    ));
    // The very same transaction replayed.
    assert!(matches!(
        w.app.check_tx(&tx1),
        Err(AppError::DoubleSpend(_))
    ));

    // Two transactions spending the same note in one block.
    let a = pay(&w, 1, 100, 100);
    let b = pay(&w, 1, 200, 100);
    w.app.check_tx(&a).expect("a alone is valid");
    w.app.check_tx(&b).expect("b alone is valid");
    assert!(matches!(
        w.app.execute(&block(&w, vec![a.clone(), b.clone()])),
        Err(AppError::DoubleSpend(_))
    ));
    assert_eq!(w.app.prepare_proposal(&[a.clone(), b]), vec![a.clone()]);
    assert_eq!(
        w.app
            .execute_and_commit(&block(&w, vec![a]))
            .unwrap()
            .state
            .height,
        2
    );
}

#[test]
fn an_anchor_outside_the_window_is_rejected() {
    let w = world(ConsensusParams {
        anchor_window: 1,
        ..ConsensusParams::default()
    });
    let stale = pay(&w, 1, 50, 100); // against the genesis anchor (height 0)
    w.app
        .execute_and_commit(&block(&w, vec![pay(&w, 0, 10, 100)]))
        .unwrap();
    w.app.execute_and_commit(&block(&w, vec![])).unwrap();
    // Height 3 would include it: 3 - 0 > 1.
    assert!(matches!(w.app.check_tx(&stale), Err(AppError::Anchor(_))));
    assert!(matches!(
        w.app.execute(&block(&w, vec![stale])),
        Err(AppError::Anchor(_))
    ));
}

#[test]
fn bad_transactions_and_blocks_are_refused_and_state_survives_restart() {
    let w = world(ConsensusParams::default());
    assert!(matches!(w.app.check_tx(&[]), Err(AppError::Malformed(_))));
    assert!(matches!(
        w.app.check_tx(&[0, 1, 2]),
        Err(AppError::Malformed(_))
    ));
    let honest = pay(&w, 0, 10, 100);
    let mut tampered = honest.clone();
    let n = tampered.len();
    tampered[n - 200] ^= 1; // in the proof: the body, and so the id, is the honest one's
    assert!(matches!(
        w.app.check_tx(&tampered),
        Err(AppError::Invalid(_))
    ));
    // Sent again, the same bad bytes are refused without a second verification; the honest
    // transaction with the same body is not blocked by them.
    let verified = w.app.proof_verifications();
    match w.app.check_tx(&tampered) {
        Err(AppError::Invalid(e)) => assert!(e.to_string().contains("failed recently"), "{e}"),
        other => panic!("the same bad transaction again: {other:?}"),
    }
    assert_eq!(w.app.proof_verifications(), verified);
    w.app
        .check_tx(&honest)
        .expect("the honest transaction with the same body is admitted");
    let expired = pay(&w, 0, 10, 0);
    assert!(matches!(w.app.check_tx(&expired), Err(AppError::Expiry(_))));
    let mut wrong_height = block(&w, vec![]);
    wrong_height.height += 1;
    assert!(matches!(
        w.app.execute(&wrong_height),
        Err(AppError::Block(_))
    ));

    let good = pay(&w, 0, 10, 100);
    let committed = w.app.execute_and_commit(&block(&w, vec![good])).unwrap();
    let World {
        dir, app, genesis, ..
    } = w;
    drop(app);
    let reopened = App::open(
        &dir.path().join("state.redb"),
        genesis.clone(),
        keys(),
        vec![],
    )
    .unwrap();
    assert_eq!(reopened.head().unwrap(), committed);
    // Another genesis on the same state is refused.
    let other = Genesis {
        chain_id: "zkpsm-other".into(),
        ..genesis
    };
    assert!(App::open(&dir.path().join("state.redb"), other, keys(), vec![]).is_err());
}

#[test]
fn execution_is_deterministic() {
    let w = world(ConsensusParams::default());
    let blocks = [block(&w, vec![pay(&w, 0, 10, 100)])];
    let head_a = w.app.execute_and_commit(&blocks[0]).unwrap();
    // A second node from the same genesis reaches the same app hash.
    let other = tempfile::tempdir().unwrap();
    let replica = App::open(
        &other.path().join("state.redb"),
        w.genesis.clone(),
        keys(),
        vec![],
    )
    .unwrap();
    assert_eq!(replica.execute_and_commit(&blocks[0]).unwrap(), head_a);
    let _ = &w.dir;
}

#[test]
fn concurrent_checks_and_a_proposal_verify_each_proof_once() {
    let w = world(ConsensusParams::default());
    let good = pay(&w, 0, 10, 100);
    let mut bad = pay(&w, 1, 10, 100);
    let n = bad.len();
    bad[n - 200] ^= 1;
    // Four CheckTx of one transaction and a ProcessProposal of a block holding it, all at once
    // (as CometBFT's mempool and consensus connections do): one verification between them.
    let barrier = std::sync::Barrier::new(5);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                barrier.wait();
                w.app.check_tx(&good).expect("admitted");
            });
        }
        s.spawn(|| {
            barrier.wait();
            w.app
                .process_proposal(&block(&w, vec![good.clone()]))
                .expect("valid block");
        });
    });
    assert_eq!(w.app.proof_verifications(), 1);
    // A bad proof is refused to every concurrent caller, verified once: its failure is
    // remembered under its exact bytes, and waiters and later callers get it without verifying.
    let barrier = std::sync::Barrier::new(3);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                barrier.wait();
                assert!(matches!(w.app.check_tx(&bad), Err(AppError::Invalid(_))));
            });
        }
    });
    assert_eq!(w.app.proof_verifications(), 2);
    assert!(matches!(
        w.app
            .process_proposal(&block(&w, vec![good.clone(), bad.clone()])),
        Err(AppError::Invalid(_))
    ));
    assert_eq!(w.app.proof_verifications(), 2);
}

#[test]
fn a_lane_runs_parallel_loops_on_one_thread_and_survives_a_panic() {
    use rayon::prelude::*;
    let lanes = Lanes::new(2);
    assert_eq!(lanes.len(), 2);
    let caller = std::thread::current().id();
    let threads: Vec<std::thread::ThreadId> = lanes.run(|| {
        (0..10_000)
            .into_par_iter()
            .map(|_| std::thread::current().id())
            .collect()
    });
    assert!(threads.iter().all(|t| *t == threads[0]), "one thread");
    assert_ne!(threads[0], caller, "the lane's thread, not the caller's");
    // A job that panics hands its lane back: both lanes still run jobs, side by side.
    for _ in 0..2 {
        let panicked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lanes.run(|| panic!("job"))));
        assert!(panicked.is_err());
    }
    let barrier = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| lanes.run(|| barrier.wait()));
        }
    });
}

#[test]
fn genesis_refuses_parameters_the_chain_cannot_honour() {
    let w = world(ConsensusParams::default());
    let good = w.app.genesis().clone();
    good.validate().expect("the test genesis is valid");
    let too_wide = Genesis {
        params: ConsensusParams {
            anchor_window: 257,
            ..good.params.clone()
        },
        ..good.clone()
    };
    assert!(too_wide.validate().is_err(), "the anchor ring holds 256");
    let hex64 = "ab".repeat(32);
    for bad in [
        String::new(),
        "0x12".into(),
        hex64.clone(),
        format!("0x{}", "g".repeat(64)),
    ] {
        let pinned = Genesis {
            sp1_vk: Some(bad.clone()),
            ..good.clone()
        };
        assert!(pinned.validate().is_err(), "sp1_vk {bad:?} accepted");
    }
    let pinned = Genesis {
        sp1_vk: Some(format!("0x{hex64}")),
        ..good
    };
    let text = String::from_utf8(pinned.to_bytes()).unwrap();
    assert_eq!(Genesis::from_json(&text).unwrap(), pinned);
}

#[test]
fn a_blocks_proofs_verify_as_one_batch_and_a_bad_one_is_named() {
    let w = world(ConsensusParams::default());
    let a = pay(&w, 0, 10, 100);
    let b = pay(&w, 1, 20, 100);
    // Two proofs nobody has verified: one batch (fewer than four proofs are not split).
    w.app
        .process_proposal(&block(&w, vec![a.clone(), b.clone()]))
        .expect("valid block");
    assert_eq!(w.app.proof_verifications(), 2);
    assert_eq!(w.app.proof_batches(), 1);

    // A bad proof beside a good one: the batch fails, each is verified alone, the block is
    // refused for the bad one and the good one is remembered as verified.
    let w = world(ConsensusParams::default());
    let good = pay(&w, 0, 10, 100);
    let mut bad = pay(&w, 1, 20, 100);
    let n = bad.len();
    bad[n - 200] ^= 1;
    let refused = w
        .app
        .process_proposal(&block(&w, vec![bad.clone(), good.clone()]));
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    assert_eq!(w.app.proof_batches(), 1);
    let verified = w.app.proof_verifications();
    w.app.check_tx(&good).expect("the good one is admitted");
    assert_eq!(
        w.app.proof_verifications(),
        verified,
        "the good proof verified in the failed batch's fallback is not verified again"
    );
    assert!(matches!(w.app.check_tx(&bad), Err(AppError::Invalid(_))));
}

#[test]
fn a_committed_blocks_transactions_are_found_by_their_outputs_and_nullifiers() {
    let w = world(ConsensusParams::default());
    let txs = vec![pay(&w, 0, 300, 100), pay(&w, 1, 200, 100)];
    w.app.execute_and_commit(&block(&w, txs.clone())).unwrap();
    let store = w.app.store();
    assert_eq!(
        committed_txs(store, 0).unwrap(),
        Some(Vec::new()),
        "genesis"
    );
    assert_eq!(committed_txs(store, 2).unwrap(), None, "no block yet");
    let committed = committed_txs(store, 1).unwrap().expect("block 1");
    assert_eq!(committed.len(), 2);
    let outputs = store.outputs_from(2, 10).unwrap();
    let nullifiers = store.nullifiers_from(1, 0, 10).unwrap();
    assert_eq!((outputs.len(), nullifiers.len()), (4, 4));
    for (i, (tx, bytes)) in committed.iter().zip(&txs).enumerate() {
        let decoded = ChainTx::decode(bytes).unwrap();
        assert_eq!(tx.txid, decoded.id());
        assert_eq!(tx.bytes, bytes.len());
        let ChainTx::Shielded(t) = decoded else {
            panic!("a payment is shielded")
        };
        let CommittedTxKind::Shielded {
            nullifiers: nfs,
            first_nullifier,
            commitments,
            first_position,
            fee,
        } = &tx.kind
        else {
            panic!("a payment is shielded")
        };
        assert_eq!(*first_position, 2 + 2 * i as u64, "genesis made 2 notes");
        assert_eq!(*first_nullifier, 2 * i as u32);
        assert_eq!(*fee, t.body.fee);
        assert_eq!(nfs, &t.body.nullifiers.to_vec());
        // The store's outputs and nullifiers at those places are this transaction's.
        for (k, cm) in commitments.iter().enumerate() {
            let (position, height, output) = &outputs[2 * i + k];
            assert_eq!((*height, output.cm), (1, *cm));
            assert!(tx.created(*position));
        }
        for (k, nf) in nfs.iter().enumerate() {
            let (height, index, stored) = nullifiers[2 * i + k];
            assert_eq!((height, stored), (1, *nf));
            assert!(tx.revealed(index));
        }
    }
    // Each place belongs to exactly one transaction.
    assert!(!committed[0].created(4) && !committed[1].created(3));
    assert!(!committed[0].revealed(2) && !committed[1].revealed(1));
    assert!(!committed[1].created(6) && !committed[1].revealed(4));
}
