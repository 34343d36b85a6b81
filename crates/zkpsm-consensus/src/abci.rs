//! Serving the application to CometBFT v0.38 over ABCI 2.0 with tower-abci.
//!
//! The calls are those the embedded sequencer makes: CheckTx is `App::check_tx` with the proof
//! verified in a batch first ([`crate::admission`]; verified once and cached, so a Recheck never
//! verifies it again); PrepareProposal takes valid
//! transactions up to the block limits; ProcessProposal executes the block in full, rejecting it
//! for any invalid transaction and otherwise keeping the result; FinalizeBlock takes that result
//! when it decides the same block (or executes the block itself: another round's block, a
//! replay, block sync) and returns the app hash; Commit makes the block durable before it
//! returns; Info reports the last committed height and app hash so CometBFT's handshake replays
//! what the app lacks; InitChain is safe to repeat. An application failure is a non-zero code
//! with a message, never a service error (which would halt CometBFT).

use crate::admission::{AdmissionConfig, ProofAdmission};
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tendermint::abci::Code;
use tendermint::abci::request::CheckTxKind;
use tendermint::abci::response::{self, ProcessProposal};
use tendermint::abci::types::ExecTxResult;
use tendermint::v0_38::abci::{
    ConsensusRequest, ConsensusResponse, InfoRequest, InfoResponse, MempoolRequest,
    MempoolResponse, SnapshotRequest, SnapshotResponse,
};
use tower::{Service, ServiceBuilder};
use tower_abci::BoxError;
use zkpsm_app::ChainTx;
use zkpsm_app::{App, Block};
use zkpsm_primitives::transaction::TxId;
use zkpsm_state::PendingBlock;

/// The application as CometBFT sees it.
pub struct AbciApp {
    app: Arc<App>,
    /// The last block ProcessProposal accepted, executed but not committed, for FinalizeBlock to
    /// take when it decides the same block (so a block is executed once, not twice). Its redb
    /// write transaction holds the store's only writer: every consensus call that writes drops
    /// it first (ProcessProposal of another proposal, FinalizeBlock of another block).
    proposed: Mutex<Option<(Block, PendingBlock)>>,
    /// The block executed by FinalizeBlock, waiting for Commit.
    pending: Mutex<Option<PendingBlock>>,
    /// Nullifiers of the transactions admitted to CometBFT's mempool since the last Commit.
    check_state: Mutex<BTreeMap<[u8; 32], TxId>>,
    /// A test failpoint: `(when, height)` at which this process kills itself.
    crash_at: Option<(CrashPoint, u64)>,
    /// A test failpoint: where the consensus connection waits before answering.
    hold_at: Vec<(HoldPoint, u64)>,
}

/// Where the crash failpoint fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// After FinalizeBlock has answered, when Commit arrives (before it is applied).
    AfterFinalize,
    /// Right after Commit made the block durable, before answering.
    AfterCommit,
}

/// The environment variable of the crash failpoint, for crash-recovery tests:
/// `after-finalize:H` or `after-commit:H` kills the process with SIGKILL at height H.
pub const CRASH_ENV: &str = "ZKPSM_CRASH_AT";

fn crash_from_env() -> Option<(CrashPoint, u64)> {
    let value = std::env::var(CRASH_ENV).ok()?;
    let points = [
        ("after-finalize", CrashPoint::AfterFinalize),
        ("after-commit", CrashPoint::AfterCommit),
    ];
    parse_failpoint(CRASH_ENV, &value, &points)
}

/// Parses one failpoint, `NAME:HEIGHT`, whose names are those of `points`; a malformed one is
/// logged and ignored.
fn parse_failpoint<P: Copy>(env: &str, text: &str, points: &[(&str, P)]) -> Option<(P, u64)> {
    let parsed = text.split_once(':').and_then(|(name, height)| {
        let (_, point) = points.iter().find(|(known, _)| *known == name)?;
        Some((*point, height.parse().ok()?))
    });
    if parsed.is_none() {
        let names: Vec<&str> = points.iter().map(|(name, _)| *name).collect();
        tracing::warn!(
            "{env}: ignoring {text:?}, not NAME:HEIGHT with NAME one of {}",
            names.join(", ")
        );
    }
    parsed
}

