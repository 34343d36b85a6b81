//! The axum server.

use crate::types::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use zkpsm_app::{App, ChainTx};
use zkpsm_app::{AppError, Block};
use zkpsm_consensus::forward::{ForwardError, Forwarder};
use zkpsm_consensus::{Node, SubmitError};

/// What the API serves: an embedded node, or an app whose transactions go through CometBFT.
pub enum Backend {
    /// The embedded sequencer's node (its own mempool).
    Embedded(Arc<Node>),
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
            Backend::Embedded(node) => node.app(),
            Backend::CometBft { app, .. } => app,
        }
    }

    /// Pending transactions in the embedded mempool (CometBFT's mempool is not counted here).
    fn mempool_len(&self) -> usize {
        match self {
            Backend::Embedded(node) => node.mempool_len(),
            Backend::CometBft { .. } => 0,
        }
    }
}
use zkpsm_primitives::transaction::MAX_TX_BYTES;

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

impl From<AppError> for Reply {
    fn from(e: AppError) -> Self {
        let status = match e {
            AppError::State(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
        .route(
            "/v1/chain-proof",
            get(chain_proof).post(request_chain_proof),
        )
        .fallback(|| async {
            reply(
                StatusCode::NOT_FOUND,
                104,
                "no such route; see the API table in the README",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_TX_BYTES + 1024))
        .with_state(node)
}

/// Serves the API on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    node: Arc<Backend>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, router(node))
        .with_graceful_shutdown(async move {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    return;
                }
            }
        })
        .await
}

async fn submit(
    State(node): State<Arc<Backend>>,
    body: Result<Bytes, BytesRejection>,
) -> Answer<Submitted> {
    let body = body.map_err(|e| reply(e.status(), 101, format!("bad request body: {e}")))?;
    let bytes = body.to_vec();
    match node.as_ref() {
        Backend::Embedded(embedded) => {
            let embedded = embedded.clone();
            let result = tokio::task::spawn_blocking(move || embedded.submit(bytes))
                .await
                .map_err(|e| reply(StatusCode::INTERNAL_SERVER_ERROR, 100, e.to_string()))?;
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
            let id = ChainTx::decode(&bytes)?.id();
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
        spend_vk_digest: app.genesis().spend_vk_digest.clone(),
        mempool: node.mempool_len(),
    }))
}

async fn block(State(node): State<Arc<Backend>>, Path(height): Path<String>) -> Answer<BlockInfo> {
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
    let txids = if height == 0 {
        Vec::new()
    } else {
        let block = Block::decode(&encoded, usize::MAX)?;
        block
            .txs
            .iter()
            .map(|t| zkpsm_app::ChainTx::decode(t).map(|t| t.id().to_string()))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(axum::Json(BlockInfo {
        height,
        txids,
        encoded: hex::encode(encoded),
        app_hash: hex::encode(committed.app_hash),
    }))
}

#[derive(Deserialize)]
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

async fn outputs(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Page>, QueryRejection>,
) -> Answer<Outputs> {
    let (from, limit) = page(q)?;
    let outputs = node.app().store().outputs_from(from, limit)?;
    Ok(axum::Json(Outputs {
        outputs: outputs
            .into_iter()
            .map(|(position, height, o)| OutputInfo {
                position,
                height,
                output: hex::encode(borsh::to_vec(&o).unwrap_or_default()),
            })
            .collect(),
    }))
}

async fn compact_outputs(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Page>, QueryRejection>,
) -> Answer<CompactOutputs> {
    let (from, limit) = page(q)?;
    let outputs = node.app().store().outputs_from(from, limit)?;
    Ok(axum::Json(CompactOutputs {
        outputs: outputs
            .into_iter()
            .map(|(position, height, o)| CompactInfo {
                position,
                height,
                compact: hex::encode(
                    borsh::to_vec(&zkpsm_primitives::encryption::CompactOutput::new(
                        o.cm,
                        &o.encrypted,
                    ))
                    .unwrap_or_default(),
                ),
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
struct HeightPage {
    from_height: Option<u64>,
    limit: Option<usize>,
}

async fn nullifiers(
    State(node): State<Arc<Backend>>,
    q: Result<Query<HeightPage>, QueryRejection>,
) -> Answer<Nullifiers> {
    let Query(p) = q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
    let limit = p.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let nfs = node
        .app()
        .store()
        .nullifiers_from(p.from_height.unwrap_or(0), limit)?;
    Ok(axum::Json(Nullifiers {
        nullifiers: nfs
            .into_iter()
            .map(|(height, nf)| NullifierInfo {
                height,
                nullifier: nf.to_string(),
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
struct Range {
    from: Option<u64>,
    to: Option<u64>,
}

async fn anchors(
    State(node): State<Arc<Backend>>,
    q: Result<Query<Range>, QueryRejection>,
) -> Answer<Anchors> {
    let Query(r) = q.map_err(|e| reply(StatusCode::BAD_REQUEST, 102, format!("bad query: {e}")))?;
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
}

async fn chain_proof(State(node): State<Arc<Backend>>) -> Answer<ChainProofInfo> {
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
        proof: hex::encode(proof),
    }))
}

async fn request_chain_proof(State(node): State<Arc<Backend>>) -> Answer<ChainProofRequested> {
    let app = node.app();
    app.request_chain_proof();
    Ok(axum::Json(ChainProofRequested {
        height: app.head()?.state.height,
    }))
}
