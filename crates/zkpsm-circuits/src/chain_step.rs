//! The chain step circuit (DESIGN.md §3): one block's effects on the running state
//! `z = [height, cm_root, cm_size, nf_root, nf_size, anchors_root, supply, block_chain_hash]`.
//!
//! For each slot (a transaction, or a no-op when the slot is empty), in block order: its anchor is
//! a nonzero member of the anchors tree; each nullifier is nonzero, bracketed by a low leaf of the
//! indexed tree (`low.value < nf` and `nf < low.next_value` or `low.next_value = 0`, on canonical
//! 255-bit decompositions), the low leaf is re-pointed at it and the new leaf written into the
//! empty slot `nf_size`, each against the root the previous insertion left; each output commitment
//! is written into the empty slot `cm_size` of the note tree; its fee (below 2^64) is burned from
//! `supply`. Every effect is folded into the effects digest. At the end `supply` must still lie in
//! `[0, 2^64)` (so fees never exceed it), the new note root is written into slot `height'` of the
//! anchors tree, and `block_chain_hash' = H(block_chain_hash, effects, txs_hash)`.
//!
//! An empty slot's checks are switched off by its `enabled` bit and its effects are not applied.

use crate::gadgets::compare::{canonical_bits, equal_if, is_zero, less_than, nonzero_if, select};
use crate::gadgets::merkle;
use crate::gadgets::poseidon::hash;
use crate::gadgets::range::{self, decompose};
use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use ff::Field;
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{
    EffectKind, NullifierInsert, PathWitness, StepWitness, TxSlot, Z_LEN,
};
use zkpsm_primitives::merkle::DEPTH;
use zkpsm_primitives::poseidon;

/// Positions in `z`.
mod at {
    pub const HEIGHT: usize = 0;
    pub const CM_ROOT: usize = 1;
    pub const CM_SIZE: usize = 2;
    pub const NF_ROOT: usize = 3;
    pub const NF_SIZE: usize = 4;
    pub const ANCHORS_ROOT: usize = 5;
    pub const SUPPLY: usize = 6;
    pub const BLOCK_CHAIN_HASH: usize = 7;
}

/// Constants the step hashes with, allocated once per step.
struct Constants {
    zero: AllocatedNum<Fq>,
    one: AllocatedNum<Fq>,
    kinds: [AllocatedNum<Fq>; 5],
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
    fn new<CS: ConstraintSystem<Fq>>(mut cs: CS) -> Result<Self, SynthesisError> {
        let kind = |cs: &mut CS, k: EffectKind| {
            constant(
                cs.namespace(|| format!("kind {}", k as u64)),
                Fq::from(k as u64),
            )
        };
        Ok(Self {
            zero: constant(cs.namespace(|| "zero"), Fq::ZERO)?,
            one: constant(cs.namespace(|| "one"), Fq::ONE)?,
            kinds: [
                kind(&mut cs, EffectKind::Anchor)?,
                kind(&mut cs, EffectKind::Nullifier)?,
                kind(&mut cs, EffectKind::Commitment)?,
                kind(&mut cs, EffectKind::Fee)?,
                kind(&mut cs, EffectKind::NewAnchor)?,
            ],
        })
    }

    fn kind(&self, k: EffectKind) -> &AllocatedNum<Fq> {
        &self.kinds[k as usize - 1]
    }
}

/// The running values a step updates slot by slot.
struct Running {
    cm_root: AllocatedNum<Fq>,
    cm_size: AllocatedNum<Fq>,
    nf_root: AllocatedNum<Fq>,
    nf_size: AllocatedNum<Fq>,
    supply: AllocatedNum<Fq>,
    effects: AllocatedNum<Fq>,
}

fn alloc<CS: ConstraintSystem<Fq>>(cs: CS, value: Fq) -> Result<AllocatedNum<Fq>, SynthesisError> {
    range::alloc(cs, Some(value))
}

