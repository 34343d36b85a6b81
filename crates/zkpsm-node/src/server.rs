//! The axum server.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use zkpsm_api::types::*;
use zkpsm_app::AppError;
use zkpsm_app::committed_txs::{CommittedTx, committed_txs};
use zkpsm_app::{App, ChainTx};
use zkpsm_consensus::forward::{ForwardError, Forwarder};
use zkpsm_consensus::{Node, ProofAdmission, SubmitError};
use zkpsm_da::BlobRef;
use zkpsm_primitives::encryption::CompactOutput;
use zkpsm_primitives::transaction::{MAX_TX_BYTES, Output};
use zkpsm_state::Store;

/// What the API serves: an embedded node, or an app whose transactions go through CometBFT.
pub enum Backend {
    /// The embedded sequencer's node (its own mempool).
    Embedded {
        /// The node.
        node: Arc<Node>,
        /// Where submissions' proofs are verified, in batches, before they enter the mempool.
        admission: ProofAdmission,
    },
    /// An app served to CometBFT: submissions go to CometBFT's `broadcast_tx_sync` (CheckTx),
    /// reads come from the app's committed state.
    CometBft {
        /// The application.
        app: Arc<App>,
        /// The CometBFT RPC client.
        forwarder: Forwarder,
    },
}

impl Backend {
    fn app(&self) -> &App {
        match self {
            Backend::Embedded { node, .. } => node.app(),
            Backend::CometBft { app, .. } => app,
        }
    }

    /// Pending transactions in the embedded mempool (CometBFT's mempool is not counted here).
    fn mempool_len(&self) -> usize {
        match self {
            Backend::Embedded { node, .. } => node.mempool_len(),
            Backend::CometBft { .. } => 0,
        }
    }
}

/// An error answer with its HTTP status.
pub struct Reply(StatusCode, ApiError);

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

fn reply(status: StatusCode, code: u32, message: impl Into<String>) -> Reply {
    Reply(
        status,
        ApiError {
            code,
            message: message.into(),
        },
    )
}

/// A fault of the node itself (its store, its handler), not of the request.
fn internal(message: impl Into<String>) -> Reply {
    reply(StatusCode::INTERNAL_SERVER_ERROR, 100, message)
}

impl From<AppError> for Reply {
    fn from(e: AppError) -> Self {
        let status = match e {
            AppError::State(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        reply(status, e.code(), e.to_string())
    }
}

impl From<zkpsm_state::StateError> for Reply {
    fn from(e: zkpsm_state::StateError) -> Self {
        AppError::from(e).into()
    }
}

type Answer<T> = Result<axum::Json<T>, Reply>;

/// The API's routes over a node.
pub fn router(node: Arc<Backend>) -> Router {
    Router::new()
        .route("/v1/tx", post(submit))
        .route("/v1/status", get(status))
        .route("/v1/blocks/{height}", get(block))
        .route("/v1/outputs", get(outputs))
        .route("/v1/outputs/compact", get(compact_outputs))
        .route("/v1/nullifiers", get(nullifiers))
        .route("/v1/anchors", get(anchors))
        .route("/v1/commits/{height}", get(commit))
        .route("/v1/proofs/nullifier/{nullifier}", get(nullifier_proof))
        .route("/v1/proofs/commitment/{commitment}", get(commitment_proof))
        .route(
            "/v1/chain-proof",
            get(chain_proof).post(request_chain_proof),
        )
        .fallback(|| async {
            reply(
                StatusCode::NOT_FOUND,
                104,
                "no such route; see the API table in docs/operations.md",
            )
        })
        .method_not_allowed_fallback(|| async {
            reply(
                StatusCode::METHOD_NOT_ALLOWED,
                110,
                "this route does not take that method; see the API table in docs/operations.md",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_TX_BYTES + 1024))
        .with_state(node)
}

/// Limits on the API's HTTP/1.1 connections, so that slow or idle sockets cannot exhaust the
/// node's file descriptors or hold its workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpLimits {
    /// Connections served at once; one more is closed as soon as it is accepted.
    pub max_connections: usize,
    /// Milliseconds a connection has to send a request's headers (a new connection, or an idle
    /// kept-alive one) before it is closed.
    pub header_timeout_ms: u64,
    /// Milliseconds a request has, from its headers to its answer, body included; past them it
    /// is answered 408 (code 111).
    pub request_timeout_ms: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 512,
            header_timeout_ms: 10_000,
            request_timeout_ms: 60_000,
        }
    }
}

