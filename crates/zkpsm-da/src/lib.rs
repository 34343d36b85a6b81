//! Data availability for zkpsm: where blocks and chain proofs are published so that anyone can
//! rebuild the chain without trusting a node.
//!
//! - [`DataAvailability`]: the layer's interface (submit blobs under a namespace, read a height's
//!   blobs back, the head height). [`EmbeddedDa`] is the default, a redb-backed store with the same
//!   semantics as a real DA network: each submission is included at a new height, blobs are read
//!   back by height and namespace, and a blob is referenced by its [`BlobRef`].
//! - [`celestia`]: the same interface on a real Celestia network, through a celestia-node's
//!   JSON-RPC.
//! - [`namespace`]: the namespaces of a chain's blocks and chain proofs, derived from its chain id.
//! - [`block_blob`]: a published block with the commit that tells the chain's blocks from
//!   anyone else's posts.
//! - [`envelope`]: a payload split into blobs under the layer's size limit and reassembled, with
//!   every part checked, so a corrupted or foreign blob is refused with a reason.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod block_blob;
pub mod celestia;
pub mod embedded;
pub mod envelope;
pub mod namespace;

pub use celestia::CelestiaDa;
pub use embedded::EmbeddedDa;
pub use namespace::Namespace;

/// Where a blob landed: the DA height, its namespace and the layer's commitment to its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct BlobRef {
    /// The DA layer's height that includes the blob.
    pub height: u64,
    /// The blob's namespace.
    pub namespace: Namespace,
    /// The layer's commitment to the blob's data (blake3 of the data for the embedded store,
    /// the share commitment on Celestia).
    pub commitment: [u8; 32],
}

/// Why a DA operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DaError {
    /// The layer cannot be reached or refused the request; publishing retries later.
    #[error("the DA layer is unavailable: {0}")]
    Unavailable(String),
    /// The embedded store's database failed.
    #[error("the embedded DA store failed: {0}")]
    Store(String),
    /// A submission exceeds what the layer accepts.
    #[error("a blob of {size} bytes exceeds the DA layer's limit of {limit} bytes")]
    TooLarge {
        /// The blob's size.
        size: usize,
        /// The layer's limit.
        limit: usize,
    },
    /// Blobs that do not form a valid payload.
    #[error("malformed blob: {0}")]
    Malformed(String),
}

/// A data availability layer: blobs are submitted under a namespace and included at a height, in
/// order; anyone can read a height's blobs of a namespace back.
pub trait DataAvailability: Send + Sync {
    /// The largest blob the layer accepts, in bytes.
    fn max_blob_bytes(&self) -> usize;

    /// The most bytes of blobs one submission may carry; a payload larger than that goes out in
    /// several submissions (and lands at several heights).
    fn max_submission_bytes(&self) -> usize;

    /// Submits `blobs` under `namespace`, all included at one height; returns where each landed.
    fn submit(&self, namespace: Namespace, blobs: &[Vec<u8>]) -> Result<Vec<BlobRef>, DaError>;

    /// The blobs of `namespace` included at `height`, in submission order (none if the height
    /// holds none or does not exist yet).
    fn get(&self, height: u64, namespace: Namespace) -> Result<Vec<Vec<u8>>, DaError>;

    /// The layer's latest height (0 before any inclusion).
    fn head(&self) -> Result<u64, DaError>;
}