/// Allocates a path's direction bits (its index, 32 bits) and siblings.
fn alloc_path<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    path: &PathWitness,
) -> Result<(Vec<AllocatedBit>, Vec<AllocatedNum<Fq>>), SynthesisError> {
    let bits = (0..DEPTH)
        .map(|i| {
            AllocatedBit::alloc(
                cs.namespace(|| format!("index bit {i}")),
                Some((path.index >> i) & 1 == 1),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let siblings = alloc_siblings(cs.namespace(|| "siblings"), path)?;
    Ok((bits, siblings))
}

fn alloc_siblings<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    path: &PathWitness,
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    path.siblings
        .iter()
        .enumerate()
        .map(|(i, s)| alloc(cs.namespace(|| format!("sibling {i}")), s.0))
        .collect()
}

/// `a + b` for a boolean `b`.
fn add_bit<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    a: &AllocatedNum<Fq>,
    b: &AllocatedBit,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value = a
        .get_value()
        .zip(b.get_value())
        .map(|(a, b)| if b { a + Fq::ONE } else { a });
    let sum = range::alloc(cs.namespace(|| "sum"), value)?;
    cs.enforce(
        || "a + b = sum",
        |lc| lc + a.get_variable() + b.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + sum.get_variable(),
    );
    Ok(sum)
}

/// Folds one effect into the digest; with an `enabled` bit, only if it is set.
fn absorb<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    enabled: Option<&AllocatedBit>,
    acc: &AllocatedNum<Fq>,
    kind: &AllocatedNum<Fq>,
    value: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let next = hash(
        cs.namespace(|| "hash"),
        poseidon::effects(),
        vec![acc.clone(), kind.clone(), value.clone()],
    )?;
    match enabled {
        Some(e) => select(cs.namespace(|| "if enabled"), e, &next, acc),
        None => Ok(next),
    }
}

fn leaf_hash<CS: ConstraintSystem<Fq>>(
    cs: CS,
    value: &AllocatedNum<Fq>,
    next_index: &AllocatedNum<Fq>,
    next_value: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    hash(
        cs,
        poseidon::nullifier_leaf(),
        vec![value.clone(), next_index.clone(), next_value.clone()],
    )
}

