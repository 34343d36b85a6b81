//! A bounded property test of transaction decoding, run on every test build (the unbounded search
//! is `scripts/fuzz`): mutations of a well-formed transaction, and random bytes, either decode to a
//! transaction whose canonical encoding is exactly those bytes or fail with an error; none panics.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkpsm_primitives::Fq;
use zkpsm_primitives::encryption::{ENC_CIPHERTEXT_BYTES, EncryptedNote, OUT_CIPHERTEXT_BYTES};
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::{MAX_TX_BYTES, Output, TX_VERSION, Transaction, TxBody};

/// Mutated inputs per run: enough to reach every field's decoder, a fraction of a second.
const CASES: usize = 3_000;

fn well_formed(rng: &mut StdRng) -> Transaction {
    let output = |rng: &mut StdRng| Output {
        cm: NoteCommitment(Fq::from(rng.r#gen::<u64>())),
        encrypted: EncryptedNote {
            epk: rng.r#gen(),
            enc_ct: [rng.r#gen(); ENC_CIPHERTEXT_BYTES],
            out_ct: [rng.r#gen(); OUT_CIPHERTEXT_BYTES],
        },
    };
    let proof_len = rng.gen_range(0..4_096);
    Transaction {
        body: TxBody {
            version: TX_VERSION,
            chain_id: "zkpsm-property".into(),
            expiry_height: rng.r#gen(),
            fee: rng.r#gen(),
            anchor: Anchor(Fq::from(rng.r#gen::<u64>())),
            nullifiers: [
                Nullifier(Fq::from(rng.r#gen::<u64>())),
                Nullifier(Fq::from(rng.r#gen::<u64>())),
            ],
            outputs: [output(rng), output(rng)],
        },
        proof: (0..proof_len).map(|_| rng.r#gen()).collect(),
    }
}

/// One mutation of `bytes`: a flipped byte, a cut, an insertion, a length prefix set to a huge
/// value, or bytes appended.
fn mutate(bytes: &mut Vec<u8>, rng: &mut StdRng) {
    let at = rng.gen_range(0..bytes.len());
    match rng.gen_range(0..5) {
        0 => bytes[at] ^= 1 << rng.gen_range(0..8),
        1 => bytes.truncate(at),
        2 => bytes.insert(at, rng.r#gen()),
        3 => {
            let end = (at + 4).min(bytes.len());
            bytes[at..end].fill(0xff);
        }
        _ => bytes.extend((0..rng.gen_range(1..64)).map(|_| rng.r#gen::<u8>())),
    }
}

/// Decodes `bytes`: an error, or a transaction that encodes back to exactly `bytes`.
fn check(bytes: &[u8]) -> bool {
    match Transaction::decode(bytes) {
        Ok(tx) => {
            assert_eq!(tx.to_bytes(), bytes, "decoding is not canonical");
            let _ = tx.body.check_stateless();
            let _ = tx.body.public_values();
            let _ = tx.txid();
            true
        }
        Err(_) => false,
    }
}

#[test]
fn mutated_transactions_decode_canonically_or_fail_cleanly() {
    let mut rng = StdRng::seed_from_u64(0x7a6b_7073_6d00_0001);
    let (mut decoded, mut refused) = (0, 0);
    for _ in 0..CASES {
        let tx = well_formed(&mut rng);
        let mut bytes = tx.to_bytes();
        assert_eq!(Transaction::decode(&bytes).expect("well formed"), tx);
        for _ in 0..rng.gen_range(1..4) {
            if bytes.is_empty() {
                break;
            }
            mutate(&mut bytes, &mut rng);
        }
        if check(&bytes) {
            decoded += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes are reached, so the property is tested on each side.
    assert!(
        decoded > CASES / 20,
        "only {decoded} mutated inputs decoded"
    );
    assert!(
        refused > CASES / 20,
        "only {refused} mutated inputs were refused"
    );
}

#[test]
fn random_bytes_fail_cleanly() {
    let mut rng = StdRng::seed_from_u64(0x7a6b_7073_6d00_0002);
    for _ in 0..CASES {
        let len = rng.gen_range(0..2_048);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        if let Some(first) = bytes.first_mut() {
            *first = TX_VERSION; // past the version check, into the field decoders
        }
        assert!(!check(&bytes), "random bytes decoded");
    }
    let oversized = vec![TX_VERSION; MAX_TX_BYTES + 1];
    assert!(Transaction::decode(&oversized).is_err());
}
