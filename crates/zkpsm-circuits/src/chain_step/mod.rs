//! The chain step circuit (docs/protocol.md): one block's effects on the running state
//! `z = [height, cm_root, cm_size, nf_root, nf_size, anchors_root, supply, block_chain_hash]`.
//!
//! For each slot (a transaction, or a no-op: a block's transactions fill the first slots), in
//! block order: its anchor is a nonzero member of the ring of recent anchors; each nullifier is
//! nonzero, bracketed by a low leaf of the indexed tree or of the block's pending new leaves
//! (`low.value < nf` and `nf < low.next_value` or `low.next_value = 0`, on canonical 255-bit
//! decompositions), and the low leaf is re-pointed at it, each against the state the previous one
//! left; its fee (below 2^64) is burned from `supply`; its effects are folded into the effects
//! digest with one hash. Then the block's new nullifier leaves and its note commitments are each
//! written into their tree at once, contiguous from the tree's size (see `append`). At the end
//! `supply` must still lie in `[0, 2^64)` (so fees never exceed it), the new note root replaces the
//! oldest anchor in ring slot `height' mod 256`, and
//! `block_chain_hash' = H(block_chain_hash, effects, txs_hash)`.
//!
//! An empty slot's checks are switched off by its `enabled` bit and its effects are not applied.

mod append;
mod nullifiers;

use crate::gadgets::compare::{enforce_equal, equal_if, mask, nonzero_if, select};
use crate::gadgets::merkle;
use crate::gadgets::poseidon::hash;
use crate::gadgets::range::{self, decompose};
use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use ff::Field;
use nullifiers::PendingLeaf;
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{
    ANCHOR_RING_DEPTH, ARITY, EffectKind, NodePath, StepWitness, TxSlot, Z_LEN, group_level,
};
use zkpsm_primitives::merkle::DEPTH;
use zkpsm_primitives::poseidon;
use zkpsm_primitives::tree::TreeShape;

use zkpsm_primitives::chain_step::z_at as at;

/// Constants the step hashes with, allocated once per step.
struct Constants {
    zero: AllocatedNum<Fq>,
    one: AllocatedNum<Fq>,
    new_anchor: AllocatedNum<Fq>,
    empty_note_group: AllocatedNum<Fq>,
    empty_nullifier_group: AllocatedNum<Fq>,
}

fn constant<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    value: Fq,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let x = AllocatedNum::alloc(cs.namespace(|| "value"), || Ok(value))?;
    cs.enforce(
        || "is constant",
        |lc| lc + x.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + (value, CS::one()),
    );
    Ok(x)
}

impl Constants {
    fn new<CS: ConstraintSystem<Fq>>(mut cs: CS, capacity: usize) -> Result<Self, SynthesisError> {
        let empty_group = |shape: TreeShape| shape.empty_root(group_level(shape, capacity));
        Ok(Self {
            zero: constant(cs.namespace(|| "zero"), Fq::ZERO)?,
            one: constant(cs.namespace(|| "one"), Fq::ONE)?,
            new_anchor: constant(
                cs.namespace(|| "kind new anchor"),
                Fq::from(EffectKind::NewAnchor as u64),
            )?,
            empty_note_group: constant(
                cs.namespace(|| "empty note group root"),
                empty_group(TreeShape::NOTES),
            )?,
            empty_nullifier_group: constant(
                cs.namespace(|| "empty nullifier group root"),
                empty_group(TreeShape::NULLIFIERS),
            )?,
        })
    }
}

/// The running values a step updates slot by slot.
struct Running {
    nf_root: AllocatedNum<Fq>,
    supply: AllocatedNum<Fq>,
    effects: AllocatedNum<Fq>,
    /// The block's new nullifier leaves, not yet in the tree.
    pending: Vec<PendingLeaf>,
    /// Each pending leaf's slot bit.
    pending_enabled: Vec<AllocatedBit>,
    /// The block's note commitments (0 for empty slots), in order.
    commitments: Vec<AllocatedNum<Fq>>,
    /// `2 * (number of enabled slots)`, the growth of both trees.
    added: bellpepper_core::LinearCombination<Fq>,
    added_value: u64,
}

fn alloc<CS: ConstraintSystem<Fq>>(cs: CS, value: Fq) -> Result<AllocatedNum<Fq>, SynthesisError> {
    range::alloc(cs, Some(value))
}

/// A path's siblings, which must number `depth`.
fn alloc_siblings<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    path: &NodePath,
    depth: usize,
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    if path.siblings.len() != depth {
        return Err(SynthesisError::Unsatisfiable);
    }
    path.siblings
        .iter()
        .enumerate()
        .map(|(i, s)| alloc(cs.namespace(|| format!("sibling {i}")), s.0))
        .collect()
}

