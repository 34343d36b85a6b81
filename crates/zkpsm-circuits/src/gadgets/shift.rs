//! A barrel shifter: moves a list of values right by a number given in bits, so that values known
//! only as a block's new leaves land at the offsets the tree's size dictates.

use bellpepper_core::boolean::AllocatedBit;
use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use ff::Field;
use zkpsm_primitives::Fq;

/// A value of the shifter: a variable, or a slot known to be zero (which costs nothing).
pub type Cell = Option<AllocatedNum<Fq>>;

/// `out[i] = values[i - shift]` (zero where that index falls outside `values`) for `i` in
/// `0..len`, where `shift = sum(bits[k] * 2^k)`. One constraint per output cell and stage that
/// is not known to be zero.
pub fn shift_right<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    values: &[AllocatedNum<Fq>],
    bits: &[AllocatedBit],
    len: usize,
) -> Result<Vec<Cell>, SynthesisError> {
    let mut cells: Vec<Cell> = (0..len).map(|i| values.get(i).cloned()).collect();
    for (k, bit) in bits.iter().enumerate() {
        let step = 1usize << k;
        let mut next = Vec::with_capacity(len);
        for i in 0..len {
            let stay = cells[i].as_ref();
            let moved = i.checked_sub(step).and_then(|j| cells[j].as_ref());
            let cell = match (stay, moved) {
                (None, None) => None,
                (stay, moved) => Some(mux(
                    cs.namespace(|| format!("stage {k} cell {i}")),
                    bit,
                    stay,
                    moved,
                )?),
            };
            next.push(cell);
        }
        cells = next;
    }
    Ok(cells)
}

/// `if bit { moved } else { stay }`, either side possibly known zero: one constraint.
fn mux<CS: ConstraintSystem<Fq>>(
    mut cs: CS,
    bit: &AllocatedBit,
    stay: Option<&AllocatedNum<Fq>>,
    moved: Option<&AllocatedNum<Fq>>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    let value_of = |x: Option<&AllocatedNum<Fq>>| match x {
        Some(n) => n.get_value(),
        None => Some(Fq::ZERO),
    };
    let value = bit
        .get_value()
        .zip(value_of(stay))
        .zip(value_of(moved))
        .map(|((b, s), m)| if b { m } else { s });
    let out = AllocatedNum::alloc(cs.namespace(|| "out"), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })?;
    // bit * (moved - stay) = out - stay
    cs.enforce(
        || "out = bit ? moved : stay",
        |lc| lc + bit.get_variable(),
        |lc| {
            let lc = match moved {
                Some(m) => lc + m.get_variable(),
                None => lc,
            };
            match stay {
                Some(s) => lc - s.get_variable(),
                None => lc,
            }
        },
        |lc| {
            let lc = lc + out.get_variable();
            match stay {
                Some(s) => lc - s.get_variable(),
                None => lc,
            }
        },
    );
    Ok(out)
}