/// Where the hold failpoint waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldPoint {
    /// FinalizeBlock executed the block and kept it for Commit, and has not answered yet.
    FinalizeUnanswered,
    /// Commit made the block durable and has not answered yet.
    CommitUnanswered,
}

/// The environment variable of the hold failpoint, for tests that kill CometBFT alone at a known
/// point: a comma-separated list of `finalize:H` and `commit:H`; at each, the consensus connection
/// logs `failpoint: holding …` and waits [`HOLD_FOR`] before it answers.
pub const HOLD_ENV: &str = "ZKPSM_HOLD_AT";

/// How long the hold failpoint waits.
pub const HOLD_FOR: Duration = Duration::from_secs(4);

fn holds_from_env() -> Vec<(HoldPoint, u64)> {
    let Ok(value) = std::env::var(HOLD_ENV) else {
        return Vec::new();
    };
    let points = [
        ("finalize", HoldPoint::FinalizeUnanswered),
        ("commit", HoldPoint::CommitUnanswered),
    ];
    value
        .split(',')
        .filter_map(|one| parse_failpoint(HOLD_ENV, one, &points))
        .collect()
}

/// Kills this process with SIGKILL: no destructor, no flush, as a power cut would.
fn sigkill_self() -> ! {
    let _ = std::process::Command::new("kill")
        .args(["-9", &std::process::id().to_string()])
        .status();
    std::process::abort()
}

/// A consensus failure the node must not survive: halting is the only safe answer.
fn halt(what: &str) -> ! {
    tracing::error!("zkpsm: consensus failure, halting: {what}");
    std::process::exit(70);
}

impl AbciApp {
    /// Wraps an opened application.
    pub fn new(app: Arc<App>) -> Arc<Self> {
        Arc::new(Self {
            app,
            proposed: Mutex::new(None),
            pending: Mutex::new(None),
            check_state: Mutex::new(BTreeMap::new()),
            crash_at: crash_from_env(),
            hold_at: holds_from_env(),
        })
    }

    /// The block FinalizeBlock executed, waiting for Commit, if there is one.
    fn take_finalized(&self) -> Option<PendingBlock> {
        match self.pending.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }

    fn block(&self, height: tendermint::block::Height, txs: &[bytes::Bytes]) -> Block {
        Block {
            chain_id: self.app.genesis().chain_id.clone(),
            height: height.value(),
            txs: txs.iter().map(|t| t.to_vec()).collect(),
        }
    }

