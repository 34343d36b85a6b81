//! The node's HTTP JSON API: the types of every route and a blocking client for wallets. The
//! server (axum) is `zkpsm-node`'s; this crate depends on nothing of the node, so a wallet built on
//! it links no server, consensus or storage.
//!
//! | route | answer |
//! |---|---|
//! | `POST /v1/tx` (raw transaction bytes) | `{txid}` once admitted to the mempool |
//! | `GET /v1/status` | chain id, height, app hash, anchor, tree sizes, supply, mempool size |
//! | `GET /v1/blocks/{height}` | the block's transaction ids and encoding |
//! | `GET /v1/outputs?from=P&limit=N` | full outputs from position `P` |
//! | `GET /v1/outputs/compact?from=P&limit=N` | compact outputs (for scanning) |
//! | `GET /v1/nullifiers?from_height=H&limit=N` | every nullifier revealed from block `H` on |
//! | `GET /v1/anchors?from=H&to=H` | anchors by height |
//!
//! Errors are JSON `{code, message}` with an HTTP status; oversized or malformed requests are
//! refused without touching the node.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod client;
pub mod types;
