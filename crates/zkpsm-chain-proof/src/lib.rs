//! The chain proof: one Nova IVC step per block (nova-snark, Pallas/Vesta, IPA: no trusted setup),
//! folded into a `RecursiveSNARK` that never leaves the prover, and compressed on demand into a
//! zero-knowledge `CompressedSNARK` (Spartan over IPA; nova folds the instance with a random one
//! before compressing) of the whole chain: a constant-size proof that `z_n` is the result of `n`
//! valid steps from the genesis state `z_0`.
//!
//! Apart from the spend proofs (`zkpsm-proofs`, spartan2), so that what links a spend verifier (a
//! zkVM guest) needs no nova-snark.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bridge;
mod transition_prover;

pub use transition_prover::NovaTransitionProver;

use bridge::{Bridge, convert, error_to_nova};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use nova_snark::nova::{CompressedSNARK, ProverKey, PublicParams, RecursiveSNARK, VerifierKey};
use nova_snark::provider::ipa_pc::EvaluationEngine;
use nova_snark::provider::{PallasEngine, VestaEngine};
use nova_snark::spartan::snark::RelaxedR1CSSNARK;
use nova_snark::traits::Engine;
use nova_snark::traits::circuit::StepCircuit;
use nova_snark::traits::snark::RelaxedR1CSSNARKTrait;
use zkpsm_circuits::chain_step;
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{Digest, StepWitness, Z_LEN};
use zkpsm_primitives::field;
use zkpsm_proofs::ProofError;

/// The primary engine: its scalar field is the Pallas scalar field, our `Fq`.
type E1 = PallasEngine;
/// The secondary engine of the cycle.
type E2 = VestaEngine;
/// Nova's copy of `Fq` (another halo2curves version).
type NovaFq = <E1 as Engine>::Scalar;
type S1 = RelaxedR1CSSNARK<E1, EvaluationEngine<E1>>;
type S2 = RelaxedR1CSSNARK<E2, EvaluationEngine<E2>>;
/// The folded proof of the chain so far (its witness in the clear).
type Folded = RecursiveSNARK<E1, E2, ChainStepCircuit>;

/// Largest encoded compressed proof accepted for decoding.
const MAX_PROOF_BYTES: u64 = 1 << 20;

/// One block's step: the chain step circuit over a witness padded to the step's capacity.
#[derive(Clone, Debug)]
pub struct ChainStepCircuit {
    witness: StepWitness,
}

impl ChainStepCircuit {
    /// The step of one block, whose witness the executor made with `capacity` slots.
    pub fn new(witness: StepWitness, capacity: usize) -> Result<Self, ProofError> {
        if witness.capacity() != capacity {
            return Err(ProofError::Prover(format!(
                "a step witness of {} slots for a step capacity of {capacity}",
                witness.capacity()
            )));
        }
        Ok(Self { witness })
    }
}

impl StepCircuit<NovaFq> for ChainStepCircuit {
    fn arity(&self) -> usize {
        Z_LEN
    }

    fn synthesize<CS: ConstraintSystem<NovaFq>>(
        &self,
        cs: &mut CS,
        z: &[AllocatedNum<NovaFq>],
    ) -> Result<Vec<AllocatedNum<NovaFq>>, SynthesisError> {
        let mut bridge: Bridge<'_, NovaFq, Fq, CS> = Bridge::new(cs);
        let z = z
            .iter()
            .map(|x| bridge.import(x))
            .collect::<Result<Vec<_>, _>>()?;
        let out = chain_step::synthesize(
            bellpepper_core::ConstraintSystem::namespace(&mut bridge, || "chain step"),
            &self.witness,
            &z,
        )
        .map_err(error_to_nova)?;
        Ok(out.iter().map(|x| bridge.export(x)).collect())
    }
}

fn to_nova(z: &[Fq; Z_LEN]) -> Vec<NovaFq> {
    z.iter().map(convert).collect()
}

fn from_nova(z: &[NovaFq]) -> Result<[Fq; Z_LEN], ProofError> {
    let z: Vec<Fq> = z.iter().map(convert).collect();
    z.try_into()
        .map_err(|_| ProofError::BadProof("the proof's state has the wrong length".into()))
}

fn nova_error(what: &str) -> impl Fn(nova_snark::errors::NovaError) -> ProofError + '_ {
    move |e| ProofError::Prover(format!("{what}: {e}"))
}

