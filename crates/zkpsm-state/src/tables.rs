//! The redb tables.

use crate::merkle_table::NodeTable;
use redb::TableDefinition;

/// Single values: the genesis.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Note commitment tree leaves' full outputs by position (commitment ‖ encrypted note, borsh).
pub const OUTPUTS: TableDefinition<u64, &[u8]> = TableDefinition::new("outputs");
/// Height at which each position's output was created.
pub const OUTPUT_HEIGHTS: TableDefinition<u64, u64> = TableDefinition::new("output_heights");
/// Non-empty nodes of the note commitment tree by `(level, index, height)`.
pub const NOTE_NODES: NodeTable = TableDefinition::new("note_nodes");
/// Indexed nullifier tree leaves by `(index, height that wrote them)`:
/// `value ‖ next_index ‖ next_value`.
pub const NF_LEAVES: TableDefinition<(u64, u64), [u8; 72]> = TableDefinition::new("nf_leaves");
/// Non-empty nodes of the nullifier tree by `(level, index, height)`; level 0 holds leaf hashes.
pub const NF_NODES: NodeTable = TableDefinition::new("nf_nodes");
/// Nullifier values (big-endian, so byte order is numeric order) to their leaf index and the
/// height that inserted them.
pub const NF_BY_VALUE: TableDefinition<[u8; 32], (u64, u64)> = TableDefinition::new("nf_by_value");
/// Each nullifier leaf's place in the chain of low leaves, by leaf index: `(pred, pred_height,
/// jump, jump_height, depth)`, where `pred` is the leaf that was its low leaf when it was inserted,
/// `jump` a skip pointer along that chain (Myers' skew-binary jump pointers) and `depth` the
/// chain's length down to the sentinel. A low leaf as of an old height is found along it in
/// O(log n) lookups.
pub const NF_LOW_CHAIN: TableDefinition<u64, (u64, u64, u64, u64, u64)> =
    TableDefinition::new("nf_low_chain");
/// Note commitments to their position in the note tree (the first, if one repeats).
pub const CM_POSITIONS: TableDefinition<[u8; 32], u64> = TableDefinition::new("cm_positions");
/// The other modules' roots after each block, as the app hash covers them (borsh).
pub const MODULE_ROOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("module_roots");
/// Nullifiers revealed by each block, in order: `(height, i)`.
pub const NF_BY_HEIGHT: TableDefinition<(u64, u32), [u8; 32]> =
    TableDefinition::new("nf_by_height");
/// The anchor (note tree root) after each block.
pub const ANCHORS: TableDefinition<u64, [u8; 32]> = TableDefinition::new("anchors");
/// Anchors to the height that produced them (the latest, if a root repeats).
pub const ANCHOR_HEIGHTS: TableDefinition<[u8; 32], u64> = TableDefinition::new("anchor_heights");
/// Non-empty nodes of the anchors tree (leaf `h` is the anchor after block `h`).
pub const ANCHOR_NODES: NodeTable = TableDefinition::new("anchor_nodes");
/// Encoded blocks by height.
pub const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
/// The chain state (and app hash) after each block.
pub const STATES: TableDefinition<u64, &[u8]> = TableDefinition::new("states");
/// The chain step witness of each block (borsh), kept until the chain prover has folded it.
pub const STEP_WITNESSES: TableDefinition<u64, &[u8]> = TableDefinition::new("step_witnesses");
/// The latest compressed chain proof, by the height it covers (one entry).
pub const CHAIN_PROOFS: TableDefinition<u64, &[u8]> = TableDefinition::new("chain_proofs");
/// Other modules' key-value state by `(module, key)`.
pub const MODULE_KV: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("module_kv");
/// The DA outbox: heights of committed blocks not yet published to the DA layer (written in the
/// block's own commit, removed once published).
pub const DA_OUTBOX: TableDefinition<u64, ()> = TableDefinition::new("da_outbox");
/// Where each published block landed on the DA layer (the publisher's encoding of its blob refs).
pub const DA_REFS: TableDefinition<u64, &[u8]> = TableDefinition::new("da_refs");
