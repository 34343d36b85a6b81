//! Runs circuits written against bellpepper-core over our `Fq` (halo2curves 0.10) inside
//! nova-snark's own constraint system over its `Fq` (halo2curves 0.9): the same field in two crate
//! versions, converted through the canonical 32-byte little-endian encoding at this one boundary.
//! Variables map one to one (`Input(0)` is the constant one in both).

use bellpepper_core as bp;
use ff::PrimeField;
use nova_snark::frontend as nf;
use std::marker::PhantomData;

/// Converts between two implementations of the same prime field through the canonical encoding.
///
/// # Panics
/// If the moduli differ: the types this module is instantiated with are both the Pallas scalar
/// field, so every canonical encoding of one is canonical in the other.
pub fn convert<A: PrimeField, B: PrimeField>(a: &A) -> B {
    let mut repr = B::Repr::default();
    repr.as_mut().copy_from_slice(a.to_repr().as_ref());
    Option::from(B::from_repr(repr)).expect("both types are the Pallas scalar field")
}

fn to_nova(v: bp::Variable) -> nf::Variable {
    nf::Variable::new_unchecked(match v.get_unchecked() {
        bp::Index::Input(i) => nf::Index::Input(i),
        bp::Index::Aux(i) => nf::Index::Aux(i),
    })
}

fn from_nova(v: nf::Variable) -> bp::Variable {
    bp::Variable::new_unchecked(match v.get_unchecked() {
        nf::Index::Input(i) => bp::Index::Input(i),
        nf::Index::Aux(i) => bp::Index::Aux(i),
    })
}

/// A bellpepper synthesis error as nova's.
pub fn error_to_nova(e: bp::SynthesisError) -> nf::SynthesisError {
    match e {
        bp::SynthesisError::AssignmentMissing => nf::SynthesisError::AssignmentMissing,
        bp::SynthesisError::DivisionByZero => nf::SynthesisError::DivisionByZero,
        other => nf::SynthesisError::Unsatisfiable(other.to_string()),
    }
}

fn error_from_nova(e: nf::SynthesisError) -> bp::SynthesisError {
    match e {
        nf::SynthesisError::AssignmentMissing => bp::SynthesisError::AssignmentMissing,
        nf::SynthesisError::DivisionByZero => bp::SynthesisError::DivisionByZero,
        _ => bp::SynthesisError::Unsatisfiable,
    }
}

fn lc_to_nova<F1: PrimeField, F2: PrimeField>(
    mut acc: nf::LinearCombination<F1>,
    lc: &bp::LinearCombination<F2>,
) -> nf::LinearCombination<F1> {
    for (v, c) in lc.iter() {
        acc = acc + (convert::<F2, F1>(c), to_nova(v));
    }
    acc
}

/// bellpepper-core's `ConstraintSystem<F2>` on top of nova's `ConstraintSystem<F1>`.
///
/// When nova only generates the witness, the bridge is a witness generator too, so gadgets that
/// have a fast witness path (neptune's Poseidon computes its round values directly into slots
/// from `allocate_empty`) take it: the slots are handed over to nova, converted, before the next
/// call reaches it.
pub struct Bridge<'a, F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> {
    cs: &'a mut CS,
    /// A nova variable the next allocation stands for (see [`Bridge::import`]).
    alias: Option<nf::Variable>,
    /// Witness values a gadget wrote through `allocate_empty`, not yet handed to nova.
    pending_aux: Vec<F2>,
    /// Input slots of `allocate_empty`: a step circuit has no inputs of its own, so they stay
    /// unused (the bridge refuses `alloc_input` too).
    unused_inputs: Vec<F2>,
    _fields: PhantomData<(F1, F2)>,
}

impl<'a, F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> Bridge<'a, F1, F2, CS> {
    /// Wraps nova's constraint system.
    pub fn new(cs: &'a mut CS) -> Self {
        Self {
            cs,
            alias: None,
            pending_aux: Vec::new(),
            unused_inputs: Vec::new(),
            _fields: PhantomData,
        }
    }

