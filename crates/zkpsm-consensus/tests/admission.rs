//! Admission through the proof batcher: a batch closes at its size or its latency, and each
//! caller gets its own verdict.

mod common;

use common::{app_with_notes, spend};
use std::sync::Arc;
use std::time::Duration;
use zkpsm_app::{App, AppError, ChainTx};
use zkpsm_consensus::{AdmissionConfig, ProofAdmission};

/// An app whose genesis gives alice `notes` notes, and one spend of each.
fn setup(notes: u64) -> (tempfile::TempDir, Arc<App>, Vec<Vec<u8>>) {
    let (dir, app, genesis, alice) = app_with_notes("zkpsm-admission", notes);
    let spends = (0..notes as usize)
        .map(|i| spend(&genesis, &alice, i, 10))
        .collect();
    (dir, app, spends)
}

/// A batcher of `max_proofs` or `max_latency`, one batch at a time.
fn admission(app: &Arc<App>, max_proofs: usize, max_latency: Duration) -> ProofAdmission {
    ProofAdmission::new(
        app.clone(),
        AdmissionConfig {
            max_proofs,
            max_latency,
            max_batches: 1,
            max_waiting: 1024,
        },
    )
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
        let admission = admission(&app, 4, Duration::from_secs(600));
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
        let admission = admission(&app, 32, Duration::from_millis(50));
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

#[test]
fn a_full_admission_queue_refuses_at_once_and_frees_its_slots() {
    let (_dir, app, spends) = setup(3);
    runtime().block_on(async {
        // Two slots; a batch waits up to two seconds for company.
        let admission = ProofAdmission::new(
            app.clone(),
            AdmissionConfig {
                max_proofs: 32,
                max_latency: Duration::from_secs(2),
                max_batches: 1,
                max_waiting: 2,
            },
        );
        let waiting: Vec<_> = spends[..2]
            .iter()
            .map(|bytes| {
                let (admission, bytes) = (admission.clone(), bytes.clone());
                tokio::spawn(async move { admission.check(bytes).await })
            })
            .collect();
        // Let both take their slots and reach the batcher.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let refused = tokio::time::timeout(
            Duration::from_millis(200),
            admission.check(spends[2].clone()),
        )
        .await
        .expect("a full queue answers at once");
        match refused {
            Err(e @ AppError::Busy(_)) => assert_eq!(e.code(), 12),
            other => panic!("expected Busy, got {other:?}"),
        }
        for verdict in futures::future::join_all(waiting).await {
            verdict
                .expect("task")
                .expect("the queued ones are admitted");
        }
        // Their slots are free again: the refused one now goes through.
        let id = tokio::time::timeout(Duration::from_secs(60), admission.check(spends[2].clone()))
            .await
            .expect("admitted in time")
            .expect("admitted once the queue has room");
        assert_eq!(id, ChainTx::decode(&spends[2]).unwrap().id());
    });
    // The refused submission cost no verification: two in one batch, then the third alone.
    assert_eq!(app.proof_batches(), 1);
    assert_eq!(app.proof_verifications(), 3);
}
