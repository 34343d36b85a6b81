//! JSON types of the API, shared by the server and the client.

use serde::{Deserialize, Serialize};

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// A stable code: the application's (1..), or 100+ for API-level problems.
    pub code: u32,
    /// What went wrong, for a person.
    pub message: String,
}

/// The answer to a submitted transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The transaction id (hex).
    pub txid: String,
}

/// The node's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The chain id.
    pub chain_id: String,
    /// The last committed height.
    pub height: u64,
    /// The app hash at that height (hex).
    pub app_hash: String,
    /// The note tree root at that height: the newest anchor (hex).
    pub anchor: String,
    /// Notes in the tree at that height.
    pub cm_size: u64,
    /// Leaves of the nullifier tree (the sentinel included).
    pub nf_size: u64,
    /// The pool's supply.
    pub supply: u64,
    /// The anchor window of the consensus parameters.
    pub anchor_window: u64,
    /// The fee rule's floor: every transaction pays at least `fee_base + fee_per_kib * ceil(bytes
    /// / 1024)`.
    pub fee_base: u64,
    /// The fee rule's price of each started KiB of an encoded transaction.
    pub fee_per_kib: u64,
    /// The spend verifier key digest (hex).
    pub spend_vk_digest: String,
    /// Pending transactions.
    pub mempool: usize,
    /// Transaction proofs this node has verified since it started (each proof at most once:
    /// later checks of the same transaction use the cache or wait for the running verification).
    #[serde(default)]
    pub proof_verifications: u64,
}

/// A block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// The height.
    pub height: u64,
    /// Transaction ids (hex), in order.
    pub txids: Vec<String>,
    /// The canonical block encoding (hex).
    pub encoded: String,
    /// The app hash after the block (hex).
    pub app_hash: String,
    /// Where the block was published on the DA layer (empty until it is).
    #[serde(default)]
    pub da: Vec<BlobRefInfo>,
    /// The other modules' `(name, root hex)` after the block, which the app hash covers with `z`.
    #[serde(default)]
    pub module_roots: Vec<(String, String)>,
}

/// Where one blob of a block landed on the DA layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRefInfo {
    /// The DA layer's height.
    pub height: u64,
    /// The namespace id (hex).
    pub namespace: String,
    /// The layer's commitment to the blob (hex).
    pub commitment: String,
}

/// A full output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputInfo {
    /// Position in the note commitment tree.
    pub position: u64,
    /// Height of the block that created it.
    pub height: u64,
    /// The borsh encoding of the output (commitment and encrypted note), hex.
    pub output: String,
    /// The transaction that created it (hex; `None` for a genesis note).
    pub txid: Option<String>,
}

/// A compact output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactInfo {
    /// Position in the note commitment tree.
    pub position: u64,
    /// Height of the block that created it.
    pub height: u64,
    /// The borsh encoding of the compact output, hex.
    pub compact: String,
    /// The transaction that created it (hex; `None` for a genesis note).
    pub txid: Option<String>,
}

/// A page of outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outputs {
    /// The outputs, by position.
    pub outputs: Vec<OutputInfo>,
}

/// A page of compact outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactOutputs {
    /// The outputs, by position.
    pub outputs: Vec<CompactInfo>,
}

/// A revealed nullifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NullifierInfo {
    /// The block that revealed it.
    pub height: u64,
    /// Its place among the nullifiers that block revealed (from 0): with `height`, the cursor
    /// of the next page.
    pub index: u32,
    /// The nullifier (hex).
    pub nullifier: String,
    /// The transaction that revealed it (hex).
    pub txid: String,
}

/// A page of nullifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nullifiers {
    /// The nullifiers, by height.
    pub nullifiers: Vec<NullifierInfo>,
}

/// An anchor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorInfo {
    /// The height.
    pub height: u64,
    /// The note tree root after it (hex).
    pub anchor: String,
}

/// A list of anchors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchors {
    /// The anchors, by height.
    pub anchors: Vec<AnchorInfo>,
}

/// The latest compressed chain proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainProofInfo {
    /// The blocks it covers: `1..=height`.
    pub height: u64,
    /// The app hash the node committed at that height (hex).
    pub app_hash: String,
    /// The other modules' `(name, root hex)` at that height, which the app hash covers with `z`.
    pub module_roots: Vec<(String, String)>,
    /// The encoded proof (hex): the height, the state `z` it ends in, and the compressed SNARK.
    pub proof: String,
}

/// A committed block's app hash, signed by the embedded sequencer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The height.
    pub height: u64,
    /// The app hash committed at that height (hex).
    pub app_hash: String,
    /// The sequencer's ed25519 signature on it (hex).
    pub signature: String,
}

/// The answer to a request for a new chain proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainProofRequested {
    /// The height the node has committed; the next proof covers at least this far.
    pub height: u64,
}

/// A nullifier's state after a block, with a Merkle proof against that block's nullifier root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NullifierProof {
    /// The height the proof is for.
    pub height: u64,
    /// Whether the nullifier was spent by then.
    pub spent: bool,
    /// The leaf: the nullifier's own when spent, else the low leaf that brackets it (hex of
    /// `value ‖ next_index ‖ next_value`).
    pub leaf: String,
    /// The leaf's path.
    pub path: PathInfo,
}

/// A note commitment's path in the note tree after a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentProof {
    /// The height the proof is for.
    pub height: u64,
    /// The path (its index is the note's position).
    pub path: PathInfo,
}

/// A Merkle path: the leaf index and the siblings from the leaf up (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathInfo {
    /// The leaf index.
    pub index: u64,
    /// Sibling hashes, leaf level first.
    pub siblings: Vec<String>,
}

/// Most items in one page.
pub const MAX_PAGE: usize = 1000;
