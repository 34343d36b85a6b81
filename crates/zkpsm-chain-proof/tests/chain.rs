//! The chain proof end to end, at step capacity 1: blocks applied by the executor are folded one
//! step each; the compressed proof verifies for exactly the committed state, step count and genesis;
//! anything else is rejected; a prover resumes from its saved state; a bad block cannot be folded.

use std::sync::OnceLock;
use std::time::Instant;
use zkpsm_chain_proof::{ChainParams, ChainProof, ChainProver, NovaTransitionProver};
use zkpsm_primitives::chain_step::{Digest, StepWitness};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::Nullifier;
use zkpsm_primitives::transaction::{Output, TxId};
use zkpsm_proofs::ProofError;
use zkpsm_state::{BlockEffects, Committed, Store, TxEffects};
use zkpsm_test_support::placeholder_output;
use zkpsm_transition::TransitionProver;

fn output(i: u64) -> Output {
    placeholder_output(9_000 + i)
}

/// A chain of `blocks` one-transaction blocks; `salt` makes chains differ.
fn chain(salt: u64, blocks: u64) -> (tempfile::TempDir, Store, Vec<Committed>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    let mut states = vec![store.init_genesis(b"g", &[output(salt)], 500, 1).unwrap()];
    for h in 1..=blocks {
        let nf = 100 * h + salt;
        let tx = TxEffects {
            txid: TxId([h as u8; 32]),
            anchor: Anchor(states.last().unwrap().state.cm_root.0),
            nullifiers: vec![Nullifier(Fq::from(nf)), Nullifier(Fq::from(nf + 1))],
            outputs: vec![output(nf), output(nf + 1)],
            fee: 2,
        };
        let block = BlockEffects {
            height: h,
            block: vec![h as u8],
            txs: vec![tx],
            module_writes: Vec::new(),
            module_roots: Vec::new(),
        };
        states.push(store.apply_block(&block).unwrap());
    }
    (dir, store, states)
}

/// The parameters at capacity 1, set up once for the tests of this binary.
fn params() -> &'static ChainParams {
    static PARAMS: OnceLock<ChainParams> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let t = Instant::now();
        let params = ChainParams::setup(1).unwrap();
        println!(
            "setup (capacity 1, {:?} constraints): {:?}",
            params.num_constraints(),
            t.elapsed()
        );
        params
    })
}

fn witness(store: &Store, height: u64) -> StepWitness {
    store.step_witness(height).unwrap().unwrap()
}

#[test]
fn chain_proof_end_to_end() {
    let params = params();
    let vk = params.verifier_key();
    let (_dir, store, states) = chain(0, 3);
    let z0 = states[0].state.z();

    let mut prover = ChainProver::new(z0);
    for h in 1..=2 {
        let t = Instant::now();
        prover.prove_step(params, witness(&store, h)).unwrap();
        println!("step {h}: {:?}", t.elapsed());
    }
    assert_eq!(prover.height(), 2);
    assert_eq!(prover.verify_folded(params).unwrap(), states[2].state.z());

    // The prover resumes from its saved state and folds on.
    let mut prover = ChainProver::from_bytes(&prover.to_bytes().unwrap()).unwrap();
    prover.prove_step(params, witness(&store, 3)).unwrap();
    assert_eq!(prover.state().unwrap(), states[3].state.z());

    let t = Instant::now();
    let proof = prover.compress(params).unwrap();
    println!(
        "compress: {:?}, {} bytes, vk {} bytes",
        t.elapsed(),
        proof.snark.len(),
        vk.encoded_len()
    );
    let t = Instant::now();
    vk.verify(&z0, &proof).unwrap();
    println!("verify: {:?}", t.elapsed());
    assert_eq!(proof.height, 3);
    assert_eq!(proof.state(), states[3].state.z());
    // The same check through the backend-neutral interface.
    let nova = NovaTransitionProver::new(params);
    assert_eq!(
        nova.verify_range(&z0, &proof).unwrap(),
        (states[3].state.z(), 3)
    );
    assert!(nova.verify_range(&states[1].state.z(), &proof).is_err());

    // Another z, another step count, another genesis, or tampered bytes: rejected.
    let mut other_z = proof.clone();
    other_z.z[1] = Digest(other_z.z[1].0 + Fq::from(1));
    assert!(matches!(
        vk.verify(&z0, &other_z),
        Err(ProofError::PublicValueMismatch("z"))
    ));
    let mut earlier = proof.clone();
    earlier.height = 2;
    earlier.z = states[2].state.z().map(Digest);
    assert!(vk.verify(&z0, &earlier).is_err());
    let (_other_dir, _, other_states) = chain(7, 1);
    assert!(vk.verify(&other_states[0].state.z(), &proof).is_err());
    // A byte changed anywhere (lengths and counts included) is an error, never a panic.
    for k in 0..16 {
        let mut tampered = proof.clone();
        let at = k * (tampered.snark.len() - 1) / 15;
        tampered.snark[at] ^= 0x41;
        assert!(vk.verify(&z0, &tampered).is_err(), "byte {at} changed");
    }
    let truncated = ChainProof {
        snark: proof.snark[..100].to_vec(),
        ..proof.clone()
    };
    assert!(matches!(
        vk.verify(&z0, &truncated),
        Err(ProofError::MalformedProof(_))
    ));
    assert!(vk.verify(&z0, &ChainProof { height: 0, ..proof }).is_err());
}

#[test]
fn a_block_that_breaks_the_rules_cannot_be_folded() {
    let params = params();
    let (_dir, store, states) = chain(3, 2);
    let mut prover = ChainProver::new(states[0].state.z());
    prover.prove_step(params, witness(&store, 1)).unwrap();
    // Block 2 re-reveals block 1's first nullifier.
    let mut w = witness(&store, 2);
    w.txs[0].nullifiers[0].nullifier =
        store.step_witness(1).unwrap().unwrap().txs[0].nullifiers[0].nullifier;
    let folded = prover
        .prove_step(params, w)
        .and_then(|()| prover.verify_folded(params));
    assert!(folded.is_err());
}
