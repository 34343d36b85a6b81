//! Proving spends.

use crate::ProofError;
use crate::circuit::{E, SpartanSpend};
use crate::keys::{SpendKeys, SpendSnark};
use bincode::Options;
use spartan2::spartan_zk::SpartanPrepZkSNARK;
use spartan2::traits::snark::R1CSSNARKTrait;
use std::sync::{Arc, Mutex};
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_circuits::spend::SpendCircuit;
use zkpsm_primitives::transaction::MAX_PROOF_BYTES;

/// Encoding options of proofs: bounded, no trailing bytes.
pub(crate) fn proof_codec() -> impl Options + Clone {
    bincode::DefaultOptions::new().with_limit(MAX_PROOF_BYTES as u64)
}

/// Proves spends with shared keys, reusing spartan2's preprocessed state between proofs (it is
/// re-randomized for each proof).
pub struct SpendProver {
    keys: Arc<SpendKeys>,
    prep: Mutex<Option<SpartanPrepZkSNARK<E>>>,
}

impl SpendProver {
    /// A prover with these keys.
    pub fn new(keys: Arc<SpendKeys>) -> Self {
        Self {
            keys,
            prep: Mutex::new(None),
        }
    }

    /// The keys.
    pub fn keys(&self) -> &Arc<SpendKeys> {
        &self.keys
    }

    /// Proves the circuit and returns the serialized proof. The witness is checked first, so an
    /// unsatisfiable one is reported by name instead of producing a proof that will not verify.
    pub fn prove(&self, circuit: &SpendCircuit) -> Result<Vec<u8>, ProofError> {
        let mut cs = RecordingCs::default();
        circuit
            .synthesize(&mut cs)
            .map_err(|e| ProofError::Unsatisfied(e.to_string()))?;
        if let Some(name) = cs.first_unsatisfied() {
            return Err(ProofError::Unsatisfied(name.to_owned()));
        }
        self.prove_unchecked(circuit)
    }

    /// Proves without checking the witness first (a bad witness gives a proof that fails to verify).
    pub fn prove_unchecked(&self, circuit: &SpendCircuit) -> Result<Vec<u8>, ProofError> {
        let spartan = SpartanSpend {
            circuit: *circuit,
            commitment: self.keys.commitment,
        };
        let taken = self.prep.lock().map(|mut p| p.take()).unwrap_or(None);
        let prep = match taken {
            Some(prep) => prep,
            None => SpendSnark::prep_prove(&self.keys.pk, spartan.clone(), false)
                .map_err(|e| ProofError::Prover(e.to_string()))?,
        };
        let (snark, prep) = SpendSnark::prove(&self.keys.pk, spartan, prep, false)
            .map_err(|e| ProofError::Prover(e.to_string()))?;
        if let Ok(mut slot) = self.prep.lock() {
            *slot = Some(prep);
        }
        proof_codec()
            .serialize(&snark)
            .map_err(|e| ProofError::Prover(e.to_string()))
    }
}
