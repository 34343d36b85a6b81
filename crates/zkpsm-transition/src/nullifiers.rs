//! One nullifier's absence and insertion: its low leaf is in the tree (checked and re-pointed
//! there) or is the new leaf of an earlier nullifier of the block, still pending (re-pointed among
//! the pending leaves); out of the tree, the path checked is that of the new leaf's own empty slot.
//! The native twin of the step circuit's insertion, short of an empty slot's: that changes nothing,
//! so its paths are not read (the circuit, whose shape is fixed, climbs them all the same), which
//! spares a zkVM guest the hashing of every empty slot of a block.

use crate::error::TransitionError;
use zkpsm_primitives::chain_step::{NodePath, NullifierInsert};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::indexed_leaf::{NullifierLeaf, less};
use zkpsm_primitives::tree::TreeShape;

const SHAPE: TreeShape = TreeShape::NULLIFIERS;

/// Inserts the block's `j`-th nullifier, whose new leaf goes at `index`, into the tree whose root is
/// `root` and the block's `pending` leaves.
pub(crate) fn insert(
    j: usize,
    enabled: bool,
    index: u64,
    w: &NullifierInsert,
    root: &mut Fq,
    pending: &mut Vec<NullifierLeaf>,
) -> Result<(), TransitionError> {
    let nf = w.nullifier.0;
    let low = w.low_leaf;
    let in_block = match w.low_in_block {
        Some(m) if !enabled || m as usize >= j => {
            return Err(TransitionError::BadPendingLowLeaf(j));
        }
        Some(m) => {
            if pending[m as usize] != low {
                return Err(TransitionError::PendingLowLeafMismatch(j));
            }
            Some(m as usize)
        }
        None => None,
    };
    let pending_leaf = NullifierLeaf {
        value: nf,
        next_index: low.next_index,
        next_value: low.next_value,
    };
    if !enabled {
        // Its leaf is written as 0, nothing is re-pointed: the tree stays as it is.
        pending.push(pending_leaf);
        return Ok(());
    }
    let updated = NullifierLeaf {
        next_index: index,
        next_value: nf,
        ..low
    };
    let (old_leaf, new_leaf) = if in_block.is_none() {
        (low.hash(), updated.hash())
    } else {
        if w.low_path.index != index {
            return Err(TransitionError::LowLeafNotInTree(j));
        }
        (Fq::from(0), Fq::from(0))
    };
    let reach = |leaf: Fq, path: &NodePath| {
        SHAPE
            .root_from(0, leaf, path)
            .ok_or(TransitionError::Shape("nullifier path"))
    };
    if reach(old_leaf, &w.low_path)? != *root {
        return Err(TransitionError::LowLeafNotInTree(j));
    }
    if new_leaf != old_leaf {
        *root = reach(new_leaf, &w.low_path)?;
    }
    if nf == Fq::from(0) {
        return Err(TransitionError::ZeroNullifier(j));
    }
    if !less(&low.value, &nf) {
        return Err(TransitionError::NotAboveLowLeaf(j));
    }
    if low.next_value != Fq::from(0) && !less(&nf, &low.next_value) {
        return Err(TransitionError::NotBelowNextValue(j));
    }
    if let Some(m) = in_block {
        pending[m] = updated;
    }
    pending.push(pending_leaf);
    Ok(())
}
