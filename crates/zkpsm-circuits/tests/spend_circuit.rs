//! The spend circuit: an honest witness satisfies it; every way of cheating leaves a constraint
//! unsatisfied; every witness variable is constrained, whether perturbed by one or by a random
//! field element (mutation test); and each check alone stops a cheat, so deleting any one of them
//! lets that cheat through (constraint mutation test).

use ff::Field;
use rand::rngs::OsRng;
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_circuits::spend::{InputWitness, OutputWitness, SpendCircuit, SpendWitness};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::{Anchor, MemoryTree, MerklePath};
use zkpsm_primitives::note::{Note, NoteCommitment};
use zkpsm_primitives::transaction::PublicValues;

struct Fixture {
    sk: SpendingKey,
    notes: [Note; 2],
    tree: MemoryTree,
    witness: SpendWitness,
    public: PublicValues,
}

const FEE: u64 = 3;

fn fixture() -> Fixture {
    let sk = SpendingKey::from_bytes([3; 32]);
    let fvk = sk.full_viewing_key();
    let recipient = SpendingKey::from_bytes([4; 32])
        .full_viewing_key()
        .address_at(0);
    let notes = [
        Note {
            recipient: fvk.address_at(0),
            value: 70,
            rseed: [11; 32],
        },
        Note {
            recipient: fvk.address_at(1),
            value: 30,
            rseed: [12; 32],
        },
    ];
    let other = |i: u64| NoteCommitment(Fq::from(1000 + i));
    let tree = MemoryTree::new(&[
        other(0),
        notes[0].commitment(),
        other(1),
        notes[1].commitment(),
        other(2),
    ]);
    let outputs = [
        Note {
            recipient,
            value: 60,
            rseed: [13; 32],
        },
        Note {
            recipient: fvk.address_at(2),
            value: 37,
            rseed: [14; 32],
        },
    ];
    let witness = SpendWitness {
        inputs: [
            InputWitness::new(&sk, &notes[0], tree.path(1).unwrap()),
            InputWitness::new(&sk, &notes[1], tree.path(3).unwrap()),
        ],
        outputs: [
            OutputWitness::new(&outputs[0]),
            OutputWitness::new(&outputs[1]),
        ],
    };
    let public = witness.public_values(tree.root(), FEE, Fq::from(777));
    Fixture {
        sk,
        notes,
        tree,
        witness,
        public,
    }
}

fn record(witness: &SpendWitness, public: &PublicValues) -> RecordingCs {
    let mut cs = RecordingCs::default();
    SpendCircuit::new(*witness, public)
        .synthesize(&mut cs)
        .expect("synthesizes");
    cs
}

fn unsatisfied(witness: &SpendWitness, public: &PublicValues) -> Option<String> {
    record(witness, public)
        .first_unsatisfied()
        .map(str::to_owned)
}

/// The fixture's witness with its second input replaced by a note of value 5 in no tree, on a
/// dummy path ("dummy" only works for value 0), and its outputs rebalanced.
fn passed_off_as_dummy(f: &Fixture) -> SpendWitness {
    let fake = Note {
        value: 5,
        ..f.notes[1]
    };
    let mut w = f.witness;
    w.inputs[1] = InputWitness::new(&f.sk, &fake, MerklePath::dummy(0));
    w.outputs[1].value -= Fq::from(25);
    w
}

/// The fixture's witness spending its first note twice, its outputs rebalanced.
fn the_same_note_twice(f: &Fixture) -> SpendWitness {
    let mut w = f.witness;
    w.inputs[1] = w.inputs[0];
    w.outputs[1].value += Fq::from(40);
    w
}

/// The first failing constraint of a witness claimed with the public values it honestly derives.
fn unsatisfied_honest(f: &Fixture, w: &SpendWitness) -> Option<String> {
    unsatisfied(w, &w.public_values(f.public.anchor, FEE, f.public.binding))
}

#[test]
fn honest_witness_satisfies_and_shape_is_fixed() {
    let f = fixture();
    let cs = record(&f.witness, &f.public);
    assert_eq!(cs.first_unsatisfied(), None);
    assert_eq!(cs.inputs(), &f.public.to_fields());
    eprintln!(
        "spend circuit: {} constraints, {} witness variables",
        cs.num_constraints(),
        cs.num_aux()
    );
    // The shape does not depend on the witness.
    let example = SpendCircuit::shape_example();
    let mut shape = RecordingCs::default();
    example.synthesize(&mut shape).unwrap();
    assert_eq!(shape.first_unsatisfied(), None);
    assert_eq!(shape.shape_digest(), cs.shape_digest());
}