/// Everything needed to prove and verify the chain at one step capacity: nova's public
/// parameters and the compressing SNARK's keys, all derived from the circuit (no setup ceremony).
pub struct ChainParams {
    capacity: usize,
    pp: PublicParams<E1, E2, ChainStepCircuit>,
    pk: ProverKey<E1, E2, ChainStepCircuit, S1, S2>,
    vk: ChainVerifierKey,
}

impl ChainParams {
    /// Derives the parameters for steps of `capacity` transactions (the genesis
    /// `max_txs_per_block`).
    pub fn setup(capacity: usize) -> Result<Self, ProofError> {
        let shape = ChainStepCircuit::new(StepWitness::blank(capacity), capacity)?;
        let pp = PublicParams::setup(&shape, &*S1::ck_floor(), &*S2::ck_floor())
            .map_err(nova_error("public parameters"))?;
        let (pk, vk) = CompressedSNARK::<_, _, _, S1, S2>::setup(&pp)
            .map_err(nova_error("compression keys"))?;
        let encoded = bincode::serialize(&vk).map_err(|e| ProofError::Prover(e.to_string()))?;
        let digest = *blake3::hash(&encoded).as_bytes();
        Ok(Self {
            capacity,
            pp,
            pk,
            vk: ChainVerifierKey { vk, digest },
        })
    }

    /// The step capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Constraints of the primary (step) and secondary circuits.
    pub fn num_constraints(&self) -> (usize, usize) {
        self.pp.num_constraints()
    }

    /// The verifier's key.
    pub fn verifier_key(&self) -> &ChainVerifierKey {
        &self.vk
    }

    /// The verifier's key alone, the rest dropped.
    pub fn into_verifier_key(self) -> ChainVerifierKey {
        self.vk
    }
}

/// The key a light client verifies compressed chain proofs with.
pub struct ChainVerifierKey {
    vk: VerifierKey<E1, E2, ChainStepCircuit, S1, S2>,
    digest: [u8; 32],
}

impl ChainVerifierKey {
    /// blake3 of the key's encoding.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The encoded size in bytes.
    pub fn encoded_len(&self) -> usize {
        bincode::serialized_size(&self.vk).map_or(0, |n| n as usize)
    }

    /// The key's encoding, whose blake3 is [`ChainVerifierKey::digest`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProofError> {
        bincode::serialize(&self.vk).map_err(|e| ProofError::Prover(e.to_string()))
    }

    /// Decodes a key from its encoding, refused unless the encoding's blake3 is `digest`.
    /// The digest guards against a damaged copy; it cannot tell a key of another circuit that
    /// was stored with its own digest.
    pub fn from_bytes(bytes: &[u8], digest: &[u8; 32]) -> Result<Self, ProofError> {
        if blake3::hash(bytes).as_bytes() != digest {
            return Err(ProofError::MalformedProof(
                "the verifier key's bytes do not match their digest".into(),
            ));
        }
        let vk = bincode::deserialize(bytes)
            .map_err(|e| ProofError::MalformedProof(format!("the verifier key: {e}")))?;
        Ok(Self {
            vk,
            digest: *digest,
        })
    }

    /// Verifies that `proof` attests `height` valid steps from `z0` ending in the state it claims.
    pub fn verify(&self, z0: &[Fq; Z_LEN], proof: &ChainProof) -> Result<(), ProofError> {
        if proof.height == 0 {
            return Err(ProofError::BadProof(
                "a chain proof covers at least one block".into(),
            ));
        }
        let steps = usize::try_from(proof.height)
            .map_err(|_| ProofError::BadProof("height out of range".into()))?;
        let snark: CompressedSNARK<E1, E2, ChainStepCircuit, S1, S2> = {
            use bincode::Options;
            bincode::options()
                .with_fixint_encoding()
                .with_limit(MAX_PROOF_BYTES)
                .deserialize(&proof.snark)
                .map_err(|e| ProofError::MalformedProof(e.to_string()))?
        };
        // The SNARK's bytes come from anyone (an API, the DA layer): a decoded proof whose parts
        // disagree in shape must be refused, not take the caller down if nova panics on it.
        let zn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            snark.verify(&self.vk, steps, &to_nova(z0))
        }))
        .map_err(|_| {
            ProofError::MalformedProof("the chain proof's verifier panicked on it".into())
        })?
        .map_err(|e| ProofError::BadProof(e.to_string()))?;
        let zn = from_nova(&zn)?;
        if zn != proof.state() {
            return Err(ProofError::PublicValueMismatch("z"));
        }
        Ok(())
    }
}

