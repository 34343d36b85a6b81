//! The wallet file: keys, scan progress, own notes and sent records, as JSON with mode 0600,
//! written atomically (a crash leaves the old file or the new one, never half of one).

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use zkpsm_primitives::keys::{FullViewingKey, SpendingKey};

/// Why a wallet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// Reading or writing the wallet file failed.
    #[error("wallet file {path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The node failed or refused.
    #[error(transparent)]
    Node(#[from] zkpsm_api::client::ClientError),
    /// The node's data is inconsistent (for instance, a tree root that does not match its anchor).
    #[error("the node's data is inconsistent: {0}")]
    Inconsistent(String),
    /// Not enough value in spendable notes.
    #[error("insufficient funds: {0}")]
    InsufficientFunds(String),
    /// A view-only wallet cannot spend.
    #[error("this wallet was made from a viewing key: it can see but not spend")]
    ViewOnly,
    /// A bad argument (address, amount).
    #[error("{0}")]
    BadInput(String),
    /// Building or proving failed.
    #[error(transparent)]
    Build(#[from] crate::builder::BuildError),
}

/// The wallet's key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WalletKey {
    /// A spending key (hex).
    Spending(String),
    /// A full viewing key (bech32m): view only.
    ViewOnly(String),
}

/// A note this wallet received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnNote {
    /// Tree position.
    pub position: u64,
    /// Height of the block that created it.
    pub height: u64,
    /// Value.
    pub value: u64,
    /// The diversifier (hex) of the address it was sent to.
    pub diversifier: String,
    /// The note's seed (hex).
    pub rseed: String,
    /// Its nullifier (hex).
    pub nullifier: String,
    /// The memo's text, up to its first zero byte.
    pub memo: String,
    /// The transaction that created it (hex; `None` for a genesis note).
    pub txid: Option<String>,
    /// The height at which it was spent, if it was.
    pub spent_height: Option<u64>,
    /// The transaction that spent it, if one did.
    pub spent_txid: Option<String>,
}

/// A payment this wallet sent to someone else, recovered with its outgoing viewing key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    /// Tree position of the created note.
    pub position: u64,
    /// Height of the block.
    pub height: u64,
    /// The recipient's address.
    pub to: String,
    /// Value.
    pub value: u64,
    /// The memo's text.
    pub memo: String,
    /// The transaction that created it (hex).
    pub txid: Option<String>,
}

/// A payment this wallet submitted that no scanned block holds yet: its notes are locked until
/// a block spends them, or until it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTx {
    /// Its id (hex).
    pub txid: String,
    /// The nullifiers (hex) of the wallet's notes it spends.
    pub spends: Vec<String>,
    /// The recipient's address.
    pub to: String,
    /// The amount paid.
    pub amount: u64,
    /// The fee.
    pub fee: u64,
    /// The change coming back to this wallet.
    pub change: u64,
    /// The memo's text.
    pub memo: String,
    /// The last height a block can include it at.
    pub expiry_height: u64,
}

/// The wallet file's format version: 2 records, for every note and payment, the transaction
/// that made or spent it. A scan of an older file rescans from genesis to learn them.
pub const WALLET_VERSION: u32 = 2;

/// What the wallet holds, by whether it can spend it now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Unspent notes that no pending payment locks: usable at the latest anchor.
    pub spendable: u64,
    /// Change of the wallet's own pending payments: usable once a block holds them.
    pub pending: u64,
}

/// Everything the wallet keeps.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WalletFile {
    /// File format version.
    pub version: u32,
    /// The key.
    pub key: WalletKey,
    /// The next diversifier index to hand out.
    pub next_index: u64,
    /// The chain id the wallet scanned, once known.
    pub chain_id: Option<String>,
    /// The last height scanned.
    pub scanned_height: u64,
    /// Every note commitment of the chain, in position order (hex): the wallet rebuilds its
    /// shardtree from these to produce witnesses.
    pub leaves: Vec<String>,
    /// Own notes.
    pub notes: Vec<OwnNote>,
    /// Payments sent to others.
    pub sent: Vec<SentRecord>,
    /// Payments submitted that no scanned block holds yet.
    #[serde(default)]
    pub pending: Vec<PendingTx>,
}

impl WalletFile {
    /// A new wallet with a fresh spending key.
    pub fn new_spending(sk: &SpendingKey) -> Self {
        Self::with_key(WalletKey::Spending(hex::encode(sk.to_bytes())))
    }