/// Answers 408 (code 111) to a request that is not done within `limit`: a body sent slowly, or
/// work that takes too long.
async fn within_time(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => reply(
            StatusCode::REQUEST_TIMEOUT,
            111,
            format!(
                "the request was not done within {} ms (send the body at once)",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

/// Resolves once `shutdown` turns true (or its sender is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Serves the API on `listener` until `shutdown` turns true, within `limits`: at most
/// `max_connections` at once (more are closed on accept), each with a header timeout, and each
/// request with a time limit.
pub async fn serve(
    listener: TcpListener,
    node: Arc<Backend>,
    limits: HttpLimits,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = router(node).layer(axum::middleware::from_fn_with_state(
        Duration::from_millis(limits.request_timeout_ms),
        within_time,
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let header_timeout = Duration::from_millis(limits.header_timeout_ms);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!("accepting an API connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut shutdown) => return Ok(()),
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!(
                "closing the API connection from {peer}: {} are open already",
                limits.max_connections
            );
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let served = tokio::select! {
                served = connection.as_mut() => served,
                () = stopped(&mut shutdown) => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = served {
                tracing::debug!("API connection from {peer}: {e}");
            }
        });
    }
}

/// Runs a handler's storage reads on the blocking pool, off the async workers that consensus and
/// the other connections share.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Reply> + Send + 'static,
) -> Result<T, Reply> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| internal(format!("the request's handler stopped: {e}")))?
}

async fn submit(
    State(node): State<Arc<Backend>>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<Submitted> {
    let body = body.map_err(|e| reply(e.status(), 101, format!("bad request body: {e}")))?;
    let bytes = body.to_vec();
    match node.as_ref() {
        Backend::Embedded { node, admission } => {
            // The proof is verified in a batch with the other submissions of the moment; the
            // node's own check then finds it verified and repeats only the cheap checks.
            admission.check(bytes.clone()).await?;
            let embedded = node.clone();
            let result = blocking(move || Ok(embedded.submit(bytes))).await?;
            match result {
                Ok(id) => Ok(axum::Json(Submitted {
                    txid: id.to_string(),
                })),
                Err(SubmitError::App(e)) => Err(e.into()),
                Err(SubmitError::Mempool(e)) => {
                    Err(reply(StatusCode::CONFLICT, 105, e.to_string()))
                }
            }
        }
        Backend::CometBft { forwarder, .. } => {
            let id = ChainTx::decode(&bytes).map_err(AppError::malformed)?.id();
            match forwarder.submit(bytes).await {
                Ok(()) => Ok(axum::Json(Submitted {
                    txid: id.to_string(),
                })),
                Err(ForwardError::Refused { code, log }) => {
                    Err(reply(StatusCode::UNPROCESSABLE_ENTITY, code, log))
                }
                Err(e @ ForwardError::Rejected(_)) => {
                    Err(reply(StatusCode::CONFLICT, 105, e.to_string()))
                }
                Err(e @ ForwardError::Unreachable { .. }) => {
                    Err(reply(StatusCode::SERVICE_UNAVAILABLE, 106, e.to_string()))
                }
            }
        }
    }
}

async fn status(State(node): State<Arc<Backend>>) -> Answer<Status> {
    blocking(move || {
        let app = node.app();
        let head = app.head()?;
        Ok(axum::Json(Status {
            chain_id: app.genesis().chain_id.clone(),
            height: head.state.height,
            app_hash: hex::encode(head.app_hash),
            anchor: head.state.cm_root.to_string(),
            cm_size: head.state.cm_size,
            nf_size: head.state.nf_size,
            supply: head.state.supply,
            anchor_window: app.genesis().params.anchor_window,
            fee_base: app.genesis().params.fee_base,
            fee_per_kib: app.genesis().params.fee_per_kib,
            spend_vk_digest: app.genesis().spend_vk_digest.clone(),
            mempool: node.mempool_len(),
            proof_verifications: app.proof_verifications(),
        }))
    })
    .await
}

async fn block(State(node): State<Arc<Backend>>, Path(height): Path<String>) -> Answer<BlockInfo> {
    blocking(move || {
        let height: u64 = height
            .parse()
            .map_err(|_| reply(StatusCode::BAD_REQUEST, 102, "height must be a number"))?;
        let app = node.app();
        let not_found = || {
            reply(
                StatusCode::NOT_FOUND,
                103,
                format!("no block at height {height}"),
            )
        };
        let encoded = app.store().block(height)?.ok_or_else(not_found)?;
        let committed = app.store().committed_at(height)?.ok_or_else(not_found)?;
        let txids = committed_txs(app.store(), height)?
            .ok_or_else(not_found)?
            .iter()
            .map(|t| t.txid.to_string())
            .collect();
        let da = match app.store().published(height)? {
            Some(bytes) => borsh::from_slice::<Vec<BlobRef>>(&bytes)
                .map_err(|_| internal(format!("the DA record of block {height} does not decode")))?
                .into_iter()
                .map(|r| BlobRefInfo {
                    height: r.height,
                    namespace: r.namespace.to_string(),
                    commitment: hex::encode(r.commitment),
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(axum::Json(BlockInfo {
            height,
            txids,
            encoded: hex::encode(encoded),
            app_hash: hex::encode(committed.app_hash),
            da,
            module_roots: module_roots_hex(app, height)?,
        }))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    from: Option<u64>,
    limit: Option<usize>,
}

fn page(q: Result<Query<Page>, QueryRejection>) -> Result<(u64, usize), Reply> {
    let Query(p) = q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
    Ok((
        p.from.unwrap_or(0),
        p.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE),
    ))
}

/// The page of outputs the query asks for, each as `info` makes it of its position, height,
/// creating transaction and output.
fn outputs_page<T>(
    node: &Backend,
    q: Result<Query<Page>, QueryRejection>,
    info: impl Fn(u64, u64, Option<String>, Output) -> T,
) -> Result<Vec<T>, Reply> {
    let (from, limit) = page(q)?;
    let store = node.app().store();
    let mut locator = TxLocator::new(store);
    store
        .outputs_from(from, limit)?
        .into_iter()
        .map(|(position, height, o)| {
            let txid = locator.creator(height, position)?;
            Ok(info(position, height, txid, o))
        })
        .collect()
}

/// Finds the transaction behind an output or a nullifier. A page is in chain order, so it keeps
/// the last block's transactions: each block of the page is decoded once.
struct TxLocator<'a> {
    store: &'a Store,
    block: Option<(u64, Vec<CommittedTx>)>,
}

impl<'a> TxLocator<'a> {
    fn new(store: &'a Store) -> Self {
        Self { store, block: None }
    }

    fn txs(&mut self, height: u64) -> Result<&[CommittedTx], Reply> {
        if self.block.as_ref().is_none_or(|(h, _)| *h != height) {
            let txs = committed_txs(self.store, height)?.ok_or_else(|| {
                internal(format!("block {height} is missing from the node's store"))
            })?;
            self.block = Some((height, txs));
        }
        Ok(self
            .block
            .as_ref()
            .map(|(_, t)| t.as_slice())
            .unwrap_or(&[]))
    }

    /// The transaction that created the output at `position` of block `height` (`None` for a
    /// genesis note).
    fn creator(&mut self, height: u64, position: u64) -> Result<Option<String>, Reply> {
        if height == 0 {
            return Ok(None);
        }
        match self.txs(height)?.iter().find(|t| t.created(position)) {
            Some(tx) => Ok(Some(tx.txid.to_string())),
            None => Err(internal(format!(
                "output {position} of block {height} belongs to none of its transactions"
            ))),
        }
    }

    /// The transaction that revealed the `index`th nullifier of block `height`.
    fn revealer(&mut self, height: u64, index: u32) -> Result<String, Reply> {
        match self.txs(height)?.iter().find(|t| t.revealed(index)) {
            Some(tx) => Ok(tx.txid.to_string()),
            None => Err(internal(format!(
                "nullifier {index} of block {height} belongs to none of its transactions"
            ))),
        }
    }
}

async fn outputs(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Page>, QueryRejection>,
) -> Answer<Outputs> {
    blocking(move || {
        let outputs = outputs_page(&node, q, |position, height, txid, o| OutputInfo {
            position,
            height,
            output: hex::encode(borsh::to_vec(&o).unwrap_or_default()),
            txid,
        })?;
        Ok(axum::Json(Outputs { outputs }))
    })
    .await
}

async fn compact_outputs(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Page>, QueryRejection>,
) -> Answer<CompactOutputs> {
    blocking(move || {
        let outputs = outputs_page(&node, q, |position, height, txid, o| {
            let compact = CompactOutput::new(o.cm, &o.encrypted);
            CompactInfo {
                position,
                height,
                compact: hex::encode(borsh::to_vec(&compact).unwrap_or_default()),
                txid,
            }
        })?;
        Ok(axum::Json(CompactOutputs { outputs }))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeightPage {
    from_height: Option<u64>,
    from_index: Option<u32>,
    limit: Option<usize>,
}

async fn nullifiers(
    State(node): State<Arc<Backend>>,
    q: Result<Query<HeightPage>, QueryRejection>,
) -> Answer<Nullifiers> {
    blocking(move || {
        let Query(p) =
            q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
        let limit = p.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
        let store = node.app().store();
        let nfs =
            store.nullifiers_from(p.from_height.unwrap_or(0), p.from_index.unwrap_or(0), limit)?;
        let mut locator = TxLocator::new(store);
        let nullifiers = nfs
            .into_iter()
            .map(|(height, index, nf)| {
                Ok(NullifierInfo {
                    height,
                    index,
                    nullifier: nf.to_string(),
                    txid: locator.revealer(height, index)?,
                })
            })
            .collect::<Result<_, Reply>>()?;
        Ok(axum::Json(Nullifiers { nullifiers }))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    from: Option<u64>,
    to: Option<u64>,
}

async fn anchors(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Range>, QueryRejection>,
) -> Answer<Anchors> {
    blocking(move || {
        let Query(r) =
            q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
        let from = r.from.unwrap_or(0);
        let to =
            r.to.unwrap_or(from.saturating_add(MAX_PAGE as u64))
                .min(from.saturating_add(MAX_PAGE as u64));
        let anchors = node.app().store().anchors(from, to)?;
        Ok(axum::Json(Anchors {
            anchors: anchors
                .into_iter()
                .map(|(height, a)| AnchorInfo {
                    height,
                    anchor: a.to_string(),
                })
                .collect(),
        }))
    })
    .await
}

/// The other modules' roots after `height`, hex-encoded.
fn module_roots_hex(app: &App, height: u64) -> Result<Vec<(String, String)>, Reply> {
    Ok(app
        .store()
        .module_roots(height)?
        .unwrap_or_default()
        .into_iter()
        .map(|(name, root)| (name, hex::encode(root)))
        .collect())
}

async fn chain_proof(State(node): State<Arc<Backend>>) -> Answer<ChainProofInfo> {
    blocking(move || {
        let app = node.app();
        let (height, proof) = app.store().latest_chain_proof()?.ok_or_else(|| {
            reply(
                StatusCode::NOT_FOUND,
                103,
                "no chain proof yet (is the node started with --prove? POST here to ask for one)",
            )
        })?;
        let committed = app.store().committed_at(height)?.ok_or_else(|| {
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                8,
                format!("the proven height {height} is not committed"),
            )
        })?;
        Ok(axum::Json(ChainProofInfo {
            height,
            app_hash: hex::encode(committed.app_hash),
            module_roots: module_roots_hex(app, height)?,
            proof: hex::encode(proof),
        }))
    })
    .await
}

async fn request_chain_proof(
    State(node): State<Arc<Backend>>,
    headers: HeaderMap,
) -> Answer<ChainProofRequested> {
    blocking(move || {
        // A cross-site form cannot send this content type without the browser asking first, so no
        // web page can make a loopback node compress.
        let json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                107,
                "send Content-Type: application/json (the body may be {})",
            ));
        }
        let app = node.app();
        if !app.chain_prover_running() {
            return Err(reply(
                StatusCode::CONFLICT,
                108,
                "this node runs no chain prover: start it with --prove",
            ));
        }
        let height = app.head()?.state.height;
        if app
            .store()
            .latest_chain_proof()?
            .is_some_and(|(h, _)| h >= height)
        {
            // Everything committed is proven already: GET serves it.
            return Ok(axum::Json(ChainProofRequested { height }));
        }
        if !app.request_chain_proof(height) {
            return Err(reply(
                StatusCode::TOO_MANY_REQUESTS,
                109,
                "a chain proof is being made already; GET /v1/chain-proof once it is done",
            ));
        }
        Ok(axum::Json(ChainProofRequested { height }))
    })
    .await
}

fn parse_height(height: &str) -> Result<u64, Reply> {
    height
        .parse()
        .map_err(|_| reply(StatusCode::BAD_REQUEST, 102, "height must be a number"))
}

async fn commit(
    State(node): State<Arc<Backend>>,
    Path(height): Path<String>,
) -> Answer<CommitInfo> {
    blocking(move || {
        let height = parse_height(&height)?;
        let Backend::Embedded { node: embedded, .. } = node.as_ref() else {
            return Err(reply(
                StatusCode::NOT_FOUND,
                103,
                format!(
                    "this chain runs on CometBFT: the app hash of height {height} is in the header of \
                     the next height, signed by the validators (CometBFT RPC /commit)"
                ),
            ));
        };
        let (app_hash, signature) = embedded.signed_commit(height)?.ok_or_else(|| {
            reply(
                StatusCode::NOT_FOUND,
                103,
                format!("no signed commit at height {height} (not committed, or no sequencer key)"),
            )
        })?;
        Ok(axum::Json(CommitInfo {
            height,
            app_hash: hex::encode(app_hash),
            signature: hex::encode(signature),
        }))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AtHeight {
    height: Option<u64>,
}

/// The query's height (default: the head), which must be committed.
fn proof_height(app: &App, q: Result<Query<AtHeight>, QueryRejection>) -> Result<u64, Reply> {
    let Query(q) = q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
    let head = app.head()?.state.height;
    match q.height {
        None => Ok(head),
        Some(h) if h <= head => Ok(h),
        Some(h) => Err(reply(
            StatusCode::NOT_FOUND,
            103,
            format!("height {h} is not committed (head {head})"),
        )),
    }
}

fn parse_field(hex_value: &str, what: &'static str) -> Result<zkpsm_primitives::Fq, Reply> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_value, &mut bytes)
        .ok()
        .and_then(|()| zkpsm_primitives::field::from_bytes(&bytes, what).ok())
        .ok_or_else(|| {
            reply(
                StatusCode::BAD_REQUEST,
                102,
                format!("{what} must be 64 hex characters of a canonical field element"),
            )
        })
}

/// A path as the API writes it: the index and the siblings, leaf level first (one per level in the
/// binary note tree, three per level in the 4-ary nullifier tree).
fn path_info(index: u64, siblings: &[zkpsm_primitives::chain_step::Digest]) -> PathInfo {
    PathInfo {
        index,
        siblings: siblings.iter().map(|s| s.to_string()).collect(),
    }
}

async fn nullifier_proof(
    State(node): State<Arc<Backend>>,
    Path(nullifier): Path<String>,
    q: Result<Query<AtHeight>, QueryRejection>,
) -> Answer<NullifierProof> {
    blocking(move || {
        let app = node.app();
        let height = proof_height(app, q)?;
        let nf = zkpsm_primitives::note::Nullifier(parse_field(&nullifier, "nullifier")?);
        if let Some(p) = app.store().membership(&nf, height)? {
            return Ok(axum::Json(NullifierProof {
                height,
                spent: true,
                leaf: hex::encode(p.leaf.to_bytes()),
                path: path_info(p.path.index, &p.path.siblings),
            }));
        }
        let p = app.store().non_membership(&nf, height)?.ok_or_else(|| {
            reply(
                StatusCode::BAD_REQUEST,
                102,
                "a nullifier of zero is invalid",
            )
        })?;
        Ok(axum::Json(NullifierProof {
            height,
            spent: false,
            leaf: hex::encode(p.low_leaf.to_bytes()),
            path: path_info(p.path.index, &p.path.siblings),
        }))
    })
    .await
}

async fn commitment_proof(
    State(node): State<Arc<Backend>>,
    Path(commitment): Path<String>,
    q: Result<Query<AtHeight>, QueryRejection>,
) -> Answer<CommitmentProof> {
    blocking(move || {
        let app = node.app();
        let height = proof_height(app, q)?;
        let cm = zkpsm_primitives::note::NoteCommitment(parse_field(&commitment, "commitment")?);
        let path = app.store().commitment_path(&cm, height)?.ok_or_else(|| {
            reply(
                StatusCode::NOT_FOUND,
                103,
                format!("no note with this commitment was created by height {height}"),
            )
        })?;
        Ok(axum::Json(CommitmentProof {
            height,
            path: path_info(path.index, &path.siblings),
        }))
    })
    .await
}