/// A path's direction bits (its index) and siblings, which must number `depth`.
fn alloc_path<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    path: &NodePath,
    depth: usize,
) -> Result<(Vec<AllocatedBit>, Vec<AllocatedNum<Fq>>), SynthesisError> {
    let bits = (0..depth)
        .map(|i| {
            AllocatedBit::alloc(
                cs.namespace(|| format!("index bit {i}")),
                Some((path.index >> i) & 1 == 1),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let siblings = alloc_siblings(cs.namespace(|| "siblings"), path, depth)?;
    Ok((bits, siblings))
}

/// `start + offset` as a variable.
fn offset<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    start: &AllocatedNum<Fq>,
    offset: u64,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let sum = range::alloc(
        cs.namespace(|| "sum"),
        start.get_value().map(|s| s + Fq::from(offset)),
    )?;
    cs.enforce(
        || "start + offset = sum",
        |lc| lc + start.get_variable() + (Fq::from(offset), CS::one()),
        |lc| lc + CS::one(),
        |lc| lc + sum.get_variable(),
    );
    Ok(sum)
}

/// One transaction's slot; `previous` is the slot before's enabled bit.
fn apply_slot<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    k: &Constants,
    z: &[AllocatedNum<Fq>],
    slot: &TxSlot,
    previous: Option<&AllocatedBit>,
    s: &mut Running,
) -> Result<AllocatedBit, SynthesisError> {
    let e = AllocatedBit::alloc(cs.namespace(|| "enabled"), Some(slot.enabled))?;
    if let Some(previous) = previous {
        cs.enforce(
            || "transactions fill the first slots",
            |lc| lc + e.get_variable(),
            |lc| lc + CS::one() - previous.get_variable(),
            |lc| lc,
        );
    }

    let anchor = alloc(cs.namespace(|| "anchor"), slot.anchor.0)?;
    nonzero_if(cs.namespace(|| "anchor is nonzero"), &e, &anchor)?;
    let (bits, siblings) = alloc_path(
        cs.namespace(|| "anchor path"),
        &slot.anchor_path,
        ANCHOR_RING_DEPTH,
    )?;
    let root = merkle::root(
        cs.namespace(|| "anchor membership"),
        &anchor,
        &bits,
        &siblings,
    )?;
    equal_if(
        cs.namespace(|| "anchor is a recent anchor"),
        &e,
        &root,
        &z[at::ANCHORS_ROOT],
    );

    let mut nullifiers = Vec::with_capacity(ARITY);
    for (i, w) in slot.nullifiers.iter().enumerate() {
        let position = s.pending.len() as u64;
        let index = offset(
            cs.namespace(|| format!("nullifier {i} index")),
            &z[at::NF_SIZE],
            position,
        )?;
        nullifiers.push(nullifiers::insert(
            cs.namespace(|| format!("nullifier {i}")),
            k,
            &e,
            &index,
            w,
            &mut s.nf_root,
            &mut s.pending,
        )?);
        s.pending_enabled.push(e.clone());
    }

    let mut commitments = Vec::with_capacity(ARITY);
    for (i, cm) in slot.commitments.iter().enumerate() {
        let cm = alloc(cs.namespace(|| format!("commitment {i}")), cm.0)?;
        s.commitments.push(mask(
            cs.namespace(|| format!("commitment {i} if enabled")),
            &e,
            &cm,
        )?);
        commitments.push(cm);
    }
    s.added = s.added.clone() + (Fq::from(ARITY as u64), e.get_variable());
    if slot.enabled {
        s.added_value += ARITY as u64;
    }

    let fee = alloc(cs.namespace(|| "fee"), Fq::from(slot.fee))?;
    range::enforce_u64(cs.namespace(|| "fee < 2^64"), &fee)?;
    let supply_value = s.supply.get_value().map(|v| {
        if slot.enabled {
            v - Fq::from(slot.fee)
        } else {
            v
        }
    });
    let supply = range::alloc(cs.namespace(|| "supply"), supply_value)?;
    cs.enforce(
        || "enabled * fee = supply - supply'",
        |lc| lc + e.get_variable(),
        |lc| lc + fee.get_variable(),
        |lc| lc + s.supply.get_variable() - supply.get_variable(),
    );
    s.supply = supply;

    let mut preimage = vec![s.effects.clone(), anchor];
    preimage.extend(nullifiers);
    preimage.extend(commitments);
    preimage.push(fee);
    let next = hash(cs.namespace(|| "effects"), poseidon::tx_effects(), preimage)?;
    s.effects = select(cs.namespace(|| "effects if enabled"), &e, &next, &s.effects)?;
    Ok(e)
}

/// `start + added` as a variable.
fn grown<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    start: &AllocatedNum<Fq>,
    s: &Running,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let size = range::alloc(
        cs.namespace(|| "size"),
        start.get_value().map(|v| v + Fq::from(s.added_value)),
    )?;
    cs.enforce(
        || "start + added = size",
        |lc| lc + start.get_variable() + &s.added,
        |lc| lc + CS::one(),
        |lc| lc + size.get_variable(),
    );
    Ok(size)
}

