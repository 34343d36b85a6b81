//! The chain step circuit against the native executor (zkpsm-state) and the native transition
//! (zkpsm-transition): honest blocks satisfy it and give exactly the committed `z`, as the
//! transition does; a spent or repeated nullifier, an unknown anchor, fees beyond the supply and
//! every other broken rule leave a named constraint unsatisfied and fail the transition too; every
//! witness variable is constrained.

use bellpepper_core::ConstraintSystem;
use bellpepper_core::num::AllocatedNum;
use zkpsm_circuits::chain_step;
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_primitives::chain_step::{Digest, StepWitness};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::Nullifier;
use zkpsm_primitives::transaction::{Output, TxId};
use zkpsm_state::{BlockEffects, Committed, Store, TxEffects};
use zkpsm_test_support::placeholder_output;

const CAPACITY: usize = 2;

fn output(i: u64) -> Output {
    placeholder_output(7_000 + i)
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

/// A chain of four blocks:
/// 1. `[10, 20]`, `[30, 40]`;
/// 2. `[11, 29]` alone (the second slot is a no-op): low leaves 10 and 20;
/// 3. `[50, 60]`, `[51, 49]`: 51's low leaf is 50 and 49's is 40, which points at 50 by then;
/// 4. empty.
struct Chain {
    _dir: tempfile::TempDir,
    store: Store,
    states: Vec<Committed>,
}

fn chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    let genesis = store
        .init_genesis(
            b"genesis",
            &[output(0), output(1), output(2)],
            1000,
            CAPACITY as u32,
        )
        .unwrap();
    let mut states = vec![genesis];
    let blocks: [Vec<[u64; 2]>; 4] = [
        vec![[10, 20], [30, 40]],
        vec![[11, 29]],
        vec![[50, 60], [51, 49]],
        vec![],
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
    assert!(
        zkpsm_transition::apply(&chain.z(height - 1), witness).is_err(),
        "the native transition accepts what the circuit refuses"
    );
    let (cs, _) = record(&chain.z(height - 1), witness);
    cs.first_unsatisfied()
        .expect("the step must be unsatisfied")
        .to_owned()
}

#[test]
fn honest_blocks_give_the_committed_state() {
    let chain = chain();
    for height in 1..=4 {
        let (cs, z) = record(&chain.z(height - 1), &chain.witness(height));
        assert_eq!(cs.first_unsatisfied(), None, "block {height}");
        assert_eq!(z, chain.z(height).to_vec(), "block {height}");
        assert_eq!(
            zkpsm_transition::apply(&chain.z(height - 1), &chain.witness(height)),
            Ok(chain.z(height)),
            "block {height}"
        );
        if height == 1 {
            println!(
                "chain step, capacity {CAPACITY}: {} constraints",
                cs.num_constraints()
            );
        }
    }
    // The witness is pruned once folded.
    let (two, three) = (chain.witness(2), chain.witness(3));
    chain.store.prune_step_witnesses(2).unwrap();
    assert!(chain.store.step_witness(2).unwrap().is_none());
    assert!(chain.store.step_witness(3).unwrap().is_some());
    assert!(matches!(
        chain.store.step_witnesses(1, 3),
        Err(zkpsm_state::StateError::NoStepWitness(2))
    ));
    assert_eq!(chain.store.step_witnesses(2, 3).unwrap().len(), 1);
    assert_eq!(chain.store.kept_step_witnesses().unwrap(), 2);

    // A pruned witness is kept again only if it takes the state committed before its block to
    // the one committed at it.
    use zkpsm_state::StateError::{NotCommitted, Transition, TransitionMismatch};
    let restore = |height, witness: &StepWitness| chain.store.restore_step_witness(height, witness);
    // Block 3's witness does not even apply after block 1 (its paths are of other trees).
    assert!(matches!(restore(2, &three), Err(Transition(_))));
    // One that applies but lands elsewhere: block 2's with its transactions' digest changed.
    let mut other = two.clone();
    other.txs_hash = zkpsm_primitives::chain_step::Digest(Fq::from(5));
    assert!(matches!(restore(2, &other), Err(TransitionMismatch(2))));
    assert!(matches!(restore(0, &two), Err(TransitionMismatch(0))));
    assert!(matches!(restore(9, &two), Err(NotCommitted(9))));
    assert!(chain.store.step_witness(2).unwrap().is_none());
    restore(2, &two).unwrap();
    assert_eq!(chain.store.step_witness(2).unwrap(), Some(two));
    assert_eq!(chain.store.kept_step_witnesses().unwrap(), 3);

    // Told not to, the store keeps no witness, and still checks the transition of the block.
    chain.store.set_records_step_witnesses(false);
    let head = chain.states.last().unwrap();
    let block = BlockEffects {
        height: head.state.height + 1,
        block: vec![9],
        txs: vec![tx(head.state.cm_root.0, [70, 80], 3)],
        module_writes: Vec::new(),
        module_roots: Vec::new(),
    };
    let applied = chain.store.apply_block(&block).unwrap();
    assert_eq!(applied.state.height, 5);
    assert!(chain.store.step_witness(5).unwrap().is_none());
    assert_eq!(chain.store.kept_step_witnesses().unwrap(), 3);
}

#[test]
fn an_empty_slot_changes_nothing_whatever_its_witness() {
    let chain = chain();
    let mut w = chain.witness(2);
    // Garbage in the no-op slot: a nullifier, a commitment and a fee that would all matter.
    w.txs[1].nullifiers[0].nullifier = Digest(Fq::from(77));
    w.txs[1].commitments[0] = Digest(Fq::from(78));
    w.txs[1].fee = 5;
    let (cs, z) = record(&chain.z(1), &w);
    assert_eq!(cs.first_unsatisfied(), None);
    assert_eq!(z, chain.z(2).to_vec());
    assert_eq!(zkpsm_transition::apply(&chain.z(1), &w), Ok(chain.z(2)));
}

#[test]
fn the_transition_does_not_read_what_changes_nothing() {
    let chain = chain();
    // Paths of an empty slot's nullifiers that are not paths of the tree: the transition does not
    // read them (the slot changes no tree, and a zkVM guest is spared their hashing); the circuit,
    // whose shape is fixed, climbs them and refuses.
    let mut w = chain.witness(2);
    for insert in &mut w.txs[1].nullifiers {
        insert.low_path.siblings[0] = Digest(Fq::from(5));
    }
    assert_eq!(zkpsm_transition::apply(&chain.z(1), &w), Ok(chain.z(2)));
    assert!(record(&chain.z(1), &w).0.first_unsatisfied().is_some());
    // An empty block writes nothing into the trees: their groups' witnesses are not read either.
    let mut w = chain.witness(4);
    w.nullifier_append.existing[0] = Digest(Fq::from(5));
    w.commitment_append.first.siblings[0] = Digest(Fq::from(5));
    assert_eq!(zkpsm_transition::apply(&chain.z(3), &w), Ok(chain.z(4)));
    assert!(record(&chain.z(3), &w).0.first_unsatisfied().is_some());
    // What an empty block does change, its anchor's ring slot, is checked.
    let mut w = chain.witness(4);
    w.replaced_anchor = Digest(Fq::from(5));
    assert!(first_failure(&chain, 4, &w).contains("the replaced anchor is in its ring slot"));
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
    assert!(first_failure(&chain, 3, &w).contains("anchor is a recent anchor"));
    // An empty slot of the anchors tree does hash to its root, but holds no anchor: zero is refused.
    let mut w = chain.witness(3);
    w.txs[0].anchor = Digest(Fq::from(0));
    w.txs[0].anchor_path = w.new_anchor_path.clone();
    assert!(first_failure(&chain, 3, &w).contains("anchor is nonzero"));
}

#[test]
fn transactions_fill_the_first_slots() {
    let chain = chain();
    // Block 2 holds one transaction and a no-op: the no-op first does not pass.
    let mut w = chain.witness(2);
    w.txs.swap(0, 1);
    assert_eq!(
        zkpsm_transition::apply(&chain.z(1), &w),
        Err(zkpsm_transition::TransitionError::SlotsOutOfOrder(1))
    );
    let (cs, _) = record(&chain.z(1), &w);
    assert!(
        cs.unsatisfied()
            .iter()
            .any(|name| name.ends_with("slot 1/transactions fill the first slots")),
        "{:?}",
        cs.unsatisfied()
    );
}

#[test]
fn a_low_leaf_is_where_it_is() {
    let chain = chain();
    // In block 3, 60's low leaf is 50, inserted just before it: not in the tree yet.
    let mut w = chain.witness(3);
    assert_eq!(w.txs[0].nullifiers[1].low_in_block, Some(0));
    w.txs[0].nullifiers[1].low_in_block = None;
    assert!(
        first_failure(&chain, 3, &w).ends_with("nullifier 1/low leaf path is in the tree/a = b")
    );
    // 49's low leaf is 40, in the tree: it cannot be passed off as the pending leaf 50.
    let mut w = chain.witness(3);
    assert_eq!(w.txs[1].nullifiers[1].low_in_block, None);
    w.txs[1].nullifiers[1].low_in_block = Some(0);
    assert!(first_failure(&chain, 3, &w).contains("pending 0 is the low leaf: value"));
    // 51's low leaf is the pending 50, not the pending 60; and an empty slot has none.
    let mut w = chain.witness(3);
    assert_eq!(w.txs[1].nullifiers[0].low_in_block, Some(0));
    w.txs[1].nullifiers[0].low_in_block = Some(1);
    assert!(first_failure(&chain, 3, &w).contains("pending 1 is the low leaf: value"));
    let mut w = chain.witness(2);
    w.txs[1].nullifiers[1].low_in_block = Some(0);
    assert!(first_failure(&chain, 2, &w).contains("a pending low leaf only for an enabled slot"));
}

#[test]
fn batch_writes_and_the_anchor_ring_are_checked() {
    let chain = chain();
    // An empty slot of the note tree's group claimed to hold something ...
    let mut w = chain.witness(3);
    w.commitment_append.existing[3] = Digest(Fq::from(5));
    assert!(first_failure(&chain, 3, &w).contains("note commitments/first group is in the tree"));
    // ... a leaf of the nullifier tree's group changed, or the next group not empty ...
    let mut w = chain.witness(3);
    w.nullifier_append.existing[0] = Digest(Fq::from(5));
    assert!(first_failure(&chain, 3, &w).contains("nullifier leaves/first group is in the tree"));
    let mut w = chain.witness(3);
    w.nullifier_append.second.siblings[0] = Digest(Fq::from(5));
    assert!(first_failure(&chain, 3, &w).contains("nullifier leaves/second group is empty"));
    // ... or a wrong anchor replaced in the ring.
    let mut w = chain.witness(3);
    w.replaced_anchor = Digest(Fq::from(5));
    assert!(first_failure(&chain, 3, &w).contains("the replaced anchor is in its ring slot"));
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
    // A random perturbation, which no special structure of +1 can hide, leaves the same two.
    let mut rng = rand::rngs::OsRng;
    assert_eq!(
        cs.mutation_survivors_by(|_| <Fq as ff::Field>::random(&mut rng)),
        survivors
    );
}

#[test]
fn the_anchor_ring_wraps_around() {
    // Two blocks with transactions (roots r1, r2), then empty blocks past the ring's 256 slots.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    let mut states = vec![
        store
            .init_genesis(b"genesis", &[output(0)], 1000, CAPACITY as u32)
            .unwrap(),
    ];
    let apply = |states: &mut Vec<Committed>, txs: Vec<TxEffects>| {
        let height = states.len() as u64;
        let block = BlockEffects {
            height,
            block: vec![],
            txs,
            module_writes: Vec::new(),
            module_roots: Vec::new(),
        };
        let result = store.apply_block(&block);
        if let Ok(committed) = &result {
            states.push(*committed);
        }
        result
    };
    let anchor = |states: &Vec<Committed>, h: usize| states[h].state.cm_root.0;
    let r0 = anchor(&states, 0);
    apply(&mut states, vec![tx(r0, [10, 20], 1)]).unwrap();
    let r1 = anchor(&states, 1);
    apply(&mut states, vec![tx(r1, [30, 40], 1)]).unwrap();
    while states.len() < 262 {
        apply(&mut states, Vec::new()).unwrap();
    }
    // Block 257 wrote r2 over r1 in slot 1: r1 is no anchor any more, r2 still is.
    assert!(matches!(
        apply(&mut states, vec![tx(r1, [50, 60], 1)]),
        Err(zkpsm_state::StateError::UnknownAnchor(_))
    ));
    let r2 = anchor(&states, 261);
    apply(&mut states, vec![tx(r2, [50, 60], 1)]).unwrap();
    for height in [257u64, 262] {
        let w = store.step_witness(height).unwrap().unwrap();
        if height == 257 {
            assert_eq!(w.replaced_anchor.0, r1);
        }
        let z = states[height as usize - 1].state.z();
        let (cs, out) = record(&z, &w);
        assert_eq!(cs.first_unsatisfied(), None, "block {height}");
        assert_eq!(
            out,
            states[height as usize].state.z().to_vec(),
            "block {height}"
        );
    }
    // The step refuses r1 as an anchor too.
    let mut w = store.step_witness(262).unwrap().unwrap();
    w.txs[0].anchor = Digest(r1);
    assert_eq!(
        zkpsm_transition::apply(&states[261].state.z(), &w),
        Err(zkpsm_transition::TransitionError::AnchorNotRecent(0))
    );
    let (cs, _) = record(&states[261].state.z(), &w);
    assert!(
        cs.first_unsatisfied()
            .unwrap()
            .contains("anchor is a recent anchor")
    );
}