    /// A new view-only wallet.
    pub fn new_view_only(fvk: &FullViewingKey) -> Self {
        Self::with_key(WalletKey::ViewOnly(fvk.to_string()))
    }

    fn with_key(key: WalletKey) -> Self {
        Self {
            version: WALLET_VERSION,
            key,
            next_index: 1,
            chain_id: None,
            scanned_height: 0,
            leaves: Vec::new(),
            notes: Vec::new(),
            sent: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The spending key, if this wallet can spend.
    pub fn spending_key(&self) -> Result<SpendingKey, WalletError> {
        match &self.key {
            WalletKey::Spending(h) => {
                let bytes: [u8; 32] = hex::decode(h)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| {
                        WalletError::BadInput("the wallet's spending key is corrupt".into())
                    })?;
                Ok(SpendingKey::from_bytes(bytes))
            }
            WalletKey::ViewOnly(_) => Err(WalletError::ViewOnly),
        }
    }

    /// The full viewing key.
    pub fn full_viewing_key(&self) -> Result<FullViewingKey, WalletError> {
        match &self.key {
            WalletKey::Spending(_) => Ok(self.spending_key()?.full_viewing_key()),
            WalletKey::ViewOnly(s) => s
                .parse()
                .map_err(|e| WalletError::BadInput(format!("the wallet's viewing key: {e}"))),
        }
    }

    /// The unspent balance, spendable and pending together (a scan keeps it within the chain's
    /// supply; a wallet file edited beyond that saturates rather than wraps).
    pub fn balance(&self) -> u64 {
        let b = self.balances();
        b.spendable.saturating_add(b.pending)
    }

    /// The balance by whether it can be spent now.
    pub fn balances(&self) -> Balance {
        Balance {
            spendable: self
                .spendable_notes()
                .fold(0u64, |sum, n| sum.saturating_add(n.value)),
            pending: self
                .pending
                .iter()
                .fold(0u64, |sum, p| sum.saturating_add(p.change)),
        }
    }

    /// Unspent notes that no pending payment locks.
    pub fn spendable_notes(&self) -> impl Iterator<Item = &OwnNote> {
        self.notes.iter().filter(|n| {
            n.spent_height.is_none()
                && !self.pending.iter().any(|p| p.spends.contains(&n.nullifier))
        })
    }

    /// Loads a wallet file.
    pub fn load(path: &Path) -> Result<Self, WalletError> {
        let err = |reason: String| WalletError::File {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("{e} (create one with `zkpsm wallet new`)")))?;
        let wallet: Self =
            serde_json::from_str(&text).map_err(|e| err(format!("not a wallet file: {e}")))?;
        if wallet.version > WALLET_VERSION {
            return Err(err(format!(
                "format {} is newer than this zkpsm reads ({WALLET_VERSION}); use a newer zkpsm",
                wallet.version
            )));
        }
        Ok(wallet)
    }

    /// Saves the wallet file atomically with mode 0600.
    pub fn save(&self, path: &Path) -> Result<(), WalletError> {
        let err = |reason: String| WalletError::File {
            path: path.to_owned(),
            reason,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(|e| err(e.to_string()))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }
}

/// The text of a memo, up to its first zero byte (lossy UTF-8).
pub fn memo_text(memo: &[u8]) -> String {
    let end = memo.iter().position(|b| *b == 0).unwrap_or(memo.len());
    String::from_utf8_lossy(&memo[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn wallet_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w").join("wallet.json");
        let sk = SpendingKey::random(&mut OsRng);
        let wallet = WalletFile::new_spending(&sk);
        wallet.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = WalletFile::load(&path).unwrap();
        assert_eq!(loaded.spending_key().unwrap(), sk);
        // A view-only wallet has the same viewing key and no spending key.
        let view = WalletFile::new_view_only(&sk.full_viewing_key());
        assert_eq!(view.full_viewing_key().unwrap(), sk.full_viewing_key());
        assert!(matches!(view.spending_key(), Err(WalletError::ViewOnly)));
        // Garbage is a clear error.
        std::fs::write(&path, "{not json").unwrap();
        assert!(
            WalletFile::load(&path)
                .unwrap_err()
                .to_string()
                .contains("not a wallet file")
        );
    }
}
