//! Poseidon in R1CS with neptune's gadget and the very constants of the native hash.

use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use neptune::poseidon::Arity;
use zkpsm_primitives::Fq;
use zkpsm_primitives::poseidon::Constants;

/// `H(inputs)` in the domain of `constants`; `inputs.len()` must equal the arity.
pub fn hash<CS: ConstraintSystem<Fq>, A: Arity<Fq>>(
    cs: CS,
    constants: &Constants<A>,
    inputs: Vec<AllocatedNum<Fq>>,
) -> Result<AllocatedNum<Fq>, SynthesisError> {
    if inputs.len() != A::to_usize() {
        return Err(SynthesisError::Unsatisfiable);
    }
    neptune::circuit2::poseidon_hash_allocated(cs, inputs, constants)
}
