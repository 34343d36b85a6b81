//! neptune's Poseidon parameters for each arity zkpsm hashes with, precomputed: the round
//! constants (from the Grain LFSR) and the MDS matrix (a Cauchy matrix). They depend on the arity
//! and the strength only, never on the domain, and deriving them is most of what building a
//! domain's constants costs: negligible natively, but billions of cycles in a zkVM guest, which
//! would pay it on every proof. `cargo run --example poseidon_parameters` writes the table from
//! neptune's own derivation, and a test checks every domain's constants built from it against
//! neptune's.

use crate::field::Fq;
use ff::PrimeField;

/// The arities with parameters in the table.
pub const ARITIES: [usize; 5] = [1, 2, 3, 4, 7];

/// The table: for each arity of [`ARITIES`] in order, the arity and the number of round constants
/// (u32 little-endian each), the round constants, then the `(arity + 1)^2` MDS entries row by
/// row, each a 32-byte canonical little-endian element.
pub static TABLE: &[u8] = include_bytes!("poseidon_parameters.bin");

/// The round constants and the MDS matrix (rows) for `arity`.
///
/// # Panics
/// If the table has no entry for `arity` or is malformed: it is a constant of this crate, checked
/// by its tests, so that is a build defect, not an input error.
pub fn for_arity(arity: usize) -> (Vec<Fq>, Vec<Vec<Fq>>) {
    let mut at = 0;
    let mut take = |n: usize| {
        let bytes = &TABLE[at..at + n];
        at += n;
        bytes
    };
    let word = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize;
    let element = |b: &[u8]| {
        let mut repr = <Fq as PrimeField>::Repr::default();
        repr.as_mut().copy_from_slice(b);
        Option::<Fq>::from(Fq::from_repr(repr)).expect("the table holds canonical elements")
    };
    for _ in ARITIES {
        let entry_arity = word(take(4));
        let constants = word(take(4));
        let width = entry_arity + 1;
        let round_constants: Vec<Fq> = (0..constants).map(|_| element(take(32))).collect();
        let mds: Vec<Vec<Fq>> = (0..width)
            .map(|_| (0..width).map(|_| element(take(32))).collect())
            .collect();
        if entry_arity == arity {
            return (round_constants, mds);
        }
    }
    panic!("no Poseidon parameters for arity {arity}")
}

/// Encodes one table entry (the example that writes the table uses it).
pub fn encode_entry(arity: usize, round_constants: &[Fq], mds: &[Vec<Fq>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(arity as u32).to_le_bytes());
    out.extend_from_slice(&(round_constants.len() as u32).to_le_bytes());
    for x in round_constants.iter().chain(mds.iter().flatten()) {
        out.extend_from_slice(x.to_repr().as_ref());
    }
    out
}
