//! The 2-input 2-output spend circuit (docs/protocol.md).
//!
//! Public values, in order: `anchor, nf1, nf2, cm1, cm2, fee, binding`. For each input the circuit
//! proves knowledge of `ask, nk, rivk, d` giving the owner tag `own`, that the note opens its
//! commitment, that `(root(cm, path) - anchor) * value = 0` (so a dummy input is exactly one of value
//! 0), and that `nf = H(nk, cm, position)` with `position` packed from the path's own direction bits.
//! The two nullifiers differ. For each output it proves `cm = H(value, own, rcm)`. All values are
//! below 2^64 and `v_in1 + v_in2 = v_out1 + v_out2 + fee`. `binding` enters one constraint.

use crate::gadgets::compare::enforce_distinct;
use crate::gadgets::merkle;
use crate::gadgets::poseidon::hash;
use crate::gadgets::range::{alloc, decompose, enforce_u64};
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use ff::Field;
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::keys::{SpendAuthorizingKey, SpendingKey};
use zkpsm_primitives::merkle::{Anchor, DEPTH, MerklePath};
use zkpsm_primitives::note::{self, Note, NoteCommitment, Nullifier};
use zkpsm_primitives::poseidon;
use zkpsm_primitives::transaction::{ARITY, NUM_PUBLIC_VALUES, PublicValues};

/// The private witness of one spent note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputWitness {
    /// The spend authorizing key of the note's owner.
    pub ask: Fq,
    /// The owner's nullifier deriving key.
    pub nk: Fq,
    /// The owner's `rivk`.
    pub rivk: Fq,
    /// The note's diversifier, as a field element.
    pub d: Fq,
    /// The note's value (a field element, so tests can try values outside `u64`).
    pub value: Fq,
    /// The note's commitment randomness.
    pub rcm: Fq,
    /// The Merkle path of the note's commitment.
    pub path: MerklePath,
}

impl InputWitness {
    /// The witness of spending `note` at `path` with the owner's spending key.
    pub fn new(sk: &SpendingKey, note: &Note, path: MerklePath) -> Self {
        let fvk = sk.full_viewing_key();
        Self {
            ask: sk.spend_authorizing_key().0,
            nk: fvk.nk,
            rivk: fvk.rivk,
            d: note.recipient.d.to_field(),
            value: field::from_u64(note.value),
            rcm: note.rcm(),
            path,
        }
    }

    /// The owner tag this witness derives.
    pub fn own(&self) -> Fq {
        let ak = SpendAuthorizingKey(self.ask).ak();
        let ivk = poseidon::hash(poseidon::ivk(), &[ak, self.nk, self.rivk]);
        poseidon::hash(poseidon::own(), &[ivk, self.d])
    }

    /// The commitment of the note this witness opens.
    pub fn commitment(&self) -> NoteCommitment {
        NoteCommitment(poseidon::hash(
            poseidon::note_commitment(),
            &[self.value, self.own(), self.rcm],
        ))
    }

    /// The nullifier this witness publishes.
    pub fn nullifier(&self) -> Nullifier {
        note::nullifier(self.nk, self.commitment(), self.path.position)
    }
}

/// The private witness of one created note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputWitness {
    /// The value.
    pub value: Fq,
    /// The recipient's owner tag.
    pub own: Fq,
    /// The commitment randomness.
    pub rcm: Fq,
}

impl OutputWitness {
    /// The witness of creating `note`.
    pub fn new(note: &Note) -> Self {
        Self {
            value: field::from_u64(note.value),
            own: note.recipient.own,
            rcm: note.rcm(),
        }
    }

    /// The commitment of the created note.
    pub fn commitment(&self) -> NoteCommitment {
        NoteCommitment(poseidon::hash(
            poseidon::note_commitment(),
            &[self.value, self.own, self.rcm],
        ))
    }
}

/// The whole private witness of a spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpendWitness {
    /// The spent notes (a dummy has value 0 and any path).
    pub inputs: [InputWitness; ARITY],
    /// The created notes.
    pub outputs: [OutputWitness; ARITY],
}

impl SpendWitness {
    /// The public values an honest proof of this witness carries, for a given anchor, fee and binding.
    pub fn public_values(&self, anchor: Anchor, fee: u64, binding: Fq) -> PublicValues {
        PublicValues {
            anchor,
            nullifiers: [self.inputs[0].nullifier(), self.inputs[1].nullifier()],
            commitments: [self.outputs[0].commitment(), self.outputs[1].commitment()],
            fee,
            binding,
        }
    }

    /// A satisfiable witness of two dummy inputs and two zero-value outputs: the shape used for key
    /// generation.
    pub fn shape_example() -> Self {
        let sk = SpendingKey::from_bytes([0u8; 32]);
        let addr = sk.full_viewing_key().address_at(0);
        let dummy = |i: u8| Note {
            recipient: addr,
            value: 0,
            rseed: [i; 32],
        };
        Self {
            inputs: [
                InputWitness::new(&sk, &dummy(1), MerklePath::dummy(0)),
                InputWitness::new(&sk, &dummy(2), MerklePath::dummy(1)),
            ],
            outputs: [OutputWitness::new(&dummy(3)), OutputWitness::new(&dummy(4))],
        }
    }
}

/// The spend circuit: a witness and the public values it is claimed to prove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpendCircuit {
    /// The private witness.
    pub witness: SpendWitness,
    /// The claimed public values, in order.
    pub public: [Fq; NUM_PUBLIC_VALUES],
}

impl SpendCircuit {
    /// The circuit proving `witness` against the given public values.
    pub fn new(witness: SpendWitness, public: &PublicValues) -> Self {
        Self {
            witness,
            public: public.to_fields(),
        }
    }