/// One nullifier: absent (bracketed by the low leaf), then inserted.
fn insert_nullifier<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    k: &Constants,
    e: &AllocatedBit,
    w: &NullifierInsert,
    s: &mut Running,
) -> Result<(), SynthesisError> {
    let nf = alloc(cs.namespace(|| "nullifier"), w.nullifier.0)?;
    nonzero_if(cs.namespace(|| "nullifier is nonzero"), e, &nf)?;
    let low_value = alloc(cs.namespace(|| "low value"), w.low_leaf.value)?;
    let low_next_index = alloc(
        cs.namespace(|| "low next index"),
        Fq::from(w.low_leaf.next_index),
    )?;
    let low_next_value = alloc(cs.namespace(|| "low next value"), w.low_leaf.next_value)?;

    // The low leaf is in the tree; re-pointed at the new leaf, it gives the intermediate root.
    let low = leaf_hash(
        cs.namespace(|| "low leaf"),
        &low_value,
        &low_next_index,
        &low_next_value,
    )?;
    let updated_low = leaf_hash(
        cs.namespace(|| "updated low leaf"),
        &low_value,
        &s.nf_size,
        &nf,
    )?;
    let (bits, siblings) = alloc_path(cs.namespace(|| "low path"), &w.low_path)?;
    let (old_root, mid_root) = merkle::update(
        cs.namespace(|| "low leaf update"),
        &low,
        &updated_low,
        &bits,
        &siblings,
    )?;
    equal_if(
        cs.namespace(|| "low leaf is in the tree"),
        e,
        &old_root,
        &s.nf_root,
    );

    // The low leaf brackets the nullifier: low.value < nf < low.next_value (0 is +infinity).
    let nf_bits = canonical_bits(cs.namespace(|| "nullifier bits"), &nf)?;
    let low_bits = canonical_bits(cs.namespace(|| "low value bits"), &low_value)?;
    let next_bits = canonical_bits(cs.namespace(|| "low next value bits"), &low_next_value)?;
    let above_low = less_than(cs.namespace(|| "low < nf"), &low_bits, &nf_bits)?;
    equal_if(cs.namespace(|| "above the low leaf"), e, &above_low, &k.one);
    let below_next = less_than(cs.namespace(|| "nf < next"), &nf_bits, &next_bits)?;
    let next_is_infinity = is_zero(cs.namespace(|| "next is infinity"), &low_next_value)?;
    let gap_open = range::alloc(
        cs.namespace(|| "gap open"),
        below_next
            .get_value()
            .zip(next_is_infinity.get_value())
            .map(|(b, n)| (Fq::ONE - b) * (Fq::ONE - n)),
    )?;
    cs.enforce(
        || "gap open = (1 - below next) (1 - next is infinity)",
        |lc| lc + CS::one() - below_next.get_variable(),
        |lc| lc + CS::one() - next_is_infinity.get_variable(),
        |lc| lc + gap_open.get_variable(),
    );
    cs.enforce(
        || "enabled => below the next leaf",
        |lc| lc + e.get_variable(),
        |lc| lc + gap_open.get_variable(),
        |lc| lc,
    );

    // The new leaf goes into the empty slot nf_size.
    let new_leaf = leaf_hash(
        cs.namespace(|| "new leaf"),
        &nf,
        &low_next_index,
        &low_next_value,
    )?;
    let size_bits = decompose(cs.namespace(|| "nf_size bits"), &s.nf_size, DEPTH)?;
    let siblings = alloc_siblings(cs.namespace(|| "new path"), &w.new_path)?;
    let (empty_root, new_root) = merkle::update(
        cs.namespace(|| "new leaf write"),
        &k.zero,
        &new_leaf,
        &size_bits,
        &siblings,
    )?;
    equal_if(
        cs.namespace(|| "slot nf_size is empty"),
        e,
        &empty_root,
        &mid_root,
    );
    s.nf_root = select(cs.namespace(|| "nf_root"), e, &new_root, &s.nf_root)?;
    s.nf_size = add_bit(cs.namespace(|| "nf_size"), &s.nf_size, e)?;
    s.effects = absorb(
        cs.namespace(|| "effect"),
        Some(e),
        &s.effects,
        k.kind(EffectKind::Nullifier),
        &nf,
    )?;
    Ok(())
}

