//! The chain step circuit against the native executor (zkpsm-state): honest blocks satisfy it and
//! give exactly the committed `z`; a spent or repeated nullifier, an unknown anchor and fees beyond
//! the supply leave a named constraint unsatisfied; every witness variable is constrained.

use bellpepper_core::ConstraintSystem;
use bellpepper_core::num::AllocatedNum;
use zkpsm_circuits::chain_step;
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_primitives::chain_step::{Digest, StepWitness};
use zkpsm_primitives::encryption::{ENC_CIPHERTEXT_BYTES, EncryptedNote, OUT_CIPHERTEXT_BYTES};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::{Output, TxId};
use zkpsm_state::{BlockEffects, Committed, Store, TxEffects};

const CAPACITY: usize = 2;

fn output(i: u64) -> Output {
    Output {
        cm: NoteCommitment(Fq::from(7_000 + i)),
        encrypted: EncryptedNote {
            epk: [1; 32],
            enc_ct: [2; ENC_CIPHERTEXT_BYTES],
            out_ct: [3; OUT_CIPHERTEXT_BYTES],
        },
    }
}

fn tx(anchor: Fq, nfs: [u64; 2], fee: u64) -> TxEffects {
    TxEffects {
        txid: TxId([nfs[0] as u8; 32]),
        anchor: Anchor(anchor),
        nullifiers: nfs.iter().map(|n| Nullifier(Fq::from(*n))).collect(),
        outputs: vec![output(nfs[0]), output(nfs[1])],
        fee,
    }
}

/// A chain of three blocks:
/// 1. `[10, 20]`, `[30, 40]`;
/// 2. `[11, 29]` alone (the second slot is a no-op): low leaves 10 and 20;
/// 3. `[50, 60]`, `[51, 49]`: 51's low leaf is 50 and 49's is 40, which points at 50 by then.
struct Chain {
    _dir: tempfile::TempDir,
    store: Store,
    states: Vec<Committed>,
}

fn chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    let genesis = store
        .init_genesis(b"genesis", &[output(0), output(1), output(2)], 1000)
        .unwrap();
    let mut states = vec![genesis];
    let blocks: [Vec<[u64; 2]>; 3] = [
        vec![[10, 20], [30, 40]],
        vec![[11, 29]],
        vec![[50, 60], [51, 49]],
    ];
    for (i, nfs) in blocks.iter().enumerate() {
        let anchor = states[i].state.cm_root.0;
        let block = BlockEffects {
            height: i as u64 + 1,
            block: vec![i as u8],
            txs: nfs.iter().map(|n| tx(anchor, *n, 3)).collect(),
            module_writes: Vec::new(),
            module_roots: Vec::new(),
        };
        states.push(store.apply_block(&block).unwrap());
    }
    Chain {
        _dir: dir,
        store,
        states,
    }
}

impl Chain {
    fn witness(&self, height: u64) -> StepWitness {
        self.store
            .step_witness(height)
            .unwrap()
            .expect("witness kept")
            .padded(CAPACITY)
            .expect("within capacity")
    }

    fn z(&self, height: u64) -> [Fq; 8] {
        self.states[height as usize].state.z()
    }
}

/// Synthesizes one step with `z` as public inputs and `z'` made public too.
fn record(z: &[Fq; 8], witness: &StepWitness) -> (RecordingCs, Vec<Fq>) {
    let mut cs = RecordingCs::default();
    let z_in: Vec<AllocatedNum<Fq>> = z
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc_input(cs.namespace(|| format!("z {i}")), || Ok(*v)))
        .collect::<Result<_, _>>()
        .unwrap();
    let out = chain_step::synthesize(cs.namespace(|| "step"), witness, &z_in).unwrap();
    for (i, o) in out.iter().enumerate() {
        o.inputize(cs.namespace(|| format!("z' {i}"))).unwrap();
    }
    let values = out.iter().map(|o| o.get_value().unwrap()).collect();
    (cs, values)
}

fn first_failure(chain: &Chain, height: u64, witness: &StepWitness) -> String {
    let (cs, _) = record(&chain.z(height - 1), witness);
    cs.first_unsatisfied()
        .expect("the step must be unsatisfied")
        .to_owned()
}