    /// Hands the witness values written through `allocate_empty` over to nova.
    fn flush(&mut self) {
        if !self.pending_aux.is_empty() {
            let values: Vec<F1> = self.pending_aux.drain(..).map(|v| convert(&v)).collect();
            self.cs.extend_aux(&values);
        }
    }

    /// The same variable as a bellpepper number: no new variable, no constraint.
    pub fn import(
        &mut self,
        z: &nf::num::AllocatedNum<F1>,
    ) -> Result<bp::num::AllocatedNum<F2>, nf::SynthesisError> {
        self.flush();
        self.alias = Some(z.get_variable());
        let value: Option<F2> = z.get_value().map(|x| convert(&x));
        bp::num::AllocatedNum::alloc(&mut *self, || {
            value.ok_or(bp::SynthesisError::AssignmentMissing)
        })
        .map_err(error_to_nova)
    }

    /// The same variable as a nova number.
    pub fn export(&mut self, x: &bp::num::AllocatedNum<F2>) -> nf::num::AllocatedNum<F1> {
        self.flush();
        nf::num::AllocatedNum::from_parts(
            to_nova(x.get_variable()),
            x.get_value().map(|v| convert(&v)),
        )
    }
}

impl<F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> Drop for Bridge<'_, F1, F2, CS> {
    fn drop(&mut self) {
        self.flush();
    }
}

impl<F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> bp::ConstraintSystem<F2>
    for Bridge<'_, F1, F2, CS>
{
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, annotation: A, f: F) -> Result<bp::Variable, bp::SynthesisError>
    where
        F: FnOnce() -> Result<F2, bp::SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.flush();
        if let Some(v) = self.alias.take() {
            // The value is the imported variable's; evaluating it lets the number record it (an
            // error while only the shape is synthesized is expected).
            let _ = f();
            return Ok(from_nova(v));
        }
        self.cs
            .alloc(annotation, || {
                f().map(|v| convert::<F2, F1>(&v)).map_err(error_to_nova)
            })
            .map(from_nova)
            .map_err(error_from_nova)
    }

    fn alloc_input<F, A, AR>(&mut self, _: A, _: F) -> Result<bp::Variable, bp::SynthesisError>
    where
        F: FnOnce() -> Result<F2, bp::SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        // A Nova step circuit has no public inputs of its own: z is its interface.
        Err(bp::SynthesisError::Unsatisfiable)
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, annotation: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(bp::LinearCombination<F2>) -> bp::LinearCombination<F2>,
        LB: FnOnce(bp::LinearCombination<F2>) -> bp::LinearCombination<F2>,
        LC: FnOnce(bp::LinearCombination<F2>) -> bp::LinearCombination<F2>,
    {
        self.flush();
        if self.cs.is_witness_generator() {
            // Nova's witness generator ignores constraints: skip translating them.
            return;
        }
        let a = a(bp::LinearCombination::zero());
        let b = b(bp::LinearCombination::zero());
        let c = c(bp::LinearCombination::zero());
        self.cs.enforce(
            annotation,
            |lc| lc_to_nova(lc, &a),
            |lc| lc_to_nova(lc, &b),
            |lc| lc_to_nova(lc, &c),
        );
    }

    fn push_namespace<NR, N>(&mut self, name_fn: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        self.flush();
        // Only nova's root may push namespaces (its `Namespace` panics).
        nf::ConstraintSystem::push_namespace(nf::ConstraintSystem::get_root(self.cs), name_fn)
    }

    fn pop_namespace(&mut self) {
        self.flush();
        nf::ConstraintSystem::pop_namespace(nf::ConstraintSystem::get_root(self.cs))
    }

    fn is_witness_generator(&self) -> bool {
        self.cs.is_witness_generator()
    }

    fn allocate_empty(&mut self, aux_n: usize, inputs_n: usize) -> (&mut [F2], &mut [F2]) {
        self.flush();
        self.pending_aux.resize(aux_n, F2::ZERO);
        self.unused_inputs.clear();
        self.unused_inputs.resize(inputs_n, F2::ZERO);
        (&mut self.pending_aux[..], &mut self.unused_inputs[..])
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}