/// One transaction's slot.
fn apply_slot<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    k: &Constants,
    anchors_root: &AllocatedNum<Fq>,
    slot: &TxSlot,
    s: &mut Running,
) -> Result<(), SynthesisError> {
    let e = AllocatedBit::alloc(cs.namespace(|| "enabled"), Some(slot.enabled))?;

    let anchor = alloc(cs.namespace(|| "anchor"), slot.anchor.0)?;
    nonzero_if(cs.namespace(|| "anchor is nonzero"), &e, &anchor)?;
    let (bits, siblings) = alloc_path(cs.namespace(|| "anchor path"), &slot.anchor_path)?;
    let root = merkle::root(
        cs.namespace(|| "anchor membership"),
        &anchor,
        &bits,
        &siblings,
    )?;
    equal_if(
        cs.namespace(|| "anchor is in the anchors tree"),
        &e,
        &root,
        anchors_root,
    );
    s.effects = absorb(
        cs.namespace(|| "anchor effect"),
        Some(&e),
        &s.effects,
        k.kind(EffectKind::Anchor),
        &anchor,
    )?;

    for (i, w) in slot.nullifiers.iter().enumerate() {
        insert_nullifier(cs.namespace(|| format!("nullifier {i}")), k, &e, w, s)?;
    }

    for (i, w) in slot.commitments.iter().enumerate() {
        let mut cs = cs.namespace(|| format!("commitment {i}"));
        let cm = alloc(cs.namespace(|| "commitment"), w.commitment.0)?;
        let bits = decompose(cs.namespace(|| "cm_size bits"), &s.cm_size, DEPTH)?;
        let siblings = alloc_siblings(cs.namespace(|| "path"), &w.path)?;
        let (empty_root, new_root) =
            merkle::update(cs.namespace(|| "append"), &k.zero, &cm, &bits, &siblings)?;
        equal_if(
            cs.namespace(|| "slot cm_size is empty"),
            &e,
            &empty_root,
            &s.cm_root,
        );
        s.cm_root = select(cs.namespace(|| "cm_root"), &e, &new_root, &s.cm_root)?;
        s.cm_size = add_bit(cs.namespace(|| "cm_size"), &s.cm_size, &e)?;
        s.effects = absorb(
            cs.namespace(|| "effect"),
            Some(&e),
            &s.effects,
            k.kind(EffectKind::Commitment),
            &cm,
        )?;
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
    s.effects = absorb(
        cs.namespace(|| "fee effect"),
        Some(&e),
        &s.effects,
        k.kind(EffectKind::Fee),
        &fee,
    )?;
    Ok(())
}

/// The step: `z' = F(z, witness)`. `z` must have [`Z_LEN`] elements; the step's capacity is the
/// number of slots in the witness (pad it with [`StepWitness::padded`]).
pub fn synthesize<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    witness: &StepWitness,
    z: &[AllocatedNum<Fq>],
) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
    if z.len() != Z_LEN {
        return Err(SynthesisError::Unsatisfiable);
    }
    let k = Constants::new(cs.namespace(|| "constants"))?;
    let mut s = Running {
        cm_root: z[at::CM_ROOT].clone(),
        cm_size: z[at::CM_SIZE].clone(),
        nf_root: z[at::NF_ROOT].clone(),
        nf_size: z[at::NF_SIZE].clone(),
        supply: z[at::SUPPLY].clone(),
        effects: k.zero.clone(),
    };
    for (i, slot) in witness.txs.iter().enumerate() {
        apply_slot(
            cs.namespace(|| format!("slot {i}")),
            &k,
            &z[at::ANCHORS_ROOT],
            slot,
            &mut s,
        )?;
    }
    range::enforce_u64(cs.namespace(|| "supply >= 0"), &s.supply)?;

    // The block's new anchor: into the effects, and into slot height' of the anchors tree.
    s.effects = absorb(
        cs.namespace(|| "new anchor effect"),
        None,
        &s.effects,
        k.kind(EffectKind::NewAnchor),
        &s.cm_root,
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
    let siblings = alloc_siblings(cs.namespace(|| "new anchor path"), &witness.new_anchor_path)?;
    let (empty_root, anchors_root) = merkle::update(
        cs.namespace(|| "new anchor append"),
        &k.zero,
        &s.cm_root,
        &bits,
        &siblings,
    )?;
    cs.enforce(
        || "slot height' of the anchors tree is empty",
        |lc| lc + empty_root.get_variable() - z[at::ANCHORS_ROOT].get_variable(),
        |lc| lc + CS::one(),
        |lc| lc,
    );

    let txs_hash = alloc(cs.namespace(|| "txs hash"), witness.txs_hash.0)?;
    let block_chain_hash = hash(
        cs.namespace(|| "block chain hash"),
        poseidon::block_chain(),
        vec![z[at::BLOCK_CHAIN_HASH].clone(), s.effects, txs_hash],
    )?;
    Ok(vec![
        height,
        s.cm_root,
        s.cm_size,
        s.nf_root,
        s.nf_size,
        anchors_root,
        s.supply,
        block_chain_hash,
    ])
}