#[test]
fn mutation_of_any_witness_variable_is_caught() {
    let f = fixture();
    let cs = record(&f.witness, &f.public);
    // No variable is free: each is either a bit, a Poseidon state, a path node or a value that
    // some constraint pins down.
    assert_eq!(cs.mutation_survivors(), Vec::<String>::new());
    assert_eq!(
        cs.mutation_survivors_by(|_| Fq::random(OsRng)),
        Vec::<String>::new()
    );
    // The same holds with a dummy input, where the root is multiplied by a zero value.
    let mut w = f.witness;
    w.inputs[1] = InputWitness::new(
        &f.sk,
        &Note {
            value: 0,
            ..f.notes[1]
        },
        MerklePath::dummy(9),
    );
    w.outputs[1].value -= Fq::from(30);
    let public = w.public_values(f.public.anchor, FEE, f.public.binding);
    let cs = record(&w, &public);
    assert_eq!(cs.first_unsatisfied(), None);
    assert_eq!(cs.mutation_survivors(), Vec::<String>::new());
    assert_eq!(
        cs.mutation_survivors_by(|_| Fq::random(OsRng)),
        Vec::<String>::new()
    );
}

#[test]
fn the_same_note_twice_is_unsatisfiable() {
    let f = fixture();
    let w = the_same_note_twice(&f);
    let public = w.public_values(f.public.anchor, FEE, f.public.binding);
    assert_eq!(public.nullifiers[0], public.nullifiers[1]);
    assert_eq!(
        record(&w, &public).unsatisfied(),
        vec!["nullifiers differ/(a - b) * inverse = 1"]
    );
}

/// The constraints a cheat leaves unsatisfied, each of which must lie in the check named.
fn caught_only_by(check: &str, witness: &SpendWitness, public: &[Fq; 7]) {
    let mut cs = RecordingCs::default();
    SpendCircuit {
        witness: *witness,
        public: *public,
    }
    .synthesize(&mut cs)
    .unwrap();
    let unsatisfied = cs.unsatisfied();
    assert!(
        !unsatisfied.is_empty(),
        "{check}: the cheat satisfies the circuit"
    );
    assert!(
        unsatisfied.iter().all(|name| name.contains(check)),
        "{check}: {unsatisfied:?}"
    );
}

/// A constraint mutation test: for each check of the circuit, a cheat that only it stops.
/// Deleting any one check (the value and fee ranges, the anchor, the nullifier and commitment
/// bindings, the balance, distinct nullifiers) would let its cheat satisfy the circuit.
#[test]
fn each_check_alone_stops_a_cheat() {
    let f = fixture();
    let honest = |w: &SpendWitness| {
        w.public_values(f.public.anchor, FEE, f.public.binding)
            .to_fields()
    };
    // An output of p - 5, balanced in the field by a larger other output.
    let mut w = f.witness;
    w.outputs[0].value = -Fq::from(5);
    w.outputs[1].value = Fq::from(70 + 30 - FEE + 5);
    caught_only_by("output 0/value range", &w, &honest(&w));
    // A fee of p - 1, balanced in the field by a larger output.
    let mut w = f.witness;
    w.outputs[1].value += Fq::from(FEE + 1);
    let mut public = honest(&w);
    public[5] = -Fq::ONE;
    caught_only_by("fee range", &w, &public);
    // A note of value 5 in no tree, with a dummy path.
    let w = passed_off_as_dummy(&f);
    caught_only_by(
        "input 1/root matches anchor unless value is 0",
        &w,
        &honest(&w),
    );
    // The same note twice.
    let w = the_same_note_twice(&f);
    caught_only_by("nullifiers differ", &w, &honest(&w));
    // Value from nothing.
    let mut w = f.witness;
    w.outputs[0].value += Fq::ONE;
    caught_only_by("value balance", &w, &honest(&w));
    // A nullifier or a commitment other than the witness's.
    for (i, check) in [
        (1, "input 0/nullifier is public"),
        (2, "input 1/nullifier is public"),
        (3, "output 0/commitment is public"),
        (4, "output 1/commitment is public"),
    ] {
        let mut public = honest(&f.witness);
        public[i] += Fq::ONE;
        caught_only_by(check, &f.witness, &public);
    }
}

#[test]
fn value_from_nothing_is_unsatisfiable() {
    let f = fixture();
    let mut w = f.witness;
    w.outputs[0].value += Fq::ONE;
    assert_eq!(unsatisfied_honest(&f, &w).as_deref(), Some("value balance"));
    // Paying a lower fee than the balance says also fails.
    let public = f
        .witness
        .public_values(f.public.anchor, FEE - 1, f.public.binding);
    assert_eq!(
        unsatisfied(&f.witness, &public).as_deref(),
        Some("value balance")
    );
}

