//! End-to-end spend proofs with production parameters: a built transaction verifies; every kind of
//! forgery, tampering and replay is rejected. Keys are set up once for the whole test binary.

use rand::rngs::OsRng;
use std::sync::{Arc, OnceLock};
use zkpsm_circuits::spend::{InputWitness, OutputWitness, SpendCircuit, SpendWitness};
use zkpsm_primitives::chain_tx::ChainTx;
use zkpsm_primitives::fee::shielded_tx_bytes;
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::{Anchor, MemoryTree};
use zkpsm_primitives::note::{Note, NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::keys::SpendKeys;
use zkpsm_proofs::verifier::verify_proof;
use zkpsm_proofs::{ProofError, SPEND_PROOF_BYTES, SpendProver, VerifyContext, verify_transaction};
use zkpsm_wallet::{BuildError, Payment, SpendableNote, TransactionRequest, build_transaction};

const CHAIN: &str = "zkpsm-test";
const EXPIRY: u64 = 50;

struct Fixture {
    prover: SpendProver,
    sk: SpendingKey,
    notes: [Note; 2],
    tree: MemoryTree,
    tx: Transaction,
}

fn keys() -> Arc<SpendKeys> {
    SpendKeys::shared().expect("keys")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let prover = SpendProver::new(keys());
        let sk = SpendingKey::from_bytes([5; 32]);
        let fvk = sk.full_viewing_key();
        let notes = [
            Note::new(fvk.address_at(0), 700, &mut OsRng),
            Note::new(fvk.address_at(1), 300, &mut OsRng),
        ];
        let filler = |i: u64| NoteCommitment(Fq::from(77 + i));
        let tree = MemoryTree::new(&[
            filler(0),
            notes[0].commitment(),
            notes[1].commitment(),
            filler(1),
        ]);
        let request = request(&sk, &notes, &tree, 250);
        let tx =
            build_transaction(&sk, &request, &prover, &mut OsRng, &mut |_| {}).expect("builds");
        Fixture {
            prover,
            sk,
            notes,
            tree,
            tx,
        }
    })
}

fn request(
    sk: &SpendingKey,
    notes: &[Note; 2],
    tree: &MemoryTree,
    value: u64,
) -> TransactionRequest {
    let fvk = sk.full_viewing_key();
    TransactionRequest {
        chain_id: CHAIN.into(),
        expiry_height: EXPIRY,
        anchor: tree.root(),
        inputs: vec![
            SpendableNote {
                note: notes[0],
                path: tree.path(1).unwrap(),
            },
            SpendableNote {
                note: notes[1],
                path: tree.path(2).unwrap(),
            },
        ],
        payment: Payment {
            to: SpendingKey::from_bytes([6; 32])
                .full_viewing_key()
                .address_at(0),
            value,
            memo: [7; 512],
        },
        change_address: fvk.address_at(2),
        fee: 10,
    }
}

fn ctx() -> VerifyContext {
    VerifyContext {
        chain_id: CHAIN.into(),
        height: 10,
    }
}

fn rejects(tx: &Transaction, ctx: &VerifyContext) -> ProofError {
    verify_transaction(&keys(), tx, ctx).expect_err("must be rejected")
}

#[test]
fn a_built_transaction_verifies_and_round_trips() {
    let f = fixture();
    let public = verify_transaction(&keys(), &f.tx, &ctx()).expect("verifies");
    assert_eq!(public.anchor, f.tree.root());
    assert_eq!(public.fee, 10);
    let decoded = Transaction::decode(&f.tx.to_bytes()).expect("decodes");
    assert_eq!(&decoded, &f.tx);
    // Every proof has the pinned size, so a wallet prices a payment before proving it.
    assert_eq!(f.tx.proof.len(), SPEND_PROOF_BYTES);
    assert_eq!(
        shielded_tx_bytes(CHAIN, SPEND_PROOF_BYTES),
        ChainTx::Shielded(Box::new(f.tx.clone())).to_bytes().len()
    );
    verify_transaction(&keys(), &decoded, &ctx()).expect("decoded verifies");
    // The nullifiers are those of the spent notes (in some order).
    let nk = f.sk.full_viewing_key().nk;
    let mut expected = [f.notes[0].nullifier(nk, 1), f.notes[1].nullifier(nk, 2)];
    let mut got = f.tx.body.nullifiers;
    expected.sort_by_key(|n| n.to_bytes());
    got.sort_by_key(|n| n.to_bytes());
    assert_eq!(got, expected);
}

