//! Submitting transactions to a CometBFT node (`broadcast_tx_sync`, which runs CheckTx).

use tendermint_rpc::client::CompatMode;
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client, HttpClient, HttpClientUrl};

/// A CheckTx refusal, or a failure to reach CometBFT.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// CometBFT could not be reached.
    #[error("CometBFT unreachable at {url}: {reason}")]
    Unreachable {
        /// The RPC URL.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// CometBFT refused the request before CheckTx (e.g. a transaction it has already seen).
    #[error("CometBFT refused the transaction: {0}")]
    Rejected(String),
    /// CheckTx refused the transaction.
    #[error("{log}")]
    Refused {
        /// The application's code.
        code: u32,
        /// The application's message.
        log: String,
    },
}

/// A client of one CometBFT node's RPC.
pub struct Forwarder {
    url: String,
    client: HttpClient,
}

impl Forwarder {
    /// A forwarder to the CometBFT RPC at `url` (e.g. `http://127.0.0.1:26657`).
    pub fn new(url: &str) -> Result<Self, ForwardError> {
        let unreachable = |reason: String| ForwardError::Unreachable {
            url: url.to_owned(),
            reason,
        };
        let parsed: HttpClientUrl = url
            .parse()
            .map_err(|e: tendermint_rpc::Error| unreachable(e.to_string()))?;
        let client = HttpClient::builder(parsed)
            .compat_mode(CompatMode::V0_38)
            .build()
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Self {
            url: url.to_owned(),
            client,
        })
    }

    /// Broadcasts a transaction and waits for its CheckTx.
    pub async fn submit(&self, tx: Vec<u8>) -> Result<(), ForwardError> {
        let response = self
            .client
            .broadcast_tx_sync(tx)
            .await
            .map_err(|e| match e.detail() {
                // CometBFT answered, but not with a CheckTx result (for instance "tx already exists in
                // cache" for a transaction it has already seen).
                ErrorDetail::Response(r) => {
                    ForwardError::Rejected(r.source.data().unwrap_or(r.source.message()).to_owned())
                }
                other => ForwardError::Unreachable {
                    url: self.url.clone(),
                    reason: other.to_string(),
                },
            })?;
        if response.code.is_err() {
            return Err(ForwardError::Refused {
                code: response.code.value(),
                log: response.log,
            });
        }
        Ok(())
    }
}