#[test]
fn values_of_2_pow_64_or_more_are_unsatisfiable() {
    let f = fixture();
    // An output of "-5" (p - 5) balanced by a larger other output: balances in the field.
    let mut w = f.witness;
    w.outputs[0].value = -Fq::from(5);
    w.outputs[1].value = Fq::from(70 + 30 - FEE + 5);
    let public = w.public_values(f.public.anchor, FEE, f.public.binding);
    let failed = unsatisfied(&w, &public).expect("must fail");
    assert!(failed.contains("output 0/value range"), "{failed}");
    // Exactly 2^64.
    let mut w = f.witness;
    let two64 = Fq::from(u64::MAX) + Fq::ONE;
    w.outputs[0].value = two64;
    w.outputs[1].value = Fq::from(97) - two64;
    assert!(
        unsatisfied_honest(&f, &w)
            .expect("must fail")
            .contains("value range")
    );
}

#[test]
fn wrong_path_or_anchor_is_unsatisfiable() {
    let f = fixture();
    let mut w = f.witness;
    w.inputs[0].path.siblings[4] += Fq::ONE;
    assert!(
        unsatisfied_honest(&f, &w)
            .unwrap()
            .contains("root matches anchor")
    );
    // The right path with the wrong direction bits (another position).
    let mut w = f.witness;
    w.inputs[0].path = f.tree.path(3).unwrap();
    assert!(
        unsatisfied_honest(&f, &w)
            .unwrap()
            .contains("root matches anchor")
    );
    // Another anchor.
    let mut public = f.public;
    public.anchor = Anchor(public.anchor.0 + Fq::ONE);
    assert!(
        unsatisfied(&f.witness, &public)
            .unwrap()
            .contains("root matches anchor")
    );
}

#[test]
fn someone_elses_note_is_unsatisfiable() {
    let f = fixture();
    let thief = SpendingKey::from_bytes([66; 32]);
    let thief_fvk = thief.full_viewing_key();
    // Wrong ask (the thief's), right everything else.
    let mut w = f.witness;
    w.inputs[0].ask = thief.spend_authorizing_key().0;
    assert!(
        unsatisfied_honest(&f, &w)
            .unwrap()
            .contains("root matches anchor")
    );
    // Wrong nk.
    let mut w = f.witness;
    w.inputs[0].nk = thief_fvk.nk;
    assert!(
        unsatisfied_honest(&f, &w)
            .unwrap()
            .contains("root matches anchor")
    );
}

#[test]
fn a_full_viewing_key_alone_cannot_spend() {
    let f = fixture();
    let fvk = f.sk.full_viewing_key();
    // The holder of the full viewing key knows ak, nk, rivk but not ask = H^-1(ak). Its best
    // attempts: ak itself, zero, or a guess in place of ask.
    for guess in [fvk.ak, Fq::ZERO, Fq::from(12345)] {
        let mut w = f.witness;
        w.inputs[0].ask = guess;
        assert!(unsatisfied_honest(&f, &w).is_some());
    }
}

#[test]
fn nonzero_note_passed_off_as_dummy_is_unsatisfiable() {
    let f = fixture();
    // A note that is in no tree, with value 5, with a dummy path: "dummy" only works for value 0.
    let w = passed_off_as_dummy(&f);
    assert!(
        unsatisfied_honest(&f, &w)
            .unwrap()
            .contains("root matches anchor")
    );
}

#[test]
fn nullifier_for_another_position_is_unsatisfiable() {
    let f = fixture();
    let mut public = f.public;
    public.nullifiers[0] = f.notes[0].nullifier(f.sk.full_viewing_key().nk, 2);
    assert_eq!(
        unsatisfied(&f.witness, &public).as_deref(),
        Some("input 0/nullifier is public")
    );
}

#[test]
fn every_public_value_is_bound() {
    let f = fixture();
    for i in 0..5 {
        let mut fields = f.public.to_fields();
        fields[i] += Fq::ONE;
        let mut cs = RecordingCs::default();
        SpendCircuit {
            witness: f.witness,
            public: fields,
        }
        .synthesize(&mut cs)
        .unwrap();
        assert!(
            cs.first_unsatisfied().is_some(),
            "public value {i} is not bound"
        );
    }
    // The fee is bound by the balance; binding enters the proof transcript (checked in zkpsm-proofs).
    let mut fields = f.public.to_fields();
    fields[5] += Fq::ONE;
    let mut cs = RecordingCs::default();
    SpendCircuit {
        witness: f.witness,
        public: fields,
    }
    .synthesize(&mut cs)
    .unwrap();
    assert_eq!(cs.first_unsatisfied(), Some("value balance"));
}