#[test]
fn tampered_proof_bytes_are_rejected() {
    let f = fixture();
    let len = f.tx.proof.len();
    for at in [0, 1, 40, len / 3, len / 2, len - 40, len - 1] {
        let mut tx = f.tx.clone();
        tx.proof[at] ^= 0x01;
        assert!(
            verify_transaction(&keys(), &tx, &ctx()).is_err(),
            "flip at {at} accepted"
        );
    }
    for proof in [
        vec![],
        vec![0u8; 10],
        f.tx.proof[..len - 1].to_vec(),
        [f.tx.proof.clone(), vec![0]].concat(),
    ] {
        let tx = Transaction {
            proof,
            ..f.tx.clone()
        };
        assert!(verify_transaction(&keys(), &tx, &ctx()).is_err());
    }
}

/// A bounded property test of the proof encoding (the unbounded search for decoding is
/// `scripts/fuzz`): random mutations of a real proof (a flipped bit, a cut, an inserted byte, a
/// run of 0xff that makes a length prefix huge, bytes appended) are decoded and verified; each is
/// refused with an error, and neither decoding nor verification panics.
#[test]
fn mutated_proofs_are_refused_without_panicking() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let f = fixture();
    let mut rng = StdRng::seed_from_u64(20);
    for case in 0..120 {
        let mut proof = f.tx.proof.clone();
        let at = rng.gen_range(0..proof.len());
        match case % 5 {
            0 => proof[at] ^= 1 << rng.gen_range(0..8),
            1 => proof.truncate(at),
            2 => proof.insert(at, rng.r#gen()),
            3 => proof[at..(at + 8).min(f.tx.proof.len())].fill(0xff),
            _ => proof.extend((0..rng.gen_range(1..64)).map(|_| rng.r#gen::<u8>())),
        }
        if proof == f.tx.proof {
            continue;
        }
        // Decoding alone either yields parts or an error.
        let _ = zkpsm_proofs::proof_parts(&proof);
        let tx = Transaction {
            proof,
            ..f.tx.clone()
        };
        assert!(
            verify_transaction(&keys(), &tx, &ctx()).is_err(),
            "mutant {case} (kind {}) at {at} accepted",
            case % 5
        );
    }
}

type Tamper = Box<dyn Fn(&mut Transaction)>;

#[test]
fn each_public_value_changed_is_rejected() {
    let f = fixture();
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "anchor",
            Box::new(|tx| tx.body.anchor = Anchor(tx.body.anchor.0 + Fq::from(1))),
        ),
        (
            "nf1",
            Box::new(|tx| tx.body.nullifiers[0] = Nullifier(Fq::from(12345))),
        ),
        (
            "nf2",
            Box::new(|tx| tx.body.nullifiers[1] = Nullifier(Fq::from(12345))),
        ),
        (
            "cm1",
            Box::new(|tx| tx.body.outputs[0].cm = NoteCommitment(Fq::from(9))),
        ),
        (
            "cm2",
            Box::new(|tx| tx.body.outputs[1].cm = NoteCommitment(Fq::from(9))),
        ),
        ("fee", Box::new(|tx| tx.body.fee -= 1)),
        (
            "binding",
            Box::new(|tx| tx.body.outputs[1].encrypted.enc_ct[3] ^= 1),
        ),
        (
            "binding",
            Box::new(|tx| tx.body.outputs[0].encrypted.out_ct[3] ^= 1),
        ),
        (
            "binding",
            Box::new(|tx| tx.body.outputs[0].encrypted.epk[0] ^= 1),
        ),
    ];
    for (name, change) in cases {
        let mut tx = f.tx.clone();
        change(&mut tx);
        match rejects(&tx, &ctx()) {
            ProofError::PublicValueMismatch(got) => assert_eq!(got, name),
            other => panic!("{name}: unexpected {other}"),
        }
    }
}