    fn consensus(&self, request: ConsensusRequest) -> ConsensusResponse {
        match request {
            ConsensusRequest::InitChain(init) => {
                if init.chain_id != self.app.genesis().chain_id {
                    halt(&format!(
                        "CometBFT's chain id '{}' is not the app's '{}'",
                        init.chain_id,
                        self.app.genesis().chain_id
                    ));
                }
                let head = self.app.head().unwrap_or_else(|e| halt(&e.to_string()));
                ConsensusResponse::InitChain(response::InitChain {
                    consensus_params: None,
                    validators: Vec::new(),
                    app_hash: head.app_hash.to_vec().try_into().unwrap_or_default(),
                })
            }
            ConsensusRequest::PrepareProposal(p) => {
                let candidates: Vec<Vec<u8>> = p.txs.iter().map(|t| t.to_vec()).collect();
                let mut total = 0i64;
                let txs = self
                    .app
                    .prepare_proposal(&candidates)
                    .into_iter()
                    .take_while(|t| {
                        total += t.len() as i64;
                        total <= p.max_tx_bytes
                    })
                    .map(bytes::Bytes::from)
                    .collect();
                ConsensusResponse::PrepareProposal(response::PrepareProposal { txs })
            }
            ConsensusRequest::ProcessProposal(p) => {
                // A new proposal (another round, or another height after a replay) replaces the
                // one kept: drop it first, releasing the store's writer for this execution. So is
                // a block finalized but never committed (CometBFT restarted in between).
                drop(self.take_proposed());
                drop(self.take_finalized());
                let block = self.block(p.height, &p.txs);
                // The full execution validates the block (every rule FinalizeBlock applies); its
                // result is kept for FinalizeBlock.
                match self.app.execute(&block) {
                    Ok(pending) => {
                        if let Ok(mut slot) = self.proposed.lock() {
                            *slot = Some((block, pending));
                        }
                        ConsensusResponse::ProcessProposal(ProcessProposal::Accept)
                    }
                    Err(e) => {
                        tracing::warn!("rejecting proposal at height {}: {e}", p.height);
                        ConsensusResponse::ProcessProposal(ProcessProposal::Reject)
                    }
                }
            }
            ConsensusRequest::FinalizeBlock(f) => {
                // CometBFT restarted between FinalizeBlock and Commit replays FinalizeBlock for
                // the same height: the block finalized then, never committed, is dropped (it
                // holds the store's only writer) and the height executes again.
                if let Some(unfinished) = self.take_finalized() {
                    tracing::info!(
                        "FinalizeBlock {} again: dropping block {} finalized but never committed",
                        f.height,
                        unfinished.committed().state.height
                    );
                }
                let block = self.block(f.height, &f.txs);
                // The block ProcessProposal executed, if it is exactly this one (same height and
                // transactions); otherwise (another round's block, a replay or block sync, which
                // skip ProcessProposal) the kept one is dropped before executing this one.
                let pending = match self.take_proposed() {
                    Some((proposed, pending)) if proposed == block => pending,
                    other => {
                        drop(other);
                        // A decided block passed ProcessProposal at more than 2/3 of the voting
                        // power; if it does not execute here, this node's state is not the chain's.
                        self.app.execute(&block).unwrap_or_else(|e| {
                            halt(&format!("decided block {} does not execute: {e}", f.height))
                        })
                    }
                };
                let app_hash = pending.committed().app_hash;
                if let Ok(mut slot) = self.pending.lock() {
                    *slot = Some(pending);
                }
                self.hold_if(HoldPoint::FinalizeUnanswered, f.height.value());
                ConsensusResponse::FinalizeBlock(response::FinalizeBlock {
                    events: Vec::new(),
                    tx_results: f.txs.iter().map(|_| ExecTxResult::default()).collect(),
                    validator_updates: Vec::new(),
                    consensus_param_updates: None,
                    app_hash: app_hash.to_vec().try_into().unwrap_or_default(),
                })
            }
            ConsensusRequest::Commit => {
                match self.take_finalized() {
                    Some(p) => {
                        let height = p.committed().state.height;
                        self.crash_if(CrashPoint::AfterFinalize, height);
                        p.commit()
                            .unwrap_or_else(|e| halt(&format!("commit failed: {e}")));
                        // The mempool is rechecked against the new state from an empty check state.
                        if let Ok(mut check) = self.check_state.lock() {
                            check.clear();
                        }
                        self.crash_if(CrashPoint::AfterCommit, height);
                        self.hold_if(HoldPoint::CommitUnanswered, height);
                    }
                    None => halt("Commit without a finalized block"),
                }
                ConsensusResponse::Commit(response::Commit {
                    data: Default::default(),
                    retain_height: 0u32.into(),
                })
            }
            ConsensusRequest::ExtendVote(_) => {
                ConsensusResponse::ExtendVote(response::ExtendVote {
                    vote_extension: Default::default(),
                })
            }
            ConsensusRequest::VerifyVoteExtension(_) => {
                ConsensusResponse::VerifyVoteExtension(response::VerifyVoteExtension::Accept)
            }
        }
    }

