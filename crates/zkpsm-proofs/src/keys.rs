//! Proving and verifying keys of the spend circuit: generated deterministically from the circuit's
//! shape (no trusted setup) and shared in-process.
//!
//! Setup takes about a third of a second here, the same as reading the 40 MB of serialized keys back
//! from disk, so keys are not cached on disk: each process sets them up once.

use crate::ProofError;
use crate::circuit::{CommitmentLayout, E, SPEND_COMMITMENT, SpartanSpend};
use spartan2::spartan_zk::{SpartanProverKey, SpartanVerifierKey, SpartanZkSNARK};
use spartan2::traits::snark::{DigestHelperTrait, R1CSSNARKTrait};
use std::sync::{Arc, OnceLock};
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_circuits::spend::SpendCircuit;

/// The zero-knowledge SNARK used for spends.
pub type SpendSnark = SpartanZkSNARK<E>;

/// The spend circuit's keys.
pub struct SpendKeys {
    /// The prover's key.
    pub pk: SpartanProverKey<E>,
    /// The verifier's key.
    pub vk: SpartanVerifierKey<E>,
    /// The digest of the verifier's key, which genesis pins. It covers the commitment layout.
    pub vk_digest: [u8; 32],
    /// How the keys commit to the witness and open it.
    pub commitment: CommitmentLayout,
}

impl SpendKeys {
    /// Generates the keys from the circuit's shape, with the chain's commitment layout
    /// ([`SPEND_COMMITMENT`]).
    pub fn setup() -> Result<Self, ProofError> {
        Self::setup_with(SPEND_COMMITMENT)
    }

    /// Generates the keys with another commitment layout (a width that is not a power of two is
    /// an error). Only [`SPEND_COMMITMENT`]'s keys are the ones genesis pins: others serve to
    /// measure the trade-off.
    pub fn setup_with(commitment: CommitmentLayout) -> Result<Self, ProofError> {
        let circuit = SpartanSpend {
            circuit: SpendCircuit::shape_example(),
            commitment,
        };
        let (pk, vk) = SpendSnark::setup(circuit).map_err(|e| ProofError::Prover(e.to_string()))?;
        let vk_digest = vk.digest().map_err(|e| ProofError::Prover(e.to_string()))?;
        Ok(Self {
            pk,
            vk,
            vk_digest,
            commitment,
        })
    }

    /// The keys shared by this process, set up on first use.
    pub fn shared() -> Result<Arc<Self>, ProofError> {
        static KEYS: OnceLock<Arc<SpendKeys>> = OnceLock::new();
        if let Some(keys) = KEYS.get() {
            return Ok(keys.clone());
        }
        let keys = Arc::new(Self::setup()?);
        Ok(KEYS.get_or_init(|| keys).clone())
    }

    /// The verifier key digest as hex.
    pub fn vk_digest_hex(&self) -> String {
        hex::encode(self.vk_digest)
    }
}

/// The digest of the spend circuit's R1CS shape: any change to the circuit changes it.
pub fn shape_digest() -> [u8; 32] {
    let mut cs = RecordingCs::default();
    // The example is satisfiable by construction; a failure would show in the golden test.
    let _ = SpendCircuit::shape_example().synthesize(&mut cs);
    cs.shape_digest()
}
