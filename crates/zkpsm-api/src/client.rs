//! A blocking client of the node API, for wallets and tools.

use crate::types::*;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why a call to the node failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached.
    #[error("node unreachable at {url}: {reason} (is `zkpsm start` running?)")]
    Unreachable {
        /// The node URL.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// The node answered with an error.
    #[error("node refused: {} (code {})", .0.message, .0.code)]
    Refused(ApiError),
    /// The node's answer did not parse.
    #[error("bad answer from the node: {0}")]
    BadAnswer(String),
}

/// A client of one node.
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the node at `base` (e.g. `http://127.0.0.1:26680`).
    pub fn new(base: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            agent: config.into(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn answer<T: DeserializeOwned>(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, ClientError> {
        let mut response = result.map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            reason: e.to_string(),
        })?;
        let ok = response.status().is_success();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        if ok {
            serde_json::from_str(&text).map_err(|e| ClientError::BadAnswer(e.to_string()))
        } else {
            Err(match serde_json::from_str::<ApiError>(&text) {
                Ok(e) => ClientError::Refused(e),
                Err(_) => ClientError::BadAnswer(text),
            })
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.answer(self.agent.get(&self.url(path)).call())
    }

    /// Submits a transaction (its chain encoding).
    pub fn submit(&self, tx: &[u8]) -> Result<Submitted, ClientError> {
        self.answer(
            self.agent
                .post(&self.url("/v1/tx"))
                .header("content-type", "application/octet-stream")
                .send(tx),
        )
    }

    /// The node's status.
    pub fn status(&self) -> Result<Status, ClientError> {
        self.get("/v1/status")
    }

    /// A block.
    pub fn block(&self, height: u64) -> Result<BlockInfo, ClientError> {
        self.get(&format!("/v1/blocks/{height}"))
    }

    /// Full outputs from a position.
    pub fn outputs(&self, from: u64, limit: usize) -> Result<Outputs, ClientError> {
        self.get(&format!("/v1/outputs?from={from}&limit={limit}"))
    }

    /// Compact outputs from a position.
    pub fn compact_outputs(&self, from: u64, limit: usize) -> Result<CompactOutputs, ClientError> {
        self.get(&format!("/v1/outputs/compact?from={from}&limit={limit}"))
    }

    /// Nullifiers from the `from_index`th revealed at `from_height` on.
    pub fn nullifiers(
        &self,
        from_height: u64,
        from_index: u32,
        limit: usize,
    ) -> Result<Nullifiers, ClientError> {
        self.get(&format!(
            "/v1/nullifiers?from_height={from_height}&from_index={from_index}&limit={limit}"
        ))
    }

    /// Anchors of heights `from..=to`.
    pub fn anchors(&self, from: u64, to: u64) -> Result<Anchors, ClientError> {
        self.get(&format!("/v1/anchors?from={from}&to={to}"))
    }

    /// The latest compressed chain proof.
    pub fn chain_proof(&self) -> Result<ChainProofInfo, ClientError> {
        self.get("/v1/chain-proof")
    }

    /// Asks the node's chain prover for a proof of everything committed so far.
    pub fn request_chain_proof(&self) -> Result<ChainProofRequested, ClientError> {
        self.answer(
            self.agent
                .post(&self.url("/v1/chain-proof"))
                .header("content-type", "application/json")
                .send("{}"),
        )
    }

    /// The embedded sequencer's signed commit of `height`.
    pub fn commit(&self, height: u64) -> Result<CommitInfo, ClientError> {
        self.get(&format!("/v1/commits/{height}"))
    }

    /// Whether `nullifier` (hex) was spent by `height`, with a Merkle proof.
    pub fn nullifier_proof(
        &self,
        nullifier: &str,
        height: u64,
    ) -> Result<NullifierProof, ClientError> {
        self.get(&format!("/v1/proofs/nullifier/{nullifier}?height={height}"))
    }

    /// The path of note commitment `commitment` (hex) after `height`.
    pub fn commitment_proof(
        &self,
        commitment: &str,
        height: u64,
    ) -> Result<CommitmentProof, ClientError> {
        self.get(&format!(
            "/v1/proofs/commitment/{commitment}?height={height}"
        ))
    }
}
