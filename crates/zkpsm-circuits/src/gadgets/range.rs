//! Range checks: a value is in `[0, 2^64)`.

use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, LinearCombination, SynthesisError};
use ff::{Field, PrimeField};
use zkpsm_primitives::Fq;
use zkpsm_primitives::field::to_le_bits;

/// Allocates `n` boolean bits of `value` (least significant first) and enforces that they pack to it,
/// which proves `value < 2^n`. Returns the bits.
pub fn decompose<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    value: &AllocatedNum<Fq>,
    n: usize,
) -> Result<Vec<AllocatedBit>, SynthesisError> {
    let bits_of = value.get_value().map(|v| to_le_bits(&v));
    let bits = (0..n)
        .map(|i| AllocatedBit::alloc(cs.namespace(|| format!("bit {i}")), bits_of.map(|b| b[i])))
        .collect::<Result<Vec<_>, _>>()?;
    let packed = pack(&bits);
    cs.enforce(
        || "bits pack to the value",
        |_| packed,
        |lc| lc + CS::one(),
        |lc| lc + value.get_variable(),
    );
    Ok(bits)
}

/// `sum(bits[i] * 2^i)`, the number little-endian `bits` stand for, as a linear combination.
pub fn pack(bits: &[AllocatedBit]) -> LinearCombination<Fq> {
    let mut packed = LinearCombination::zero();
    let mut coeff = Fq::ONE;
    for bit in bits {
        packed = packed + (coeff, bit.get_variable());
        coeff = coeff.double();
    }
    packed
}

/// Enforces `value < 2^64`.
pub fn enforce_u64<CS: ConstraintSystem<Fq>>(
    cs: CS,
    value: &AllocatedNum<Fq>,
) -> Result<(), SynthesisError> {
    decompose(cs, value, 64).map(|_| ())
}

/// Allocates a witness value (or an error if it is missing during proving).
pub fn alloc<CS: ConstraintSystem<Fq>>(
    cs: CS,
    value: Option<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    AllocatedNum::alloc(cs, || value.ok_or(SynthesisError::AssignmentMissing))
}

/// The field element of a `u64` constant, as a linear-combination coefficient.
pub fn constant(v: u64) -> Fq {
    Fq::from_u128(u128::from(v))
}
