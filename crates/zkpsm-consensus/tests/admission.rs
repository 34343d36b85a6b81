//! Admission through the proof batcher: a batch closes at its size or its latency, and each
//! caller gets its own verdict.

use rand::rngs::OsRng;
use std::sync::Arc;
use std::time::Duration;
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{App, AppError, ChainTx, ConsensusParams, Genesis};
use zkpsm_consensus::{AdmissionConfig, ProofAdmission};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_wallet::{Payment, SpendableNote, TransactionRequest, build_transaction};

/// An app whose genesis gives alice `notes` notes, and one spend of each.
fn setup(notes: u32) -> (tempfile::TempDir, Arc<App>, Vec<Vec<u8>>) {
    let keys = SpendKeys::shared().unwrap();
    let alice = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let genesis = Genesis {
        chain_id: "zkpsm-admission".into(),
        params: ConsensusParams::default(),
        spend_vk_digest: keys.vk_digest_hex(),
        sequencer: None,
        sp1_vk: None,
        allocations: (0..notes)
            .map(|i| Allocation {
                address: fvk.address_at(u64::from(i)).to_string(),
                amount: 100,
            })
            .collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("s.redb"), genesis.clone(), keys, vec![]).unwrap();
    let genesis_notes = genesis.notes().unwrap();
    let tree = MemoryTree::new(
        &genesis_notes
            .iter()
            .map(|n| n.commitment())
            .collect::<Vec<_>>(),
    );
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    let spends = (0..notes as usize)
        .map(|index| {
            let request = TransactionRequest {
                chain_id: genesis.chain_id.clone(),
                expiry_height: 100,
                anchor: tree.root(),
                inputs: vec![SpendableNote {
                    note: genesis_notes[index],
                    path: tree.path(index as u32).unwrap(),
                }],
                payment: Payment {
                    to: fvk.address_at(50),
                    value: 10,
                    memo: [0; 512],
                },
                change_address: fvk.address_at(51),
                fee: 1,
            };
            let tx = build_transaction(&alice, &request, &prover, &mut OsRng, &mut |_| {}).unwrap();
            ChainTx::Shielded(Box::new(tx)).to_bytes()
        })
        .collect();
    (dir, Arc::new(app), spends)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_full_batch_closes_and_each_caller_gets_its_own_verdict() {
    let (_dir, app, mut spends) = setup(4);
    let n = spends[2].len();
    spends[2][n - 200] ^= 1;
    runtime().block_on(async {
        // Four proofs close the batch; the latency is far longer than the test may take.
        let admission = ProofAdmission::new(
            app.clone(),
            AdmissionConfig {
                max_proofs: 4,
                max_latency: Duration::from_secs(600),
                max_batches: 1,
            },
        );
        let checks = spends.iter().map(|bytes| {
            let admission = admission.clone();
            let bytes = bytes.clone();
            tokio::spawn(async move { admission.check(bytes).await })
        });
        let verdicts =
            tokio::time::timeout(Duration::from_secs(120), futures::future::join_all(checks))
                .await
                .expect("a batch of max_proofs closes without waiting for its latency");
        for (i, verdict) in verdicts.into_iter().enumerate() {
            let verdict = verdict.expect("task");
            if i == 2 {
                assert!(matches!(verdict, Err(AppError::Invalid(_))), "{verdict:?}");
            } else {
                let id = verdict.expect("a good proof in a batch with a bad one is admitted");
                assert_eq!(id, ChainTx::decode(&spends[i]).unwrap().id());
            }
        }
    });
    // One batch of four (which failed, so each proof was then verified alone).
    assert_eq!(app.proof_batches(), 1);
    assert_eq!(app.proof_verifications(), 4);
    // The good ones are verified: the app's own check does not verify them again.
    for (i, bytes) in spends.iter().enumerate() {
        if i != 2 {
            app.check_tx(bytes).expect("admitted");
        }
    }
    assert_eq!(app.proof_verifications(), 4);
}

#[test]
fn a_lone_proof_is_verified_when_the_latency_runs_out() {
    let (_dir, app, spends) = setup(1);
    runtime().block_on(async {
        let admission = ProofAdmission::new(
            app.clone(),
            AdmissionConfig {
                max_proofs: 32,
                max_latency: Duration::from_millis(50),
                max_batches: 1,
            },
        );
        let id = tokio::time::timeout(Duration::from_secs(60), admission.check(spends[0].clone()))
            .await
            .expect("the batch closes at its latency")
            .expect("admitted");
        assert_eq!(id, ChainTx::decode(&spends[0]).unwrap().id());
        // Checked again, it is not verified again; bad bytes are refused before the batcher.
        admission.check(spends[0].clone()).await.expect("admitted");
        assert!(matches!(
            admission.check(vec![0, 1, 2]).await,
            Err(AppError::Malformed(_))
        ));
    });
    assert_eq!(app.proof_verifications(), 1);
    assert_eq!(app.proof_batches(), 0);
}