#[test]
fn a_range_of_blocks_states_its_ends() {
    let chain = chain();
    let witnesses: Vec<StepWitness> = (1..=3).map(|h| chain.witness(h)).collect();
    let s = zkpsm_transition::apply_range(&chain.z(0), &witnesses).unwrap();
    assert_eq!(
        (s.z_before, s.z_after, s.blocks),
        (chain.z(0), chain.z(3), 3)
    );
    let bytes = s.to_bytes();
    assert_eq!(bytes.len(), zkpsm_transition::range::RANGE_STATEMENT_BYTES);
    assert_eq!(
        zkpsm_transition::RangeStatement::from_bytes(&bytes),
        Some(s)
    );
    assert_eq!(
        zkpsm_transition::RangeStatement::from_bytes(&bytes[1..]),
        None
    );
    let mut non_canonical = bytes.clone();
    non_canonical[..32].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        zkpsm_transition::RangeStatement::from_bytes(&non_canonical),
        None
    );
    // Another order of the same blocks is another range, or none at all.
    let mut swapped = witnesses.clone();
    swapped.swap(1, 2);
    assert!(zkpsm_transition::apply_range(&chain.z(0), &swapped).is_err());
    // The digest covers the blocks' transaction ids.
    let mut other = witnesses;
    other[2].txs_hash = Digest(Fq::from(1));
    let t = zkpsm_transition::apply_range(&chain.z(0), &other).unwrap();
    assert_ne!(t.digest, s.digest);
}

