//! Which DA layer a node publishes to and a sync reads from: the embedded store (the default, the
//! home's `da.redb`) or a Celestia node's JSON-RPC.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zkpsm_da::celestia::DEFAULT_GAS_PRICE;
use zkpsm_da::embedded::DEFAULT_MAX_BLOB_BYTES;
use zkpsm_da::{CelestiaDa, DataAvailability, EmbeddedDa};

/// The embedded DA store of a node home.
pub const DA_STORE_FILE: &str = "da.redb";

/// A node's DA layer (`config.json`'s `da`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DaConfig {
    /// The embedded redb store in the node's home.
    #[default]
    Embedded,
    /// A Celestia node.
    Celestia {
        /// Its JSON-RPC URL (`http://127.0.0.1:26658`).
        rpc: String,
        /// A file holding its auth token (none if the node skips auth).
        token_file: Option<PathBuf>,
        /// The gas price to pay, in utia per gas unit.
        gas_price: Option<f64>,
    },
}

impl DaConfig {
    /// A Celestia configuration from the command line's flags, or the embedded default.
    pub fn from_flags(
        celestia_rpc: Option<String>,
        token_file: Option<PathBuf>,
        gas_price: Option<f64>,
    ) -> Self {
        match celestia_rpc {
            Some(rpc) => DaConfig::Celestia {
                rpc,
                token_file,
                gas_price,
            },
            None => DaConfig::Embedded,
        }
    }

    /// Opens the layer (`home` holds the embedded store).
    pub fn open(&self, home: &Path) -> Result<Arc<dyn DataAvailability>> {
        Ok(match self {
            DaConfig::Embedded => {
                let path = home.join(DA_STORE_FILE);
                Arc::new(EmbeddedDa::open(&path, DEFAULT_MAX_BLOB_BYTES)?)
            }
            DaConfig::Celestia {
                rpc,
                token_file,
                gas_price,
            } => {
                let token = token_file
                    .as_ref()
                    .map(|f| {
                        std::fs::read_to_string(f)
                            .map(|t| t.trim().to_owned())
                            .with_context(|| format!("reading the Celestia token {}", f.display()))
                    })
                    .transpose()?;
                Arc::new(CelestiaDa::connect(
                    rpc,
                    token.as_deref(),
                    gas_price.unwrap_or(DEFAULT_GAS_PRICE),
                )?)
            }
        })
    }
}
