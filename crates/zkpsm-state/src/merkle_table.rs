//! A Poseidon Merkle tree kept as a redb table of its non-empty nodes, versioned by the height that
//! wrote them: keyed by `(level, index, height)` (level 0 holds leaf hashes). The note commitment
//! tree, the ring of recent anchors and the 4-ary indexed nullifier tree all live this way (each
//! with its [`TreeShape`]), so any leaf's path can be read as it was after any block: the node
//! answers state queries against the roots a chain proof attests at its height, not only against
//! the newest.

use crate::StateError;
use redb::{ReadableTable, Table, TableDefinition};
use zkpsm_primitives::chain_step::{BatchAppend, Digest, NodePath, PathWitness};
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::merkle::DEPTH;
use zkpsm_primitives::tree::TreeShape;

/// A node's key: `(level, index, height that wrote it)`.
pub(crate) type NodeKey = (u8, u64, u64);

/// A table of tree nodes.
pub(crate) type NodeTable = TableDefinition<'static, NodeKey, [u8; 32]>;

/// The node at `(level, index)` after block `at`, or the empty subtree root of that level.
pub(crate) fn node_at(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    shape: TreeShape,
    level: usize,
    index: u64,
    at: u64,
) -> Result<Fq, StateError> {
    let key = level as u8;
    let newest = nodes.range((key, index, 0)..=(key, index, at))?.next_back();
    match newest {
        Some(entry) => field::from_bytes(&entry?.1.value(), "tree node")
            .map_err(|_| StateError::Corrupt("tree node".into())),
        None => Ok(shape.empty_root(level)),
    }
}

/// The root after block `at`.
pub(crate) fn root(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    shape: TreeShape,
    at: u64,
) -> Result<Fq, StateError> {
    node_at(nodes, shape, shape.levels, 0, at)
}

/// The indices of the other children of `index`'s parent, in child order.
fn sibling_indices(shape: TreeShape, index: u64) -> impl Iterator<Item = u64> {
    let first = index & !(shape.arity() as u64 - 1);
    (first..first + shape.arity() as u64).filter(move |&i| i != index)
}

/// The path of the node at `(level, index)` after block `at`: its siblings from `level` up to
/// just below the root.
pub(crate) fn node_path(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    shape: TreeShape,
    level: usize,
    index: u64,
    at: u64,
) -> Result<NodePath, StateError> {
    if level > shape.levels || index >> (shape.arity_log2 * (shape.levels - level)) != 0 {
        return Err(StateError::TreeFull);
    }
    let mut siblings = Vec::with_capacity(shape.path_len(level));
    for l in level..shape.levels {
        let at_level = index >> (shape.arity_log2 * (l - level));
        for i in sibling_indices(shape, at_level) {
            siblings.push(Digest(node_at(nodes, shape, l, i, at)?));
        }
    }
    Ok(NodePath { index, siblings })
}

/// The authentication path of the leaf at `index` of the note commitment tree after block `at`.
pub(crate) fn note_path(
    nodes: &impl ReadableTable<NodeKey, [u8; 32]>,
    index: u64,
    at: u64,
) -> Result<PathWitness, StateError> {
    let path = node_path(nodes, TreeShape::NOTES, 0, index, at)?;
    let siblings: [Digest; DEPTH] = path
        .siblings
        .try_into()
        .map_err(|_| StateError::Corrupt("note tree path".into()))?;
    Ok(PathWitness { index, siblings })
}

/// The root of the note commitment tree reached from `leaf` along `path`.
pub fn root_from(leaf: Fq, path: &PathWitness) -> Fq {
    path.siblings
        .iter()
        .enumerate()
        .fold(leaf, |current, (level, sibling)| {
            let index = path.index >> level;
            TreeShape::NOTES.hash(&TreeShape::NOTES.children(index, current, &[sibling.0]))
        })
}

/// Writes the leaf hash at `index` as of block `at` (the block being applied) and recomputes its
/// path up to the root.
pub(crate) fn write_leaf(
    nodes: &mut Table<'_, NodeKey, [u8; 32]>,
    shape: TreeShape,
    index: u64,
    leaf: Fq,
    at: u64,
) -> Result<(), StateError> {
    if index >> shape.index_bits() != 0 {
        return Err(StateError::TreeFull);
    }
    let mut current = leaf;
    for level in 0..shape.levels {
        let position = index >> (shape.arity_log2 * level);
        nodes.insert((level as u8, position, at), field::to_bytes(&current))?;
        let siblings = sibling_indices(shape, position)
            .map(|i| node_at(nodes, shape, level, i, at))
            .collect::<Result<Vec<_>, _>>()?;
        current = shape.hash(&shape.children(position, current, &siblings));
    }
    nodes.insert((shape.levels as u8, 0, at), field::to_bytes(&current))?;
    Ok(())
}

/// Appends a block's new `leaves` at `start` as the chain step writes them (see
/// [`BatchAppend`]): reads the existing leaves of group `start / S` (`S = arity^level`) and its
/// path, writes the leaves that fall in it, reads the next group's path, writes the rest. Group
/// `A + 1` must exist in the tree even when nothing falls in it.
pub(crate) fn append(
    nodes: &mut Table<'_, NodeKey, [u8; 32]>,
    shape: TreeShape,
    start: u64,
    leaves: &[Fq],
    level: usize,
    at: u64,
) -> Result<BatchAppend, StateError> {
    let group_bits = shape.arity_log2 * level;
    let size = 1u64 << group_bits;
    let group = start >> group_bits;
    if leaves.len() as u64 > size || (group + 1) >> (shape.index_bits() - group_bits) != 0 {
        return Err(StateError::TreeFull);
    }
    let existing = (0..size)
        .map(|i| node_at(nodes, shape, 0, group * size + i, at).map(Digest))
        .collect::<Result<_, _>>()?;
    let first = node_path(nodes, shape, level, group, at)?;
    let boundary = (group + 1) * size;
    let mut second = None;
    for (i, leaf) in leaves.iter().enumerate() {
        let index = start + i as u64;
        if index >= boundary && second.is_none() {
            second = Some(node_path(nodes, shape, level, group + 1, at)?);
        }
        write_leaf(nodes, shape, index, *leaf, at)?;
    }
    let second = match second {
        Some(path) => path,
        None => node_path(nodes, shape, level, group + 1, at)?,
    };
    Ok(BatchAppend {
        existing,
        first,
        second,
    })
}
