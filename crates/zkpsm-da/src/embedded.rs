//! The embedded DA store (the default): a redb database with a DA layer's semantics. Each
//! submission is included at the next height, atomically and durably; blobs are read back by
//! height and namespace in submission order.

use crate::{BlobRef, DaError, DataAvailability, Namespace};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;

/// (height, namespace id, index in the submission) → blob bytes.
const BLOBS: TableDefinition<(u64, [u8; 10], u32), &[u8]> = TableDefinition::new("blobs");
/// "head" → the latest height.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The blob limit of the embedded store unless told otherwise: that of a Celestia blob, so that a
/// chain moved to Celestia splits its blocks the same way.
pub const DEFAULT_MAX_BLOB_BYTES: usize = 1_900_000;
/// The most bytes one submission carries, as on Celestia (whose limit per transaction is 8 MiB).
pub const MAX_SUBMISSION_BYTES: usize = 6 * 1024 * 1024;

fn store_error(e: impl std::fmt::Display) -> DaError {
    DaError::Store(e.to_string())
}

/// A redb-backed DA layer in one file.
pub struct EmbeddedDa {
    db: Database,
    max_blob_bytes: usize,
}

impl EmbeddedDa {
    /// Opens (or creates) the store at `path`, accepting blobs of up to `max_blob_bytes`.
    pub fn open(path: &Path, max_blob_bytes: usize) -> Result<Self, DaError> {
        let db = Database::create(path)
            .map_err(|e| DaError::Store(format!("opening the DA store {}: {e}", path.display())))?;
        let tx = db.begin_write().map_err(store_error)?;
        tx.open_table(BLOBS).map_err(store_error)?;
        tx.open_table(META).map_err(store_error)?;
        tx.commit().map_err(store_error)?;
        Ok(Self { db, max_blob_bytes })
    }
}

impl DataAvailability for EmbeddedDa {
    fn max_blob_bytes(&self) -> usize {
        self.max_blob_bytes
    }

    fn max_submission_bytes(&self) -> usize {
        MAX_SUBMISSION_BYTES
    }

    fn submit(&self, namespace: Namespace, blobs: &[Vec<u8>]) -> Result<Vec<BlobRef>, DaError> {
        if let Some(big) = blobs.iter().find(|b| b.len() > self.max_blob_bytes) {
            return Err(DaError::TooLarge {
                size: big.len(),
                limit: self.max_blob_bytes,
            });
        }
        let total: usize = blobs.iter().map(Vec::len).sum();
        if total > MAX_SUBMISSION_BYTES {
            return Err(DaError::TooLarge {
                size: total,
                limit: MAX_SUBMISSION_BYTES,
            });
        }
        let tx = self.db.begin_write().map_err(store_error)?;
        let height = {
            let mut meta = tx.open_table(META).map_err(store_error)?;
            let height = meta
                .get("head")
                .map_err(store_error)?
                .map_or(0, |h| h.value())
                + 1;
            meta.insert("head", height).map_err(store_error)?;
            height
        };
        let mut refs = Vec::with_capacity(blobs.len());
        {
            let mut table = tx.open_table(BLOBS).map_err(store_error)?;
            for (index, blob) in blobs.iter().enumerate() {
                table
                    .insert((height, namespace.0, index as u32), blob.as_slice())
                    .map_err(store_error)?;
                refs.push(BlobRef {
                    height,
                    namespace,
                    commitment: *blake3::hash(blob).as_bytes(),
                });
            }
        }
        tx.commit().map_err(store_error)?;
        Ok(refs)
    }

    fn get(&self, height: u64, namespace: Namespace) -> Result<Vec<Vec<u8>>, DaError> {
        let tx = self.db.begin_read().map_err(store_error)?;
        let table = tx.open_table(BLOBS).map_err(store_error)?;
        table
            .range((height, namespace.0, 0)..=(height, namespace.0, u32::MAX))
            .map_err(store_error)?
            .map(|entry| {
                entry
                    .map(|(_, blob)| blob.value().to_vec())
                    .map_err(store_error)
            })
            .collect()
    }

    fn head(&self) -> Result<u64, DaError> {
        let tx = self.db.begin_read().map_err(store_error)?;
        let meta = tx.open_table(META).map_err(store_error)?;
        Ok(meta
            .get("head")
            .map_err(store_error)?
            .map_or(0, |h| h.value()))
    }
}