    /// The circuit used for key generation (any satisfiable instance has the same shape).
    pub fn shape_example() -> Self {
        let witness = SpendWitness::shape_example();
        let public = witness.public_values(Anchor(Fq::ZERO), 0, Fq::ZERO);
        Self::new(witness, &public)
    }

    /// Synthesizes the circuit: allocates the public values as inputs, in order, then the witness.
    pub fn synthesize<CS: ConstraintSystem<Fq>>(&self, cs: &mut CS) -> Result<(), SynthesisError> {
        let inputs = self
            .public
            .iter()
            .enumerate()
            .map(|(i, v)| {
                AllocatedNum::alloc_input(cs.namespace(|| format!("public {i}")), || Ok(*v))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (anchor, nfs, cms, fee, binding) = (
            &inputs[0],
            &inputs[1..3],
            &inputs[3..5],
            &inputs[5],
            &inputs[6],
        );

        // The two nullifiers differ, so a transaction never spends one note twice: the circuit
        // does not rest on the stateless check for it.
        enforce_distinct(cs.namespace(|| "nullifiers differ"), &nfs[0], &nfs[1])?;

        let mut balance = bellpepper_core::LinearCombination::<Fq>::zero();
        for (i, input) in self.witness.inputs.iter().enumerate() {
            let mut cs = cs.namespace(|| format!("input {i}"));
            let value = spend_input(&mut cs, input, anchor, &nfs[i])?;
            balance = balance + value.get_variable();
        }
        for (j, output) in self.witness.outputs.iter().enumerate() {
            let mut cs = cs.namespace(|| format!("output {j}"));
            let value = create_output(&mut cs, output, &cms[j])?;
            balance = balance - value.get_variable();
        }
        enforce_u64(cs.namespace(|| "fee range"), fee)?;
        balance = balance - fee.get_variable();
        cs.enforce(
            || "value balance",
            |_| balance,
            |lc| lc + CS::one(),
            |lc| lc,
        );

        // binding enters one constraint: binding * binding = binding_squared.
        let squared = alloc(
            cs.namespace(|| "binding squared"),
            binding.get_value().map(|b| b.square()),
        )?;
        cs.enforce(
            || "binding is used",
            |lc| lc + binding.get_variable(),
            |lc| lc + binding.get_variable(),
            |lc| lc + squared.get_variable(),
        );
        Ok(())
    }
}

fn enforce_equal<CS: ConstraintSystem<Fq>>(
    cs: &mut CS,
    name: &'static str,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) {
    cs.enforce(
        || name,
        |lc| lc + a.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc + b.get_variable(),
    );
}

/// One spent note; returns its allocated value.
fn spend_input<CS: ConstraintSystem<Fq>>(
    cs: &mut CS,
    w: &InputWitness,
    anchor: &AllocatedNum<Fq>,
    nf_public: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let ask = alloc(cs.namespace(|| "ask"), Some(w.ask))?;
    let nk = alloc(cs.namespace(|| "nk"), Some(w.nk))?;
    let rivk = alloc(cs.namespace(|| "rivk"), Some(w.rivk))?;
    let d = alloc(cs.namespace(|| "d"), Some(w.d))?;
    let value = alloc(cs.namespace(|| "value"), Some(w.value))?;
    let rcm = alloc(cs.namespace(|| "rcm"), Some(w.rcm))?;

    let ak = hash(cs.namespace(|| "ak"), poseidon::ak(), vec![ask])?;
    let ivk = hash(
        cs.namespace(|| "ivk"),
        poseidon::ivk(),
        vec![ak, nk.clone(), rivk],
    )?;
    let own = hash(cs.namespace(|| "own"), poseidon::own(), vec![ivk, d])?;
    let cm = hash(
        cs.namespace(|| "cm"),
        poseidon::note_commitment(),
        vec![value.clone(), own, rcm],
    )?;

    let position = alloc(
        cs.namespace(|| "position"),
        Some(Fq::from(u64::from(w.path.position))),
    )?;
    let bits = decompose(cs.namespace(|| "position bits"), &position, DEPTH)?;
    let siblings = w
        .path
        .siblings
        .iter()
        .enumerate()
        .map(|(i, s)| alloc(cs.namespace(|| format!("sibling {i}")), Some(*s)))
        .collect::<Result<Vec<_>, _>>()?;
    let root = merkle::root(cs.namespace(|| "path"), &cm, &bits, &siblings)?;
    // (root - anchor) * value = 0: a note of non-zero value must be in the anchored tree.
    cs.enforce(
        || "root matches anchor unless value is 0",
        |lc| lc + root.get_variable() - anchor.get_variable(),
        |lc| lc + value.get_variable(),
        |lc| lc,
    );

    let nf = hash(
        cs.namespace(|| "nf"),
        poseidon::nullifier(),
        vec![nk, cm, position],
    )?;
    enforce_equal(cs, "nullifier is public", &nf, nf_public);
    enforce_u64(cs.namespace(|| "value range"), &value)?;
    Ok(value)
}

/// One created note; returns its allocated value.
fn create_output<CS: ConstraintSystem<Fq>>(
    cs: &mut CS,
    w: &OutputWitness,
    cm_public: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value = alloc(cs.namespace(|| "value"), Some(w.value))?;
    let own = alloc(cs.namespace(|| "own"), Some(w.own))?;
    let rcm = alloc(cs.namespace(|| "rcm"), Some(w.rcm))?;
    let cm = hash(
        cs.namespace(|| "cm"),
        poseidon::note_commitment(),
        vec![value.clone(), own, rcm],
    )?;
    enforce_equal(cs, "commitment is public", &cm, cm_public);
    enforce_u64(cs.namespace(|| "value range"), &value)?;
    Ok(value)
}