/// A compressed proof of the chain up to `height`: the state `z` it ends in and the SNARK.
#[derive(Clone, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct ChainProof {
    /// The number of blocks (steps) it covers.
    pub height: u64,
    /// The state after block `height`.
    pub z: [Digest; Z_LEN],
    /// The encoded `CompressedSNARK`.
    pub snark: Vec<u8>,
}

impl ChainProof {
    /// The claimed state as field elements.
    pub fn state(&self) -> [Fq; Z_LEN] {
        self.z.map(|d| d.0)
    }
}

/// Folds one step per block. Holds the `RecursiveSNARK`, whose witness is in the clear: it is
/// saved only to the prover's own disk, never served.
pub struct ChainProver {
    z0: [Fq; Z_LEN],
    snark: Option<Folded>,
}

impl ChainProver {
    /// A prover at genesis.
    pub fn new(z0: [Fq; Z_LEN]) -> Self {
        Self { z0, snark: None }
    }

    /// The genesis state it folds from.
    pub fn z0(&self) -> [Fq; Z_LEN] {
        self.z0
    }

    /// Blocks folded so far.
    pub fn height(&self) -> u64 {
        self.snark.as_ref().map_or(0, |s| s.num_steps() as u64)
    }

    /// The state after the last folded block.
    pub fn state(&self) -> Result<[Fq; Z_LEN], ProofError> {
        match &self.snark {
            Some(s) => from_nova(s.outputs()),
            None => Ok(self.z0),
        }
    }

    /// Folds the next block's step.
    pub fn prove_step(
        &mut self,
        params: &ChainParams,
        witness: StepWitness,
    ) -> Result<(), ProofError> {
        let circuit = ChainStepCircuit::new(witness, params.capacity)?;
        let snark = match &mut self.snark {
            Some(s) => s,
            // `new` synthesizes the first step; its first `prove_step` only counts it.
            None => self.snark.insert(
                RecursiveSNARK::new(&params.pp, &circuit, &to_nova(&self.z0))
                    .map_err(nova_error("first step"))?,
            ),
        };
        snark
            .prove_step(&params.pp, &circuit)
            .map_err(nova_error("step"))
    }

    /// Checks the folded proof in full (slow; for tests and after a restart).
    pub fn verify_folded(&self, params: &ChainParams) -> Result<[Fq; Z_LEN], ProofError> {
        let snark = self
            .snark
            .as_ref()
            .ok_or_else(|| ProofError::BadProof("nothing folded yet".into()))?;
        let zn = snark
            .verify(&params.pp, snark.num_steps(), &to_nova(&self.z0))
            .map_err(|e| ProofError::BadProof(e.to_string()))?;
        from_nova(&zn)
    }

    /// Compresses the folded proof into a zero-knowledge proof of the chain so far.
    pub fn compress(&self, params: &ChainParams) -> Result<ChainProof, ProofError> {
        let snark = self
            .snark
            .as_ref()
            .ok_or_else(|| ProofError::Prover("nothing folded yet".into()))?;
        let compressed = CompressedSNARK::<_, _, _, S1, S2>::prove(&params.pp, &params.pk, snark)
            .map_err(nova_error("compression"))?;
        Ok(ChainProof {
            height: self.height(),
            z: self.state()?.map(Digest),
            snark: bincode::serialize(&compressed)
                .map_err(|e| ProofError::Prover(e.to_string()))?,
        })
    }

    /// The prover's state, to resume after a restart (it contains the witness in the clear).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProofError> {
        bincode::serialize(&(self.z0.map(|x| field::to_bytes(&x)), &self.snark))
            .map_err(|e| ProofError::Prover(e.to_string()))
    }

    /// Restores [`ChainProver::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofError> {
        let malformed = |e: String| ProofError::MalformedProof(format!("prover state: {e}"));
        let (z0, snark): ([[u8; 32]; Z_LEN], Option<Folded>) =
            bincode::deserialize(bytes).map_err(|e| malformed(e.to_string()))?;
        let mut state = [Fq::from(0); Z_LEN];
        for (x, bytes) in state.iter_mut().zip(&z0) {
            *x = field::from_bytes(bytes, "z0").map_err(|e| malformed(e.to_string()))?;
        }
        Ok(Self { z0: state, snark })
    }
}
