//! Native and in-circuit Poseidon, note commitments and nullifiers agree with each other and with
//! the test vectors committed in `tests/vectors/poseidon.json`.
//!
//! To regenerate the file after a deliberate change of construction, run with `ZKPSM_BLESS=1`.

use bellpepper_core::ConstraintSystem;
use bellpepper_core::num::AllocatedNum;
use ff::Field;
use serde::{Deserialize, Serialize};
use zkpsm_circuits::gadgets::poseidon::hash;
use zkpsm_circuits::inspect::RecordingCs;
use zkpsm_primitives::field::{self, Fq};
use zkpsm_primitives::note::{self, NoteCommitment};
use zkpsm_primitives::poseidon::{self, Constants};

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Vector {
    domain: String,
    inputs: Vec<String>,
    output: String,
}

fn fq(i: u64) -> Fq {
    // Spread-out, full-width inputs.
    Fq::from(i).pow_vartime([0x1234_5678_9abc_def1 ^ i])
}

fn in_circuit<A: neptune::poseidon::Arity<Fq>>(constants: &Constants<A>, inputs: &[Fq]) -> Fq {
    let mut cs = RecordingCs::default();
    let vars = inputs
        .iter()
        .enumerate()
        .map(|(i, v)| AllocatedNum::alloc(cs.namespace(|| format!("in {i}")), || Ok(*v)).unwrap())
        .collect();
    let out = hash(cs.namespace(|| "hash"), constants, vars).unwrap();
    assert_eq!(cs.first_unsatisfied(), None);
    out.get_value().unwrap()
}

fn compute() -> Vec<Vector> {
    let mut vectors = Vec::new();
    let mut push = |domain: &str, inputs: Vec<Fq>, native: Fq, circuit: Fq| {
        assert_eq!(native, circuit, "native and in-circuit {domain} differ");
        vectors.push(Vector {
            domain: domain.into(),
            inputs: inputs.iter().map(field::to_hex).collect(),
            output: field::to_hex(&native),
        });
    };
    for k in 0..3u64 {
        let a = [fq(10 * k + 1)];
        push(
            "ak",
            a.to_vec(),
            poseidon::hash(poseidon::ak(), &a),
            in_circuit(poseidon::ak(), &a),
        );
        let b = [fq(10 * k + 2), fq(10 * k + 3)];
        push(
            "own",
            b.to_vec(),
            poseidon::hash(poseidon::own(), &b),
            in_circuit(poseidon::own(), &b),
        );
        push(
            "merkle_node",
            b.to_vec(),
            poseidon::hash(poseidon::merkle_node(), &b),
            in_circuit(poseidon::merkle_node(), &b),
        );
        let c = [fq(10 * k + 4), fq(10 * k + 5), fq(10 * k + 6)];
        push(
            "ivk",
            c.to_vec(),
            poseidon::hash(poseidon::ivk(), &c),
            in_circuit(poseidon::ivk(), &c),
        );
        // Note commitment and nullifier through the primitives' own API.
        let value = 1000 * k + 7;
        let cm = note::commit(value, c[0], c[1]);
        let cm_inputs = [Fq::from(value), c[0], c[1]];
        push(
            "note_commitment",
            cm_inputs.to_vec(),
            cm.0,
            in_circuit(poseidon::note_commitment(), &cm_inputs),
        );
        let position = 5 + k as u32;
        let nf = note::nullifier(c[2], NoteCommitment(cm.0), position);
        let nf_inputs = [c[2], cm.0, Fq::from(u64::from(position))];
        push(
            "nullifier",
            nf_inputs.to_vec(),
            nf.0,
            in_circuit(poseidon::nullifier(), &nf_inputs),
        );
    }
    vectors
}

#[test]
fn native_and_circuit_match_committed_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/poseidon.json");
    let computed = compute();
    if std::env::var_os("ZKPSM_BLESS").is_some() {
        std::fs::write(
            path,
            serde_json::to_string_pretty(&computed).unwrap() + "\n",
        )
        .unwrap();
    }
    let committed: Vec<Vector> = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("committed vectors parse");
    assert_eq!(computed.len(), 18);
    assert_eq!(committed, computed);
}
