//! CometBFT restarting between FinalizeBlock and Commit replays FinalizeBlock for the same height
//! on a new connection. The app answers it again, with the same app hash (never waiting on the
//! store's writer that the first, uncommitted execution held), and Commit makes the block durable
//! once.

mod common;

use common::{app_with_notes, spend};
use std::time::Duration;
use tendermint::abci::request::FinalizeBlock;
use tendermint::abci::types::CommitInfo;
use tendermint::v0_38::abci::{ConsensusRequest, ConsensusResponse};
use tower::{Service, ServiceExt};
use zkpsm_consensus::abci::{AbciApp, ConsensusService};

fn finalize(height: u32, txs: &[Vec<u8>]) -> ConsensusRequest {
    ConsensusRequest::FinalizeBlock(FinalizeBlock {
        txs: txs.iter().map(|t| t.clone().into()).collect(),
        decided_last_commit: CommitInfo {
            round: 0u16.into(),
            votes: Vec::new(),
        },
        misbehavior: Vec::new(),
        hash: Default::default(),
        height: height.into(),
        time: tendermint::Time::unix_epoch(),
        next_validators_hash: Default::default(),
        proposer_address: tendermint::account::Id::new([0; 20]),
    })
}

/// Sends `request` on a fresh connection (a clone of the service, as tower-abci makes one per
/// connection), failing if no answer comes within a minute.
async fn send(service: &ConsensusService, request: ConsensusRequest) -> ConsensusResponse {
    let mut connection = service.clone();
    let answer = connection.ready().await.unwrap().call(request);
    tokio::time::timeout(Duration::from_secs(60), answer)
        .await
        .expect("the app answers within a minute")
        .unwrap()
}

fn app_hash(response: ConsensusResponse) -> Vec<u8> {
    match response {
        ConsensusResponse::FinalizeBlock(f) => f.app_hash.as_bytes().to_vec(),
        other => panic!("not a FinalizeBlock answer: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalize_block_replayed_before_commit_executes_again_and_commits_once() {
    let (_dir, app, genesis, alice) = app_with_notes("zkpsm-replay", 2);
    let txs = vec![spend(&genesis, &alice, 0, 10)];
    let service = ConsensusService(AbciApp::new(app.clone()));

    let first = app_hash(send(&service, finalize(1, &txs)).await);
    // CometBFT dies before Commit and, restarted, replays the height.
    let replayed = app_hash(send(&service, finalize(1, &txs)).await);
    assert_eq!(first, replayed, "the same block reaches the same app hash");
    assert_eq!(
        app.head().unwrap().state.height,
        0,
        "nothing is committed yet"
    );

    match send(&service, ConsensusRequest::Commit).await {
        ConsensusResponse::Commit(_) => {}
        other => panic!("not a Commit answer: {other:?}"),
    }
    let head = app.head().unwrap();
    assert_eq!(head.state.height, 1);
    assert_eq!(head.app_hash.to_vec(), first);

    // The next height goes on as usual.
    let next = app_hash(send(&service, finalize(2, &[spend(&genesis, &alice, 1, 10)])).await);
    send(&service, ConsensusRequest::Commit).await;
    assert_eq!(app.head().unwrap().app_hash.to_vec(), next);
}
