//! The spend circuit as a spartan2 circuit.

use bellpepper_core::num::AllocatedNum;
use bellpepper_core::{ConstraintSystem, SynthesisError};
use spartan2::traits::Engine;
use spartan2::traits::circuit::SpartanCircuit;
use zkpsm_circuits::spend::SpendCircuit;
use zkpsm_primitives::Fq;

/// The proof engine: Pallas with Hyrax commitments; its scalar field is zkpsm's `Fq`.
pub type E = spartan2::provider::PallasHyraxEngine;

/// How the spend circuit's witness is committed to and opened: a Hyrax matrix of `width` columns,
/// opened with the linear or the logarithmic proof of dot product. The verifier key's digest
/// covers both, so genesis pins them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitmentLayout {
    /// Columns of the Hyrax matrix (a power of two).
    pub width: usize,
    /// Whether the opening is the logarithmic-size proof of dot product (`2·log2(width)` group
    /// elements) instead of the linear one (`width` scalars).
    pub log_opening: bool,
}

/// The layout the chain's spend keys use. The witness has 2^15 variables, so 1,024 columns make
/// 32 rows: the proof carries 32 row commitments and a log opening of 10 rounds (931 bytes, where
/// the linear opening at 2,048 columns was 65,668). Chosen by `zkpsm bench tx --widths`
/// (docs/benchmarks.md): 2,048 columns save 448 more bytes but prove 30% slower and verify slower,
/// 512 columns add 960 bytes for no faster verification.
pub const SPEND_COMMITMENT: CommitmentLayout = CommitmentLayout {
    width: 1024,
    log_opening: true,
};

/// The size of every spend proof under [`SPEND_COMMITMENT`] (its shape is fixed, and so are its
/// encoding's lengths): a wallet knows a payment's size, and so its fee, before it proves. Pinned
/// by the wallet's proof tests.
pub const SPEND_PROOF_BYTES: usize = 10_410;

/// Adapts [`SpendCircuit`] to spartan2: everything is in the single `synthesize` phase; no shared
/// or precommitted witness, no verifier challenges. The witness is committed to with the
/// `commitment` layout, which the keys are set up for.
#[derive(Clone, Debug)]
pub struct SpartanSpend {
    /// The spend circuit with its witness.
    pub circuit: SpendCircuit,
    /// How its witness is committed to and opened.
    pub commitment: CommitmentLayout,
}

impl<En: Engine<Scalar = Fq>> SpartanCircuit<En> for SpartanSpend {
    fn public_values(&self) -> Result<Vec<Fq>, SynthesisError> {
        Ok(self.circuit.public.to_vec())
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
        self.circuit.synthesize(cs)
    }

    fn commitment_width(&self) -> usize {
        self.commitment.width
    }

    fn log_size_opening(&self) -> bool {
        self.commitment.log_opening
    }
}