    fn mempool(&self, request: MempoolRequest) -> MempoolResponse {
        let MempoolRequest::CheckTx(check) = request;
        // New and Recheck alike: the proof of an already-verified transaction is not verified again,
        // so a recheck costs only the state lookups. The check state adds the nullifiers of the
        // transactions already in CometBFT's mempool: after each Commit it starts empty and the
        // Recheck of the remaining transactions (in mempool order) fills it again.
        let (code, log) = match self.app.check_tx(&check.tx) {
            Ok(id) => match self.reserve_nullifiers(&check.tx, id) {
                Ok(()) => (Code::Ok, format!("ok {id}")),
                Err(nf) => (
                    Code::from(5),
                    format!("double spend: nullifier {nf} is spent by a pending transaction"),
                ),
            },
            Err(e) => (Code::from(e.code()), e.to_string()),
        };
        MempoolResponse::CheckTx(response::CheckTx {
            code,
            log,
            ..Default::default()
        })
    }

    /// Takes the block kept by ProcessProposal, if any.
    fn take_proposed(&self) -> Option<(Block, PendingBlock)> {
        match self.proposed.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }

    /// Records the transaction's nullifiers in the check state, or names one already there.
    fn reserve_nullifiers(&self, tx: &[u8], id: TxId) -> Result<(), String> {
        let Ok(ChainTx::Shielded(tx)) = ChainTx::decode(tx) else {
            return Ok(());
        };
        let Ok(mut pending) = self.check_state.lock() else {
            return Ok(());
        };
        let nfs: Vec<[u8; 32]> = tx.body.nullifiers.iter().map(|n| n.to_bytes()).collect();
        if let Some(nf) = nfs
            .iter()
            .find(|nf| pending.get(*nf).is_some_and(|owner| *owner != id))
        {
            return Err(hex::encode(nf));
        }
        for nf in nfs {
            pending.insert(nf, id);
        }
        Ok(())
    }

    fn crash_if(&self, point: CrashPoint, height: u64) {
        if self.crash_at == Some((point, height)) {
            tracing::warn!("zkpsm: failpoint {point:?} at height {height}: SIGKILL");
            sigkill_self();
        }
    }

    fn hold_if(&self, point: HoldPoint, height: u64) {
        if self.hold_at.contains(&(point, height)) {
            tracing::warn!(
                "zkpsm: failpoint: holding {point:?} at height {height} for {HOLD_FOR:?}"
            );
            std::thread::sleep(HOLD_FOR);
        }
    }

    fn info(&self, request: InfoRequest) -> InfoResponse {
        match request {
            InfoRequest::Info(_) => {
                let head = self.app.head().unwrap_or_else(|e| halt(&e.to_string()));
                let height = head.state.height;
                InfoResponse::Info(response::Info {
                    data: "zkpsm".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    app_version: 1,
                    last_block_height: height.try_into().unwrap_or_default(),
                    // At height 0 CometBFT calls InitChain and takes the app hash from there.
                    last_block_app_hash: if height == 0 {
                        Default::default()
                    } else {
                        head.app_hash.to_vec().try_into().unwrap_or_default()
                    },
                })
            }
            InfoRequest::Query(_) => InfoResponse::Query(response::Query {
                code: Code::from(104),
                log: "ABCI queries are not served; use the node API".into(),
                ..Default::default()
            }),
            InfoRequest::Echo(e) => InfoResponse::Echo(response::Echo { message: e.message }),
        }
    }
}

macro_rules! service {
    ($name:ident, $req:ty, $resp:ty, $method:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone)]
        pub struct $name(pub Arc<AbciApp>);

        impl Service<$req> for $name {
            type Response = $resp;
            type Error = BoxError;
            type Future = BoxFuture<'static, Result<$resp, BoxError>>;

            fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
                Poll::Ready(Ok(()))
            }

            fn call(&mut self, request: $req) -> Self::Future {
                let app = self.0.clone();
                Box::pin(async move {
                    tokio::task::spawn_blocking(move || app.$method(request))
                        .await
                        .map_err(BoxError::from)
                })
            }
        }
    };
}