/// The step: `z' = F(z, witness)`. `z` must have [`Z_LEN`] elements; the step's capacity is the
/// number of slots in the witness.
pub fn synthesize<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    witness: &StepWitness,
    z: &[AllocatedNum<Fq>],
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    let capacity = witness.capacity();
    if z.len() != Z_LEN || capacity == 0 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let k = Constants::new(cs.namespace(|| "constants"), capacity)?;
    let mut s = Running {
        nf_root: z[at::NF_ROOT].clone(),
        supply: z[at::SUPPLY].clone(),
        effects: k.zero.clone(),
        pending: Vec::with_capacity(ARITY * capacity),
        pending_enabled: Vec::with_capacity(ARITY * capacity),
        commitments: Vec::with_capacity(ARITY * capacity),
        added: bellpepper_core::LinearCombination::zero(),
        added_value: 0,
    };
    let mut previous: Option<AllocatedBit> = None;
    for (i, slot) in witness.txs.iter().enumerate() {
        let e = apply_slot(
            cs.namespace(|| format!("slot {i}")),
            &k,
            z,
            slot,
            previous.as_ref(),
            &mut s,
        )?;
        previous = Some(e);
    }
    range::enforce_u64(cs.namespace(|| "supply >= 0"), &s.supply)?;

    // The block's new nullifier leaves, then its note commitments, each written at once.
    let new_leaves = s
        .pending
        .iter()
        .zip(&s.pending_enabled)
        .enumerate()
        .map(|(j, (leaf, e))| {
            let mut cs = cs.namespace(|| format!("new leaf {j}"));
            let h = leaf.hash(cs.namespace(|| "hash"))?;
            mask(cs.namespace(|| "if enabled"), e, &h)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let nf_root = append::append(
        cs.namespace(|| "nullifier leaves"),
        TreeShape::NULLIFIERS,
        &z[at::NF_SIZE],
        &new_leaves,
        &s.nf_root,
        append::Empty {
            leaf: &k.zero,
            group: &k.empty_nullifier_group,
        },
        &witness.nullifier_append,
    )?;
    let nf_size = grown(cs.namespace(|| "nf_size'"), &z[at::NF_SIZE], &s)?;
    let cm_root = append::append(
        cs.namespace(|| "note commitments"),
        TreeShape::NOTES,
        &z[at::CM_SIZE],
        &s.commitments,
        &z[at::CM_ROOT],
        append::Empty {
            leaf: &k.zero,
            group: &k.empty_note_group,
        },
        &witness.commitment_append,
    )?;
    let cm_size = grown(cs.namespace(|| "cm_size'"), &z[at::CM_SIZE], &s)?;

    // The block's new anchor: into the effects, and into ring slot height' mod 256.
    let effects = hash(
        cs.namespace(|| "new anchor effect"),
        poseidon::effects(),
        vec![s.effects, k.new_anchor.clone(), cm_root.clone()],
    )?;
    let height = range::alloc(
        cs.namespace(|| "height'"),
        z[at::HEIGHT].get_value().map(|h| h + Fq::ONE),
    )?;
    cs.enforce(
        || "height' = height + 1",
        |lc| lc + z[at::HEIGHT].get_variable() + CS::one(),
        |lc| lc + CS::one(),
        |lc| lc + height.get_variable(),
    );
    let bits = decompose(cs.namespace(|| "height' bits"), &height, DEPTH)?;
    let replaced = alloc(
        cs.namespace(|| "replaced anchor"),
        witness.replaced_anchor.0,
    )?;
    let siblings = alloc_siblings(
        cs.namespace(|| "new anchor path"),
        &witness.new_anchor_path,
        ANCHOR_RING_DEPTH,
    )?;
    let (old_ring, anchors_root) = merkle::update(
        cs.namespace(|| "new anchor write"),
        &replaced,
        &cm_root,
        &bits[..ANCHOR_RING_DEPTH],
        &siblings,
    )?;
    enforce_equal(
        cs.namespace(|| "the replaced anchor is in its ring slot"),
        &old_ring,
        &z[at::ANCHORS_ROOT],
    );

    let txs_hash = alloc(cs.namespace(|| "txs hash"), witness.txs_hash.0)?;
    let block_chain_hash = hash(
        cs.namespace(|| "block chain hash"),
        poseidon::block_chain(),
        vec![z[at::BLOCK_CHAIN_HASH].clone(), effects, txs_hash],
    )?;
    Ok(vec![
        height,
        cm_root,
        cm_size,
        nf_root,
        nf_size,
        anchors_root,
        s.supply,
        block_chain_hash,
    ])
}
