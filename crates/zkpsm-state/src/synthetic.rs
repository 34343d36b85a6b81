//! Synthetic full blocks, for benchmarks of the chain's provers: every slot a transaction spending
//! two pseudo-random nullifiers and creating two pseudo-random notes against the newest anchor, all
//! derived from a seed (blake3), so the same seed gives the same chain in any process; and the
//! process's peak memory, which those benchmarks report.

use crate::store::{BlockEffects, Committed, TxEffects};
use zkpsm_primitives::encryption::{ENC_CIPHERTEXT_BYTES, EncryptedNote, OUT_CIPHERTEXT_BYTES};
use zkpsm_primitives::merkle::Anchor;
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::prf::{prf_bytes, prf_field};
use zkpsm_primitives::transaction::{Output, TxId};

const CONTEXT: &str = "zkpsm 2026 synthetic benchmark blocks";

/// A pseudo-random note output (its ciphertexts are filler).
pub fn output(seed: u64, tag: &[u8]) -> Output {
    Output {
        cm: NoteCommitment(prf_field(CONTEXT, &[&seed.to_le_bytes(), b"cm", tag])),
        encrypted: EncryptedNote {
            epk: [1; 32],
            enc_ct: [2; ENC_CIPHERTEXT_BYTES],
            out_ct: [3; OUT_CIPHERTEXT_BYTES],
        },
    }
}

/// Block `head.height + 1` with `txs` transactions, each against `head`'s note root.
pub fn full_block(head: &Committed, txs: usize, seed: u64) -> BlockEffects {
    let height = head.state.height + 1;
    let tag = |i: usize, what: &[u8], j: u8| {
        let mut t = height.to_le_bytes().to_vec();
        t.extend_from_slice(&(i as u64).to_le_bytes());
        t.extend_from_slice(what);
        t.push(j);
        t
    };
    let seed_bytes = seed.to_le_bytes();
    BlockEffects {
        height,
        block: Vec::new(),
        txs: (0..txs)
            .map(|i| TxEffects {
                txid: TxId(prf_bytes(CONTEXT, &[&seed_bytes, &tag(i, b"txid", 0)])),
                anchor: Anchor(head.state.cm_root.0),
                nullifiers: (0..2)
                    .map(|j| Nullifier(prf_field(CONTEXT, &[&seed_bytes, &tag(i, b"nf", j)])))
                    .collect(),
                outputs: (0..2).map(|j| output(seed, &tag(i, b"out", j))).collect(),
                fee: (prf_bytes(CONTEXT, &[&seed_bytes, &tag(i, b"fee", 0)])[0] % 10).into(),
            })
            .collect(),
        module_writes: Vec::new(),
        module_roots: Vec::new(),
    }
}

/// The process's peak resident memory (VmHWM, Linux), in MB; 0 where it cannot be read.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