#[test]
fn replays_onto_other_bodies_chains_and_heights_are_rejected() {
    let f = fixture();
    // Another body: a second transaction's proof on the first one's body.
    let other = build_transaction(
        &f.sk,
        &request(&f.sk, &f.notes, &f.tree, 100),
        &f.prover,
        &mut OsRng,
        &mut |_| {},
    )
    .unwrap();
    verify_transaction(&keys(), &other, &ctx()).expect("the other transaction is valid");
    let moved = Transaction {
        body: f.tx.body.clone(),
        proof: other.proof.clone(),
    };
    assert!(matches!(
        rejects(&moved, &ctx()),
        ProofError::PublicValueMismatch(_)
    ));
    // Another chain: refused by context, and a body rewritten for that chain breaks the binding.
    let other_chain = VerifyContext {
        chain_id: "zkpsm-other".into(),
        height: 10,
    };
    assert!(matches!(
        rejects(&f.tx, &other_chain),
        ProofError::Invalid(_)
    ));
    let mut rewritten = f.tx.clone();
    rewritten.body.chain_id = "zkpsm-other".into();
    assert!(matches!(
        rejects(&rewritten, &other_chain),
        ProofError::PublicValueMismatch("binding")
    ));
    // Past its expiry: refused; a body with a later expiry breaks the binding.
    let late = VerifyContext {
        chain_id: CHAIN.into(),
        height: EXPIRY + 1,
    };
    assert!(matches!(rejects(&f.tx, &late), ProofError::Invalid(_)));
    verify_transaction(
        &keys(),
        &f.tx,
        &VerifyContext {
            height: EXPIRY,
            ..ctx()
        },
    )
    .expect("last height");
    let mut extended = f.tx.clone();
    extended.body.expiry_height = EXPIRY + 100;
    assert!(matches!(
        rejects(&extended, &late),
        ProofError::PublicValueMismatch("binding")
    ));
}

#[test]
fn the_same_note_twice_is_rejected() {
    let f = fixture();
    let path = f.tree.path(1).unwrap();
    let input = InputWitness::new(&f.sk, &f.notes[0], path);
    let out = |value: u64| Note::new(f.sk.full_viewing_key().address_at(3), value, &mut OsRng);
    // 700 + 700 = 1390 + 10: a note counted twice balances...
    let witness = SpendWitness {
        inputs: [input, input],
        outputs: [OutputWitness::new(&out(1390)), OutputWitness::new(&out(0))],
    };
    let mut tx = f.tx.clone();
    tx.body.nullifiers = [input.nullifier(), input.nullifier()];
    tx.body.outputs[0].cm = witness.outputs[0].commitment();
    tx.body.outputs[1].cm = witness.outputs[1].commitment();
    let circuit = SpendCircuit::new(witness, &tx.body.public_values());
    // ...but the circuit itself proves nf1 != nf2: the prover refuses, a proof forged past its
    // check does not verify even alone (before the stateless check), and the node refuses it.
    assert!(matches!(
        f.prover.prove(&circuit),
        Err(ProofError::Unsatisfied(_))
    ));
    if let Ok(forged) = f.prover.prove_unchecked(&circuit) {
        assert!(verify_proof(&keys(), &forged, &tx.body.public_values()).is_err());
        tx.proof = forged;
    }
    assert!(matches!(rejects(&tx, &ctx()), ProofError::Invalid(_)));
}