service!(
    ConsensusService,
    ConsensusRequest,
    ConsensusResponse,
    consensus,
    "The consensus connection."
);
/// The mempool connection. CheckTx runs the cheap checks at once and hands the proof to the
/// admission batcher ([`ProofAdmission`]): proofs arriving together are verified as one batch
/// (closed at a number of proofs or a latency), at most one batch per core at a time, so a burst
/// of submissions costs the batched price and finishes in about arrival order. The final check
/// (`App::check_tx`, a cache hit for the proof) and the mempool's nullifier reservation follow.
///
/// Waiting happens inside each request's future, never in `poll_ready`: tower-abci's connection
/// loop stops polling the responses in flight while a service is not ready (CheckTx requests
/// arrive without a Flush between them, so the connection would hang).
#[derive(Clone)]
pub struct MempoolService {
    app: Arc<AbciApp>,
    admission: ProofAdmission,
}

impl MempoolService {
    /// The mempool connection of `app`, batching proofs as `config` says. Must be called inside a
    /// Tokio runtime.
    pub fn new(app: Arc<AbciApp>, config: AdmissionConfig) -> Self {
        Self {
            admission: ProofAdmission::new(app.app.clone(), config),
            app,
        }
    }
}

impl Service<MempoolRequest> for MempoolService {
    type Response = MempoolResponse;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<MempoolResponse, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: MempoolRequest) -> Self::Future {
        let (app, admission) = (self.app.clone(), self.admission.clone());
        Box::pin(async move {
            let MempoolRequest::CheckTx(check) = &request;
            // A Recheck is of a transaction admitted before, whose proof verified then: the
            // app's own check (a cache hit for the proof) is all it needs.
            if check.kind == CheckTxKind::New
                && let Err(e) = admission.check(check.tx.to_vec()).await
            {
                return Ok(MempoolResponse::CheckTx(response::CheckTx {
                    code: Code::from(e.code()),
                    log: e.to_string(),
                    ..Default::default()
                }));
            }
            tokio::task::spawn_blocking(move || app.mempool(request))
                .await
                .map_err(BoxError::from)
        })
    }
}
service!(
    InfoService,
    InfoRequest,
    InfoResponse,
    info,
    "The info connection."
);

/// The snapshot connection: state sync is not offered, every request gets the empty answer.
#[derive(Clone)]
pub struct SnapshotService;

impl Service<SnapshotRequest> for SnapshotService {
    type Response = SnapshotResponse;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<SnapshotResponse, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: SnapshotRequest) -> Self::Future {
        let response = match request {
            SnapshotRequest::ListSnapshots => SnapshotResponse::ListSnapshots(Default::default()),
            SnapshotRequest::OfferSnapshot(_) => {
                SnapshotResponse::OfferSnapshot(Default::default())
            }
            SnapshotRequest::LoadSnapshotChunk(_) => {
                SnapshotResponse::LoadSnapshotChunk(Default::default())
            }
            SnapshotRequest::ApplySnapshotChunk(_) => {
                SnapshotResponse::ApplySnapshotChunk(Default::default())
            }
        };
        Box::pin(async move { Ok(response) })
    }
}

/// Serves the app on `addr` (e.g. `127.0.0.1:26658`) for CometBFT until the process ends.
pub async fn serve(app: Arc<AbciApp>, addr: &str) -> Result<(), BoxError> {
    let server = tower_abci::v038::Server::builder()
        // One consensus request at a time, in order.
        .consensus(
            ServiceBuilder::new()
                .concurrency_limit(1)
                .service(ConsensusService(app.clone())),
        )
        .mempool(MempoolService::new(app.clone(), AdmissionConfig::default()))
        .info(InfoService(app))
        .snapshot(SnapshotService)
        .finish()
        .ok_or("tower-abci server is missing a service")?;
    server.listen_tcp(addr).await
}
