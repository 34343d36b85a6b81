//! The spend circuit as a spartan2 circuit.

use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use spartan2::traits::Engine;
use spartan2::traits::circuit::SpartanCircuit;
use zkpsm_circuits::spend::SpendCircuit;
use zkpsm_primitives::Fq;

/// The proof engine: Pallas with Hyrax commitments; its scalar field is zkpsm's `Fq`.
pub type E = spartan2::provider::PallasHyraxEngine;

/// Adapts [`SpendCircuit`] to spartan2: everything is in the single `synthesize` phase; no shared
/// or precommitted witness, no verifier challenges.
#[derive(Clone, Debug)]
pub struct SpartanSpend(pub SpendCircuit);

impl<En: Engine<Scalar = Fq>> SpartanCircuit<En> for SpartanSpend {
    fn public_values(&self) -> Result<Vec<Fq>, SynthesisError> {
        Ok(self.0.public.to_vec())
    }

    fn shared<CS: ConstraintSystem<Fq>>(
        &self,
        _cs: &mut CS,
    ) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
        Ok(Vec::new())
    }

    fn precommitted<CS: ConstraintSystem<Fq>>(
        &self,
        _cs: &mut CS,
        _shared: &[AllocatedNum<Fq>],
    ) -> Result<Vec<AllocatedNum<Fq>>, SynthesisError> {
        Ok(Vec::new())
    }

    fn num_challenges(&self) -> usize {
        0
    }

    fn synthesize<CS: ConstraintSystem<Fq>>(
        &self,
        cs: &mut CS,
        _shared: &[AllocatedNum<Fq>],
        _precommitted: &[AllocatedNum<Fq>],
        _challenges: Option<&[Fq]>,
    ) -> Result<(), SynthesisError> {
        self.0.synthesize(cs)
    }
}