/// Proves a cheating witness without the prover's own check, and asserts no valid proof results.
fn forged_is_rejected(witness: SpendWitness, label: &str) {
    let f = fixture();
    let mut tx = f.tx.clone();
    tx.body.nullifiers = [witness.inputs[0].nullifier(), witness.inputs[1].nullifier()];
    tx.body.outputs[0].cm = witness.outputs[0].commitment();
    tx.body.outputs[1].cm = witness.outputs[1].commitment();
    let circuit = SpendCircuit::new(witness, &tx.body.public_values());
    assert!(
        matches!(f.prover.prove(&circuit), Err(ProofError::Unsatisfied(_))),
        "{label}"
    );
    let forged = f.prover.prove_unchecked(&circuit);
    eprintln!(
        "{label}: prover returned {}",
        if forged.is_ok() {
            "a proof"
        } else {
            "an error"
        }
    );
    if let Ok(proof) = forged {
        tx.proof = proof;
        assert!(
            verify_transaction(&keys(), &tx, &ctx()).is_err(),
            "{label}: forged proof accepted"
        );
    }
}

fn honest_witness() -> SpendWitness {
    let f = fixture();
    let out = |value: u64| Note::new(f.sk.full_viewing_key().address_at(3), value, &mut OsRng);
    SpendWitness {
        inputs: [
            InputWitness::new(&f.sk, &f.notes[0], f.tree.path(1).unwrap()),
            InputWitness::new(&f.sk, &f.notes[1], f.tree.path(2).unwrap()),
        ],
        outputs: [OutputWitness::new(&out(900)), OutputWitness::new(&out(90))],
    }
}

#[test]
fn forged_witnesses_give_no_valid_proof() {
    let f = fixture();
    let mut w = honest_witness();
    w.outputs[0].value += Fq::from(1);
    forged_is_rejected(w, "value from nothing");

    let mut w = honest_witness();
    w.outputs[0].value = -Fq::from(1);
    w.outputs[1].value = Fq::from(991);
    forged_is_rejected(w, "value of 2^64 or more");

    let mut w = honest_witness();
    w.inputs[0].path.siblings[0] += Fq::from(1);
    forged_is_rejected(w, "wrong Merkle path");

    let thief = SpendingKey::from_bytes([99; 32]);
    let mut w = honest_witness();
    w.inputs[1].ask = thief.spend_authorizing_key().0;
    forged_is_rejected(w, "someone else's note (wrong ask)");

    let mut w = honest_witness();
    w.inputs[1].nk = thief.full_viewing_key().nk;
    forged_is_rejected(w, "someone else's note (wrong nk)");

    let mut w = honest_witness();
    w.inputs[1].ask = f.sk.full_viewing_key().ak;
    forged_is_rejected(w, "full viewing key alone");
}

#[test]
fn builder_refuses_overspending_and_stale_paths() {
    let f = fixture();
    let over = request(&f.sk, &f.notes, &f.tree, 991);
    assert!(matches!(
        build_transaction(&f.sk, &over, &f.prover, &mut OsRng, &mut |_| {}),
        Err(BuildError::InsufficientFunds {
            have: 1000,
            need: 1001
        })
    ));
    let mut stale = request(&f.sk, &f.notes, &f.tree, 1);
    stale.anchor = MemoryTree::new(&[f.notes[0].commitment()]).root();
    assert!(matches!(
        build_transaction(&f.sk, &stale, &f.prover, &mut OsRng, &mut |_| {}),
        Err(BuildError::NotInTree(0))
    ));
}

/// 32 transactions from the fixture's notes, each paying a different value: 32 bodies, 32 proofs.
fn batch_of_32() -> &'static [Transaction] {
    static BATCH: OnceLock<Vec<Transaction>> = OnceLock::new();
    BATCH.get_or_init(|| {
        let f = fixture();
        let mut txs = vec![f.tx.clone()];
        for value in 100..131 {
            let request = request(&f.sk, &f.notes, &f.tree, value);
            txs.push(
                build_transaction(&f.sk, &request, &f.prover, &mut OsRng, &mut |_| {})
                    .expect("builds"),
            );
        }
        txs
    })
}