#[test]
fn honest_blocks_give_the_committed_state() {
    let chain = chain();
    for height in 1..=3 {
        let (cs, z) = record(&chain.z(height - 1), &chain.witness(height));
        assert_eq!(cs.first_unsatisfied(), None, "block {height}");
        assert_eq!(z, chain.z(height).to_vec(), "block {height}");
        if height == 1 {
            println!(
                "chain step, capacity {CAPACITY}: {} constraints",
                cs.num_constraints()
            );
        }
    }
    // The witness is pruned once folded.
    chain.store.prune_step_witnesses(2).unwrap();
    assert!(chain.store.step_witness(2).unwrap().is_none());
    assert!(chain.store.step_witness(3).unwrap().is_some());
}

#[test]
fn an_empty_slot_changes_nothing_whatever_its_witness() {
    let chain = chain();
    let mut w = chain.witness(2);
    // Garbage in the no-op slot: a nullifier, a commitment and a fee that would all matter.
    w.txs[1].nullifiers[0].nullifier = Digest(Fq::from(77));
    w.txs[1].commitments[0].commitment = Digest(Fq::from(78));
    w.txs[1].fee = 5;
    let (cs, z) = record(&chain.z(1), &w);
    assert_eq!(cs.first_unsatisfied(), None);
    assert_eq!(z, chain.z(2).to_vec());
}

#[test]
fn a_spent_nullifier_cannot_be_inserted_again() {
    let chain = chain();
    // 10 was revealed in block 1: its leaf cannot be its own low leaf (10 < 10 fails) ...
    let mut w = chain.witness(2);
    w.txs[0].nullifiers[0].nullifier = Digest(Fq::from(10));
    assert!(first_failure(&chain, 2, &w).ends_with("above the low leaf/condition * (a - b) = 0"));
    // ... and its predecessor points at it (30 < 30 fails for the leaf 20 -> 30).
    let mut w = chain.witness(2);
    w.txs[0].nullifiers[1].nullifier = Digest(Fq::from(30));
    assert!(first_failure(&chain, 2, &w).ends_with("enabled => below the next leaf"));
}

#[test]
fn a_nullifier_cannot_repeat_within_a_block() {
    let chain = chain();
    // 50 is inserted by the first transaction of block 3; the second cannot insert it again,
    // neither above its own leaf nor below the leaf 40 that now points at it.
    let mut w = chain.witness(3);
    w.txs[1].nullifiers[0].nullifier = Digest(Fq::from(50));
    assert!(first_failure(&chain, 3, &w).ends_with("above the low leaf/condition * (a - b) = 0"));
    let mut w = chain.witness(3);
    w.txs[1].nullifiers[1].nullifier = Digest(Fq::from(50));
    assert!(first_failure(&chain, 3, &w).ends_with("enabled => below the next leaf"));
    // A zero nullifier is refused outright.
    let mut w = chain.witness(3);
    w.txs[1].nullifiers[1].nullifier = Digest(Fq::from(0));
    assert!(first_failure(&chain, 3, &w).contains("nullifier is nonzero"));
}

#[test]
fn an_anchor_must_be_a_root_of_the_chain() {
    let chain = chain();
    let mut w = chain.witness(3);
    w.txs[0].anchor = Digest(Fq::from(12345));
    assert!(first_failure(&chain, 3, &w).contains("anchor is in the anchors tree"));
    // An empty slot of the anchors tree does hash to its root, but holds no anchor: zero is refused.
    let mut w = chain.witness(3);
    w.txs[0].anchor = Digest(Fq::from(0));
    w.txs[0].anchor_path = w.new_anchor_path;
    assert!(first_failure(&chain, 3, &w).contains("anchor is nonzero"));
}

#[test]
fn fees_cannot_exceed_the_supply() {
    let chain = chain();
    let mut w = chain.witness(3);
    w.txs[0].fee = 5_000;
    assert!(first_failure(&chain, 3, &w).contains("supply >= 0"));
}

#[test]
fn mutation_of_any_witness_variable_is_caught() {
    let chain = chain();
    let (cs, _) = record(&chain.z(2), &chain.witness(3));
    assert_eq!(cs.first_unsatisfied(), None);
    // The only free variables: the inverse in the zero test of a low leaf's next value when that
    // value is 0 (+infinity), where `0 * inverse = 0` holds for any inverse. In block 3 that is
    // the case for 50 (low leaf 40) and 60 (low leaf 50).
    let survivors = cs.mutation_survivors();
    assert_eq!(survivors.len(), 2, "{survivors:?}");
    for name in &survivors {
        assert!(name.ends_with("next is infinity/inverse/num"), "{name}");
    }
}
