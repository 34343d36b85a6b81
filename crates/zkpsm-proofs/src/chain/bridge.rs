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
pub struct Bridge<'a, F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> {
    cs: &'a mut CS,
    /// A nova variable the next allocation stands for (see [`Bridge::import`]).
    alias: Option<nf::Variable>,
    _fields: PhantomData<(F1, F2)>,
}

impl<'a, F1: PrimeField, F2: PrimeField, CS: nf::ConstraintSystem<F1>> Bridge<'a, F1, F2, CS> {
    /// Wraps nova's constraint system.
    pub fn new(cs: &'a mut CS) -> Self {
        Self {
            cs,
            alias: None,
            _fields: PhantomData,
        }
    }

    /// The same variable as a bellpepper number: no new variable, no constraint.
    pub fn import(
        &mut self,
        z: &nf::num::AllocatedNum<F1>,
    ) -> Result<bp::num::AllocatedNum<F2>, nf::SynthesisError> {
        self.alias = Some(z.get_variable());
        let value: Option<F2> = z.get_value().map(|x| convert(&x));
        bp::num::AllocatedNum::alloc(&mut *self, || {
            value.ok_or(bp::SynthesisError::AssignmentMissing)
        })
        .map_err(error_to_nova)
    }

    /// The same variable as a nova number.
    pub fn export(&self, x: &bp::num::AllocatedNum<F2>) -> nf::num::AllocatedNum<F1> {
        nf::num::AllocatedNum::from_parts(
            to_nova(x.get_variable()),
            x.get_value().map(|v| convert(&v)),
        )
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
        // Only nova's root may push namespaces (its `Namespace` panics).
        nf::ConstraintSystem::push_namespace(nf::ConstraintSystem::get_root(self.cs), name_fn)
    }

    fn pop_namespace(&mut self) {
        nf::ConstraintSystem::pop_namespace(nf::ConstraintSystem::get_root(self.cs))
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}
