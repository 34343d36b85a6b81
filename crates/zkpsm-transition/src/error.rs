//! Why a block's transition does not hold.

/// The tree a batch write goes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {
    /// The indexed nullifier tree.
    Nullifiers,
    /// The note commitment tree.
    Notes,
}

/// A rule of the chain step that the block's witness breaks (each one is a constraint, or a group
/// of constraints, of the step circuit).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The witness does not have the step's shape (slot count, path lengths, group sizes).
    #[error("the witness has the wrong shape: {0}")]
    Shape(&'static str),
    /// An enabled slot after an empty one.
    #[error("slot {0} holds a transaction after an empty slot")]
    SlotsOutOfOrder(usize),
    /// A transaction's anchor is zero.
    #[error("slot {0}: the anchor is zero")]
    ZeroAnchor(usize),
    /// A transaction's anchor is not in the ring of recent anchors.
    #[error("slot {0}: the anchor is not a recent anchor")]
    AnchorNotRecent(usize),
    /// A nullifier is zero.
    #[error("nullifier {0} of the block is zero")]
    ZeroNullifier(usize),
    /// A pending low leaf named for an empty slot, or one that is not an earlier nullifier's.
    #[error("nullifier {0} of the block names a pending low leaf it may not")]
    BadPendingLowLeaf(usize),
    /// The low leaf differs from the pending leaf it names.
    #[error("nullifier {0} of the block: the low leaf is not the pending leaf it names")]
    PendingLowLeafMismatch(usize),
    /// The low leaf's path does not reach the nullifier root (or, out of the tree, the path is not
    /// that of the new leaf's own empty slot).
    #[error("nullifier {0} of the block: the low leaf's path is not in the tree")]
    LowLeafNotInTree(usize),
    /// The nullifier is not above its low leaf (it is already spent, or the low leaf is wrong).
    #[error("nullifier {0} of the block is not above its low leaf")]
    NotAboveLowLeaf(usize),
    /// The nullifier is not below its low leaf's next value.
    #[error("nullifier {0} of the block is not below its low leaf's next value")]
    NotBelowNextValue(usize),
    /// The fees exceed the supply.
    #[error("the fees exceed the supply")]
    SupplyUnderflow,
    /// A batch write's group is not in the tree as witnessed.
    #[error("{0:?}: the first group is not in the tree")]
    GroupNotInTree(Tree),
    /// A batch write's next group is not empty.
    #[error("{0:?}: the next group is not empty")]
    NextGroupNotEmpty(Tree),
    /// A tree cannot take the block's leaves.
    #[error("{0:?}: the tree is full")]
    TreeFull(Tree),
    /// The anchor the new one replaces is not in its ring slot.
    #[error("the replaced anchor is not in its ring slot")]
    ReplacedAnchorNotInRing,
    /// A height or size beyond what the state holds.
    #[error("a height or size overflows")]
    Overflow,
}
