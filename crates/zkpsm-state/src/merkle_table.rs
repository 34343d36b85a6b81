//! A Poseidon Merkle tree kept as a redb table of its non-empty nodes, versioned by the height that
//! wrote them: keyed by `(level, index, height)` (level 0 holds leaf hashes). The note commitment
//! tree and the indexed nullifier tree (depth 32) and the ring of recent anchors (depth 8) all live
//! this way, so any leaf's path can be read as it was after any block: the node answers state
//! queries against the roots a chain proof attests at its height, not only against the newest.

use crate::StateError;
use redb::{ReadableTable, Table, TableDefinition};
use zkpsm_primitives::chain_step::{BatchAppend, Digest, NodePath, PathWitness};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::merkle::{DEPTH, empty_root, node};

/// A node's key: `(level, index, height that wrote it)`.
pub(crate) type NodeKey = (u8, u64, u64);

/// A table of tree nodes.
pub(crate) type NodeTable = TableDefinition<'static, NodeKey, [u8; 32]>;

/// The node at `(level, index)` after block `at`, or the empty subtree root of that level.
pub(crate) fn node_at(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    level: usize,
    index: u64,
    at: u64,
) -> Result<Fq, StateError> {
    let level = level as u8;
    let newest = nodes
        .range((level, index, 0)..=(level, index, at))?
        .next_back();
    match newest {
        Some(entry) => field::from_bytes(&entry?.1.value(), "tree node")
            .map_err(|_| StateError::Corrupt("tree node".into())),
        None => Ok(empty_root(usize::from(level))),
    }
}

/// The root of the depth-32 tree after block `at`.
pub(crate) fn root(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    at: u64,
) -> Result<Fq, StateError> {
    node_at(nodes, DEPTH, 0, at)
}

/// The path of the node at `(level, index)` in a tree of `depth` levels after block `at`: its
/// siblings from `level` up to just below the root.
pub(crate) fn node_path(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    depth: usize,
    level: usize,
    index: u64,
    at: u64,
) -> Result<NodePath, StateError> {
    if level > depth || index >> (depth - level) != 0 {
        return Err(StateError::TreeFull);
    }
    let siblings = (level..depth)
        .map(|l| node_at(nodes, l, (index >> (l - level)) ^ 1, at).map(Digest))
        .collect::<Result<_, _>>()?;
    Ok(NodePath { index, siblings })
}

/// The authentication path of the leaf at `index` after block `at`.
pub(crate) fn path(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    index: u64,
    at: u64,
) -> Result<PathWitness, StateError> {
    if index >> DEPTH != 0 {
        return Err(StateError::TreeFull);
    }
    let mut siblings = [Digest::default(); DEPTH];
    for (level, sibling) in siblings.iter_mut().enumerate() {
        *sibling = Digest(node_at(nodes, level, (index >> level) ^ 1, at)?);
    }
    Ok(PathWitness { index, siblings })
}

/// The root reached from `leaf` along `path`.
pub fn root_from(leaf: Fq, path: &PathWitness) -> Fq {
    path.siblings
        .iter()
        .enumerate()
        .fold(leaf, |current, (level, sibling)| {
            if (path.index >> level) & 1 == 1 {
                node(sibling.0, current)
            } else {
                node(current, sibling.0)
            }
        })
}

/// Writes the leaf hash at `index` of the depth-32 tree as of block `at` (the block being applied)
/// and recomputes its path up to the root.
pub(crate) fn write_leaf(
    nodes: &mut Table<'_, NodeKey, [u8; 32]>,
    index: u64,
    leaf: Fq,
    at: u64,
) -> Result<(), StateError> {
    write_leaf_in(nodes, DEPTH, index, leaf, at)
}

/// Writes the leaf hash at `index` of a tree of `depth` levels as of block `at` and recomputes
/// its path up to the root.
pub(crate) fn write_leaf_in(
    nodes: &mut Table<'_, NodeKey, [u8; 32]>,
    depth: usize,
    index: u64,
    leaf: Fq,
    at: u64,
) -> Result<(), StateError> {
    if index >> depth != 0 {
        return Err(StateError::TreeFull);
    }
    let mut current = leaf;
    for level in 0..depth {
        let position = index >> level;
        nodes.insert((level as u8, position, at), field::to_bytes(&current))?;
        let sibling = node_at(nodes, level, position ^ 1, at)?;
        current = if position & 1 == 1 {
            node(sibling, current)
        } else {
            node(current, sibling)
        };
    }
    nodes.insert((depth as u8, 0, at), field::to_bytes(&current))?;
    Ok(())
}

/// Appends a block's new `leaves` at `start` of the depth-32 tree as the chain step writes them
/// (see [`BatchAppend`]): reads the existing leaves of group `start >> level` and its path, writes
/// the leaves that fall in it, reads the next group's path, writes the rest. Group `A + 1` must
/// exist in the tree even when nothing falls in it.
pub(crate) fn append(
    nodes: &mut Table<'_, NodeKey, [u8; 32]>,
    start: u64,
    leaves: &[Fq],
    level: usize,
    at: u64,
) -> Result<BatchAppend, StateError> {
    let size = 1u64 << level;
    let group = start >> level;
    if leaves.len() as u64 > size || (group + 1) >> (DEPTH - level) != 0 {
        return Err(StateError::TreeFull);
    }
    let existing = (0..size)
        .map(|i| node_at(nodes, 0, group * size + i, at).map(Digest))
        .collect::<Result<_, _>>()?;
    let first = node_path(nodes, DEPTH, level, group, at)?;
    let boundary = (group + 1) * size;
    let mut second = None;
    for (i, leaf) in leaves.iter().enumerate() {
        let index = start + i as u64;
        if index >= boundary && second.is_none() {
            second = Some(node_path(nodes, DEPTH, level, group + 1, at)?);
        }
        write_leaf(nodes, index, *leaf, at)?;
    }
    let second = match second {
        Some(path) => path,
        None => node_path(nodes, DEPTH, level, group + 1, at)?,
    };
    Ok(BatchAppend {
        existing,
        first,
        second,
    })
}
