//! Comparisons and selections: strict numeric order of field elements (on canonical 255-bit
//! decompositions), zero tests, conditional selection and conditional equality.

use bellpepper_core::boolean::{AllocatedBit, Boolean};
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use ff::Field;
use zkpsm_primitives::Fq;

/// The canonical little-endian bits of `x` (255 of them; the decomposition is unique because it is
/// checked to be below the modulus).
pub fn canonical_bits<CS: ConstraintSystem<Fq>>(
    cs: CS,
    x: &AllocatedNum<Fq>,
) -> Result<Vec<Boolean>, SynthesisError> {
    x.to_bits_le_strict(cs)
}

/// `[a < b]` as integers, from canonical little-endian bits of equal length. Two constraints per
/// bit: `lt_i = b_i (1 - a_i) + [a_i = b_i] lt_{i-1}`.
pub fn less_than<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    a: &[Boolean],
    b: &[Boolean],
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if a.len() != b.len() || a.is_empty() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let one = CS::one();
    let mut lt: Option<AllocatedNum<Fq>> = None;
    for (i, (ai, bi)) in a.iter().zip(b).enumerate() {
        let mut cs = cs.namespace(|| format!("bit {i}"));
        let both = Boolean::and(cs.namespace(|| "a and b"), ai, bi)?;
        let (av, bv) = (ai.get_value(), bi.get_value());
        let below = bv.zip(av).map(|(b, a)| b && !a);
        let equal = bv.zip(av).map(|(b, a)| b == a);
        let previous = lt.as_ref().map(|l| l.get_value());
        let value = match previous {
            None => below.map(|x| if x { Fq::ONE } else { Fq::ZERO }),
            Some(p) => below.zip(equal).zip(p).map(|((below, equal), p)| {
                if below {
                    Fq::ONE
                } else if equal {
                    p
                } else {
                    Fq::ZERO
                }
            }),
        };
        let next = AllocatedNum::alloc(cs.namespace(|| "lt"), || {
            value.ok_or(SynthesisError::AssignmentMissing)
        })?;
        // [a = b] = 1 - a - b + 2ab; b (1 - a) = b - ab.
        let equal_lc = |lc| {
            lc + one - &ai.lc(one, Fq::ONE) - &bi.lc(one, Fq::ONE) + &both.lc(one, Fq::ONE.double())
        };
        match &lt {
            None => cs.enforce(
                || "lt = b (1 - a)",
                |lc| lc + one,
                |lc| lc + &bi.lc(one, Fq::ONE) - &both.lc(one, Fq::ONE),
                |lc| lc + next.get_variable(),
            ),
            Some(previous) => cs.enforce(
                || "lt = b (1 - a) + [a = b] lt_prev",
                equal_lc,
                |lc| lc + previous.get_variable(),
                |lc| lc + next.get_variable() - &bi.lc(one, Fq::ONE) + &both.lc(one, Fq::ONE),
            ),
        }
        lt = Some(next);
    }
    lt.ok_or(SynthesisError::Unsatisfiable)
}

/// `[x = 0]`, a boolean number.
pub fn is_zero<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    x: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value = x.get_value();
    let inverse = AllocatedNum::alloc(cs.namespace(|| "inverse"), || {
        value
            .map(|v| v.invert().unwrap_or(Fq::ZERO))
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    let zero = AllocatedNum::alloc(cs.namespace(|| "is zero"), || {
        value
            .map(|v| {
                if v.is_zero_vartime() {
                    Fq::ONE
                } else {
                    Fq::ZERO
                }
            })
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "x * inverse = 1 - is_zero",
        |lc| lc + x.get_variable(),
        |lc| lc + inverse.get_variable(),
        |lc| lc + CS::one() - zero.get_variable(),
    );
    cs.enforce(
        || "x * is_zero = 0",
        |lc| lc + x.get_variable(),
        |lc| lc + zero.get_variable(),
        |lc| lc,
    );
    Ok(zero)
}

/// `if condition { a } else { b }`.
pub fn select<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    condition: &AllocatedBit,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value = condition
        .get_value()
        .zip(a.get_value())
        .zip(b.get_value())
        .map(|((c, a), b)| if c { a } else { b });
    let out = AllocatedNum::alloc(cs.namespace(|| "selected"), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "condition * (a - b) = out - b",
        |lc| lc + condition.get_variable(),
        |lc| lc + a.get_variable() - b.get_variable(),
        |lc| lc + out.get_variable() - b.get_variable(),
    );
    Ok(out)
}

/// `x` if `condition`, else 0: one constraint.
pub fn mask<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    condition: &AllocatedBit,
    x: &AllocatedNum<Fq>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value = condition
        .get_value()
        .zip(x.get_value())
        .map(|(c, x)| if c { x } else { Fq::ZERO });
    let out = AllocatedNum::alloc(cs.namespace(|| "masked"), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "condition * x = out",
        |lc| lc + condition.get_variable(),
        |lc| lc + x.get_variable(),
        |lc| lc + out.get_variable(),
    );
    Ok(out)
}

/// Enforces `a = b`.
pub fn enforce_equal<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) {
    cs.enforce(
        || "a = b",
        |lc| lc + a.get_variable() - b.get_variable(),
        |lc| lc + CS::one(),
        |lc| lc,
    );
}

/// Enforces `condition => a = b`.
pub fn equal_if<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    condition: &AllocatedBit,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) {
    cs.enforce(
        || "condition * (a - b) = 0",
        |lc| lc + condition.get_variable(),
        |lc| lc + a.get_variable() - b.get_variable(),
        |lc| lc,
    );
}

/// Enforces `a != b`, by exhibiting `(a - b) * inverse = 1`.
pub fn enforce_distinct<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    a: &AllocatedNum<Fq>,
    b: &AllocatedNum<Fq>,
) -> Result<(), SynthesisError> {
    let inverse = AllocatedNum::alloc(cs.namespace(|| "inverse"), || {
        a.get_value()
            .zip(b.get_value())
            .map(|(a, b)| (a - b).invert().unwrap_or(Fq::ZERO))
            .ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "(a - b) * inverse = 1",
        |lc| lc + a.get_variable() - b.get_variable(),
        |lc| lc + inverse.get_variable(),
        |lc| lc + CS::one(),
    );
    Ok(())
}

/// Enforces `condition => x != 0`, by exhibiting `x * inverse = condition`.
pub fn nonzero_if<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    condition: &AllocatedBit,
    x: &AllocatedNum<Fq>,
) -> Result<(), SynthesisError> {
    let value = x.get_value().zip(condition.get_value()).map(|(v, c)| {
        if c {
            v.invert().unwrap_or(Fq::ZERO)
        } else {
            Fq::ZERO
        }
    });
    let inverse = AllocatedNum::alloc(cs.namespace(|| "inverse"), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    cs.enforce(
        || "x * inverse = condition",
        |lc| lc + x.get_variable(),
        |lc| lc + inverse.get_variable(),
        |lc| lc + condition.get_variable(),
    );
    Ok(())
}
