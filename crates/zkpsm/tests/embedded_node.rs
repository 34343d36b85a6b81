//! End to end on a real embedded node process: payments settle, double spends and malformed or
//! tampered transactions are refused with clear errors while the node keeps running, a flood of
//! zero-fee spam leaves room for honest payments, and a restart keeps all state.

mod common;

use common::*;
use rand::rngs::OsRng;
use zkpsm_api::client::ClientError;
use zkpsm_app::ChainTx;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_test_support::{genesis_tree, payment_fee};
use zkpsm_wallet::file::Balance;
use zkpsm_wallet::history::{Activity, Entry, history};
use zkpsm_wallet::scan::scan;
use zkpsm_wallet::send::{SendRequest, send};
use zkpsm_wallet::{Payment, TransactionRequest, WalletFile, build_transaction};

#[test]
fn payments_settle_attacks_are_refused_and_state_survives_restart() {
    let (_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 6, 100, &["--block-interval-ms", "100"]);
    let port = free_port();
    let node = NodeProcess::start(&home, port);

    // A wallet payment settles and both balances are right.
    let fee = payment_fee(&genesis);
    let (mut alice, mut bob, prover, request) = alice_and_bob(&alice_sk, 130, "hi bob");
    // A fee below the chain's rule is refused before anything is proven; none means the rule's.
    let cheap = SendRequest {
        fee: Some(fee - 1),
        ..request.clone()
    };
    let err = send(
        &mut alice,
        &node.client,
        &prover,
        &cheap,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(&format!("below the {fee}")),
        "{err}"
    );
    assert_eq!(alice.next_index, 10, "nothing was built");
    let txid = send(
        &mut alice,
        &node.client,
        &prover,
        &request,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap();
    // Until a scan sees it in a block, the payment locks the two notes it spends and its change
    // is pending.
    let change = 200 - 130 - fee;
    assert_eq!(
        alice.balances(),
        Balance {
            spendable: 400,
            pending: change
        }
    );
    let h = node.wait_settled(0);
    scan(&mut alice, &node.client, &mut |_| {}).unwrap();
    scan(&mut bob, &node.client, &mut |_| {}).unwrap();
    assert_eq!(bob.balance(), 130);
    assert_eq!(
        alice.balances(),
        Balance {
            spendable: 600 - 130 - fee,
            pending: 0
        }
    );
    assert_eq!(bob.notes[0].memo, "hi bob");
    assert_eq!(node.client.status().unwrap().supply, 600 - fee);
    // Each history reads the payment as one transaction: alice sent 130 with its fee and memo
    // (her two spent notes and her change folded in), bob received 130 with the memo.
    let alice_history = history(&alice);
    let (allocations, payment) = alice_history.split_at(6);
    assert!(
        allocations
            .iter()
            .all(|e| e.txid.is_none() && e.activity == Activity::Received { amount: 100 })
    );
    assert_eq!(payment.len(), 1, "{alice_history:#?}");
    assert_eq!(payment[0].txid.as_deref(), Some(txid.as_str()));
    let included = payment[0].height.expect("the payment is in a block");
    assert!(
        (1..=h).contains(&included),
        "included at {included}, settled by {h}"
    );
    // The block's page lists it under the same id.
    assert_eq!(
        node.client.block(included).unwrap().txids,
        std::slice::from_ref(&txid)
    );
    assert_eq!(
        payment[0].activity,
        Activity::Sent {
            amount: 130,
            to: vec![request.to.clone()],
            fee
        }
    );
    assert_eq!(payment[0].memo, "hi bob");
    assert_eq!(
        history(&bob),
        [Entry {
            height: Some(included),
            txid: Some(txid.clone()),
            activity: Activity::Received { amount: 130 },
            memo: "hi bob".into()
        }]
    );

    // A view-only wallet from alice's full viewing key sees the same balance and history, and
    // cannot send.
    let mut watcher = WalletFile::new_view_only(&alice_sk.full_viewing_key());
    scan(&mut watcher, &node.client, &mut |_| {}).unwrap();
    assert_eq!(watcher.balance(), alice.balance());
    assert_eq!(watcher.notes, alice.notes);
    assert_eq!(watcher.sent, alice.sent);
    assert_eq!(history(&watcher), alice_history);
    assert_eq!(watcher.sent[0].value, 130);
    let err = send(
        &mut watcher,
        &node.client,
        &prover,
        &request,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot spend") || err.to_string().contains("view"),
        "{err}"
    );

    // Insufficient funds and a bad address are clear errors.
    let too_much = SendRequest {
        to: request.to.clone(),
        amount: 10_000,
        fee: None,
        memo: String::new(),
    };
    let err = send(
        &mut alice,
        &node.client,
        &prover,
        &too_much,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("insufficient funds"), "{err}");
    let bad = SendRequest {
        to: "zkpsm1notanaddress".into(),
        amount: 1,
        fee: None,
        memo: String::new(),
    };
    assert!(
        send(
            &mut alice,
            &node.client,
            &prover,
            &bad,
            &mut OsRng,
            &mut |_| {}
        )
        .unwrap_err()
        .to_string()
        .contains("bad address")
    );

    // Double spends: the same note in two transactions, while pending and across blocks.
    let spends = genesis_spends(&genesis, &alice_sk, &[5, 5], 10);
    node.client.submit(&spends[0]).unwrap();
    // Refused by the mempool (105) while the first is pending, or as spent (5) if a block
    // included the first in between.
    let second = node.client.submit(&spends[1]);
    let (code, message) = refused(second);
    assert!(code == 105 || code == 5, "{code}: {message}");
    let h = node.wait_settled(h);
    let (code, message) = refused(node.client.submit(&spends[1]));
    assert_eq!(code, 5, "{message}");
    let (code, _) = refused(node.client.submit(&spends[0]));
    assert_eq!(code, 5);

    // Malformed, tampered and oversized transactions; bad queries and routes.
    let (code, message) = refused(node.client.submit(b"not a transaction"));
    assert_eq!(code, 1, "{message}");
    let mut tampered = genesis_spends(&genesis, &alice_sk, &[4], 10).remove(0);
    let n = tampered.len();
    tampered[n - 300] ^= 1;
    let (code, message) = refused(node.client.submit(&tampered));
    assert_eq!(code, 2, "{message}");
    // Oversized: refused from its Content-Length with 413 and a JSON error; the server may close the
    // connection before the client has written the whole body, which the client sees as a reset.
    match node.client.submit(&vec![0u8; 2 * 1024 * 1024]) {
        Err(ClientError::Refused(e)) => assert_eq!(e.code, 101, "{}", e.message),
        Err(ClientError::Unreachable { reason, .. }) => {
            assert!(
                reason.contains("pipe") || reason.contains("reset"),
                "{reason}"
            )
        }
        other => panic!("oversized body accepted: {other:?}"),
    }
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    for (path, status) in [
        ("/v1/blocks/abc", 400),
        ("/v1/outputs?from=-1", 400),
        ("/v1/outputs?limit=-1", 400),
        ("/v1/outputs?start=-5", 400),
        ("/v1/nullifiers?from=3", 400),
        ("/v1/anchors?height=3", 400),
        ("/v1/commits/18446744073709551616", 400),
        ("/v1/nope", 404),
        ("/v1/blocks/999999", 404),
        ("/v1/commits/18446744073709551615", 404),
    ] {
        let mut r = agent.get(&format!("{}{path}", node.url)).call().unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let body: zkpsm_api::types::ApiError =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert!(!body.message.is_empty());
    }
    // A method a route does not take, and a chain proof asked for without JSON (as a cross-site
    // form would) or from a node that runs no prover: each a JSON error with its own code.
    let json_error = |mut r: ureq::http::Response<ureq::Body>| {
        let status = r.status().as_u16();
        let body: zkpsm_api::types::ApiError =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        (status, body.code)
    };
    let url = |path: &str| format!("{}{path}", node.url);
    assert_eq!(
        json_error(agent.put(&url("/v1/status")).send_empty().unwrap()),
        (405, 110)
    );
    assert_eq!(
        json_error(agent.delete(&url("/v1/tx")).call().unwrap()),
        (405, 110)
    );
    assert_eq!(
        json_error(agent.post(&url("/v1/chain-proof")).send_empty().unwrap()),
        (415, 107)
    );
    match node.client.request_chain_proof() {
        Err(ClientError::Refused(e)) => assert_eq!(e.code, 108, "{}", e.message),
        other => panic!("a chain proof asked of a node without a prover: {other:?}"),
    }
    // The node is still running and still accepts a valid transaction.
    let valid = genesis_spends(&genesis, &alice_sk, &[4], 10).remove(0);
    node.client.submit(&valid).unwrap();
    let h = node.wait_settled(h);

    // Restart (SIGKILL, then start again): all state is kept.
    let before = node.client.status().unwrap();
    let block = node.client.block(h).unwrap();
    node.kill9();
    let node = NodeProcess::start(&home, port);
    let after = node.client.status().unwrap();
    assert!(after.height >= before.height);
    // The same block (its DA location may have been filled in since: publishing is asynchronous).
    let without_da = |mut b: zkpsm_api::types::BlockInfo| {
        b.da.clear();
        b
    };
    assert_eq!(without_da(node.client.block(h).unwrap()), without_da(block));
    assert_eq!(after.supply, before.supply);
    scan(&mut bob, &node.client, &mut |_| {}).unwrap();
    assert_eq!(bob.balance(), 130);
    // The pre-proven spends paid 10 twice to another key, which a fresh wallet finds.
    let mut other = WalletFile::new_spending(&SpendingKey::from_bytes([42; 32]));
    scan(&mut other, &node.client, &mut |_| {}).unwrap();
    assert_eq!(other.balance(), 20);
}

#[test]
fn a_flood_of_zero_fee_spam_is_refused_and_an_honest_payment_still_settles() {
    let (_dir, home) = home();
    let alice_sk = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice_sk, 2, 100, &["--block-interval-ms", "100"]);
    let node = NodeProcess::start(&home, free_port());
    // Spam that holds nothing: two dummy inputs, a payment of 0, no fee; it proves. Then 10,000
    // more, each a different transaction (another expiry height; their proofs no longer match,
    // and the fee rule refuses them before any proof is looked at).
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    let anyone = SpendingKey::random(&mut OsRng).full_viewing_key();
    let spam = build_transaction(
        &SpendingKey::random(&mut OsRng),
        &TransactionRequest {
            chain_id: genesis.chain_id.clone(),
            expiry_height: 100,
            anchor: genesis_tree(&genesis).root(),
            inputs: vec![],
            payment: Payment {
                to: anyone.address_at(0),
                value: 0,
                memo: [0; 512],
            },
            change_address: anyone.address_at(1),
            fee: 0,
        },
        &prover,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap();
    let flood: Vec<Vec<u8>> = (0..10_001u64)
        .map(|i| {
            let mut tx = spam.clone();
            tx.body.expiry_height += i;
            ChainTx::Shielded(Box::new(tx)).to_bytes()
        })
        .collect();
    let refused_for_fee = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for part in flood.chunks(flood.len().div_ceil(4)) {
            let client = &node.client;
            let refused_for_fee = &refused_for_fee;
            s.spawn(move || {
                for tx in part {
                    let (code, message) = refused(client.submit(tx));
                    assert_eq!(code, 11, "{message}");
                    refused_for_fee.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(refused_for_fee.into_inner(), 10_001);
    let status = node.client.status().unwrap();
    assert_eq!(status.mempool, 0);
    assert_eq!(status.proof_verifications, 0, "no spam proof was verified");
    // An honest payment, paying the rule's fee, is admitted and settles.
    let honest = genesis_spends(&genesis, &alice_sk, &[0], 10).remove(0);
    node.client.submit(&honest).unwrap();
    node.wait_settled(0);
    assert_eq!(
        node.client.status().unwrap().supply,
        200 - payment_fee(&genesis)
    );
}
