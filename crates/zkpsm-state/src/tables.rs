//! The redb tables.

use redb::TableDefinition;

/// Single values: heights, sizes, frontiers, the chain state.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Note commitment tree leaves' full outputs by position (commitment ‖ encrypted note, borsh).
pub const OUTPUTS: TableDefinition<u64, &[u8]> = TableDefinition::new("outputs");
/// Height at which each position's output was created.
pub const OUTPUT_HEIGHTS: TableDefinition<u64, u64> = TableDefinition::new("output_heights");
/// Indexed nullifier tree leaves by index: `value ‖ next_index ‖ next_value`.
pub const NF_LEAVES: TableDefinition<u64, [u8; 72]> = TableDefinition::new("nf_leaves");
/// Non-empty nodes of the nullifier tree by `(level, index)`; level 0 holds leaf hashes.
pub const NF_NODES: TableDefinition<(u8, u64), [u8; 32]> = TableDefinition::new("nf_nodes");
/// Nullifier values (big-endian, so byte order is numeric order) to their leaf index.
pub const NF_BY_VALUE: TableDefinition<[u8; 32], u64> = TableDefinition::new("nf_by_value");
/// Nullifiers revealed by each block, in order: `(height, i)`.
pub const NF_BY_HEIGHT: TableDefinition<(u64, u32), [u8; 32]> =
    TableDefinition::new("nf_by_height");
/// The anchor (note tree root) after each block.
pub const ANCHORS: TableDefinition<u64, [u8; 32]> = TableDefinition::new("anchors");
/// Anchors to the height that produced them (the latest, if a root repeats).
pub const ANCHOR_HEIGHTS: TableDefinition<[u8; 32], u64> = TableDefinition::new("anchor_heights");
/// Encoded blocks by height.
pub const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
/// The chain state (and app hash) after each block.
pub const STATES: TableDefinition<u64, &[u8]> = TableDefinition::new("states");
/// Other modules' key-value state by `(module, key)`.
pub const MODULE_KV: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("module_kv");
