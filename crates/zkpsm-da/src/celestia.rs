//! The Celestia adapter: blobs go to a celestia-node (bridge or light) over its JSON-RPC with
//! `celestia-rpc`, paid at an explicit gas price (the node ignores a priority setting), and are
//! read back with `blob.GetAll`. The trait is blocking; the adapter drives its own runtime, so call
//! it from a plain thread, never from inside an async task.

use crate::{BlobRef, DaError, DataAvailability, Namespace};
use celestia_rpc::{BlobClient, Client, HeaderClient, TxConfig};
use celestia_types::Blob;
use celestia_types::nmt::Namespace as CelestiaNamespace;
use std::time::Duration;

/// The largest blob this adapter submits: Celestia accepts about 2 MiB per blob in a 8 MiB
/// submission; parts stay below that with room for the share overhead.
pub const CELESTIA_MAX_BLOB_BYTES: usize = 1_900_000;

/// The gas price (utia per gas unit) unless told otherwise: the network minimum is 0.002.
pub const DEFAULT_GAS_PRICE: f64 = 0.004;

/// A Celestia node's JSON-RPC, as a DA layer.
pub struct CelestiaDa {
    runtime: tokio::runtime::Runtime,
    client: Client,
    gas_price: f64,
}

fn unavailable(e: impl std::fmt::Display) -> DaError {
    DaError::Unavailable(e.to_string())
}

impl CelestiaDa {
    /// Connects to the node at `url` (`http://…`, the node's RPC port) with its auth `token`,
    /// paying `gas_price` utia per gas unit.
    pub fn connect(url: &str, token: Option<&str>, gas_price: f64) -> Result<Self, DaError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(unavailable)?;
        let client = runtime
            .block_on(Client::new(
                url,
                token,
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(120)),
            ))
            .map_err(|e| DaError::Unavailable(format!("connecting to Celestia at {url}: {e}")))?;
        Ok(Self {
            runtime,
            client,
            gas_price,
        })
    }

    fn namespace(namespace: Namespace) -> Result<CelestiaNamespace, DaError> {
        CelestiaNamespace::new_v0(&namespace.0)
            .map_err(|e| DaError::Malformed(format!("namespace {namespace}: {e}")))
    }
}

impl DataAvailability for CelestiaDa {
    fn max_blob_bytes(&self) -> usize {
        CELESTIA_MAX_BLOB_BYTES
    }

    fn max_submission_bytes(&self) -> usize {
        crate::embedded::MAX_SUBMISSION_BYTES
    }

    fn submit(&self, namespace: Namespace, blobs: &[Vec<u8>]) -> Result<Vec<BlobRef>, DaError> {
        if let Some(big) = blobs.iter().find(|b| b.len() > CELESTIA_MAX_BLOB_BYTES) {
            return Err(DaError::TooLarge {
                size: big.len(),
                limit: CELESTIA_MAX_BLOB_BYTES,
            });
        }
        let ns = Self::namespace(namespace)?;
        let blobs = blobs
            .iter()
            .map(|data| Blob::new(ns, data.clone(), None))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DaError::Malformed(format!("building a blob: {e}")))?;
        let config = TxConfig::default().with_gas_price(self.gas_price);
        let height = self
            .runtime
            .block_on(self.client.blob_submit(&blobs, config))
            .map_err(|e| DaError::Unavailable(format!("blob.Submit: {e}")))?;
        Ok(blobs
            .iter()
            .map(|blob| BlobRef {
                height,
                namespace,
                commitment: *blob.commitment.hash(),
            })
            .collect())
    }

    fn get(&self, height: u64, namespace: Namespace) -> Result<Vec<Vec<u8>>, DaError> {
        let ns = Self::namespace(namespace)?;
        let blobs = self
            .runtime
            .block_on(self.client.blob_get_all(height, &[ns]))
            .map_err(|e| DaError::Unavailable(format!("blob.GetAll at {height}: {e}")))?;
        Ok(blobs
            .unwrap_or_default()
            .into_iter()
            .map(|blob| blob.data)
            .collect())
    }

    fn head(&self) -> Result<u64, DaError> {
        let header = self
            .runtime
            .block_on(self.client.header_local_head())
            .map_err(|e| DaError::Unavailable(format!("header.LocalHead: {e}")))?;
        Ok(header.height())
    }
}