/// The mutation test on blocks with empty slots: block 2's second slot, and both of block 4's.
/// An empty slot's witness changes nothing (see above), and exactly these of its variables are
/// free, none elsewhere:
/// - the inverses that exhibit "anchor is nonzero" and "nullifier is nonzero", which only a used
///   slot needs (`0 * inverse = 0` holds for any inverse);
/// - each nullifier's "next is infinity" inverse, as in a used slot whose low leaf points at
///   infinity;
/// - under `+1` only, the anchor path's first direction bit: its leaf and its sibling are both 0
///   in an empty slot, so either direction hashes the same, and a random perturbation breaks the
///   bit's booleanity instead.
///
/// The step's `z'` is public, so a free variable changes the witness, never what a step proves.
#[test]
fn mutation_on_blocks_with_empty_slots() {
    let chain = chain();
    let mut rng = rand::rngs::OsRng;
    for (height, empty_slots) in [(2, vec![1]), (4, vec![0, 1])] {
        let (cs, _) = record(&chain.z(height - 1), &chain.witness(height));
        assert_eq!(cs.first_unsatisfied(), None);
        let mut inverses = Vec::new();
        let mut bits = Vec::new();
        for slot in &empty_slots {
            inverses.push(format!("step/slot {slot}/anchor is nonzero/inverse/num"));
            for k in 0..2 {
                inverses.push(format!(
                    "step/slot {slot}/nullifier {k}/nullifier is nonzero/inverse/num"
                ));
                inverses.push(format!(
                    "step/slot {slot}/nullifier {k}/next is infinity/inverse/num"
                ));
            }
            bits.push(format!("step/slot {slot}/anchor path/index bit 0/boolean"));
        }
        let mut by_one = cs.mutation_survivors();
        by_one.sort();
        let mut expected: Vec<String> = inverses.iter().chain(&bits).cloned().collect();
        expected.sort();
        assert_eq!(by_one, expected, "block {height}, perturbed by one");
        let mut by_random = cs.mutation_survivors_by(|_| <Fq as ff::Field>::random(&mut rng));
        by_random.sort();
        inverses.sort();
        assert_eq!(by_random, inverses, "block {height}, perturbed at random");
    }
}