/// The batch's verdicts, with the indices of the refused transactions.
fn refused_in_batch(txs: &[Transaction]) -> Vec<usize> {
    let refs: Vec<&Transaction> = txs.iter().collect();
    zkpsm_proofs::verify_batch(&keys(), &refs, &ctx())
        .iter()
        .enumerate()
        .filter_map(|(i, verdict)| verdict.is_err().then_some(i))
        .collect()
}

#[test]
fn a_batch_of_32_honest_proofs_verifies() {
    let txs = batch_of_32();
    let refs: Vec<&Transaction> = txs.iter().collect();
    let verdicts = zkpsm_proofs::verify_batch(&keys(), &refs, &ctx());
    assert_eq!(verdicts.len(), 32);
    for (tx, verdict) in txs.iter().zip(verdicts) {
        let public = verdict.expect("an honest proof in a batch");
        assert_eq!(public, tx.body.public_values());
    }
}

#[test]
fn one_bad_proof_among_31_good_is_refused_and_named() {
    type Tamper = Box<dyn Fn(&mut Vec<Transaction>)>;
    let kinds: Vec<(&str, Tamper)> = vec![
        (
            // The lowest byte of the opening's last scalar: it still decodes, passes every check
            // but the batch's last equation, and only that equation catches it.
            "a tampered byte in the opening's last answer",
            Box::new(|txs| {
                let at = txs[7].proof.len() - 32;
                txs[7].proof[at] ^= 1;
            }),
        ),
        (
            "a tampered byte in the middle",
            Box::new(|txs| {
                let at = txs[7].proof.len() / 2;
                txs[7].proof[at] ^= 0x10;
            }),
        ),
        (
            "a proof moved to another body",
            Box::new(|txs| txs[7].proof = txs[8].proof.clone()),
        ),
        (
            "a wrong public value",
            Box::new(|txs| txs[7].body.anchor = Anchor(txs[7].body.anchor.0 + Fq::from(1))),
        ),
    ];
    for (kind, tamper) in kinds {
        let mut txs = batch_of_32().to_vec();
        tamper(&mut txs);
        assert_eq!(refused_in_batch(&txs), vec![7], "{kind}");
        // The bad one alone is refused the same way.
        assert!(
            verify_transaction(&keys(), &txs[7], &ctx()).is_err(),
            "{kind} verified alone"
        );
    }
}

#[test]
fn two_proofs_swapped_between_their_bodies_are_refused() {
    let mut txs = batch_of_32().to_vec();
    let proof = txs[3].proof.clone();
    txs[3].proof = txs[20].proof.clone();
    txs[20].proof = proof;
    assert_eq!(refused_in_batch(&txs), vec![3, 20]);
}

#[test]
fn a_batch_of_one_is_single_verification() {
    let f = fixture();
    let single = verify_transaction(&keys(), &f.tx, &ctx()).expect("verifies");
    let batch = zkpsm_proofs::verify_batch(&keys(), &[&f.tx], &ctx());
    assert_eq!(batch.len(), 1);
    assert_eq!(
        batch[0].as_ref().expect("verifies in a batch of one"),
        &single
    );
    let mut bad = f.tx.clone();
    let at = bad.proof.len() - 32;
    bad.proof[at] ^= 1;
    let single = verify_transaction(&keys(), &bad, &ctx()).expect_err("refused");
    let batch = zkpsm_proofs::verify_batch(&keys(), &[&bad], &ctx());
    assert_eq!(
        format!(
            "{:?}",
            batch[0].as_ref().expect_err("refused in a batch of one")
        ),
        format!("{single:?}")
    );
    assert!(zkpsm_proofs::verify_batch(&keys(), &[], &ctx()).is_empty());
}
