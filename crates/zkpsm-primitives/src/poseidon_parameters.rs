//! neptune's Poseidon constants for each arity zkpsm hashes with, precomputed. Everything neptune
//! derives for an arity (the Grain LFSR round constants, the MDS matrix with its inverses, the
//! compressed round constants and the sparse matrices of the partial rounds) depends on the arity
//! and the strength only, never on the domain; deriving it is negligible natively but close to a
//! billion cycles in a zkVM guest, which would pay it on every proof. The table holds each arity's
//! constants in neptune's own serde form (bincode), written by `cargo run --example
//! poseidon_parameters` from neptune's derivation; a domain takes its arity's constants and sets
//! its own hash type. A test checks every domain against neptune's constructor.

use crate::field::Fq;
use neptune::hash_type::HashType;
use neptune::poseidon::{Arity, PoseidonConstants};
use std::sync::OnceLock;
use typenum::{U1, U2, U3, U4, U7};

/// The arities with constants in the table.
pub const ARITIES: [usize; 5] = [1, 2, 3, 4, 7];

/// The table: for each arity of [`ARITIES`] in order, the arity and the length of its entry
/// (u32 little-endian each), then the entry: neptune's `PoseidonConstants` serialized with bincode.
pub static TABLE: &[u8] = include_bytes!("poseidon_parameters.bin");

/// An arity with an entry in the table. Its entry is decoded once, when first used, and shared by
/// all its domains: zkpsm hashes in six domains of arity 3, and decoding an entry (a field
/// conversion per constant) is worth paying once in a zkVM guest.
pub trait TableArity: Arity<Fq> {
    /// The arity's constants as the table holds them.
    fn decoded() -> &'static PoseidonConstants<Fq, Self>;
}

macro_rules! table_arity {
    ($($arity:ty),*) => {
        $(impl TableArity for $arity {
            fn decoded() -> &'static PoseidonConstants<Fq, Self> {
                static DECODED: OnceLock<PoseidonConstants<Fq, $arity>> = OnceLock::new();
                DECODED.get_or_init(decode)
            }
        })*
    };
}
table_arity!(U1, U2, U3, U4, U7);

/// neptune's constants for arity `A`, with the hash type of a domain.
pub fn constants<A: TableArity>(hash_type: HashType<Fq, A>) -> PoseidonConstants<Fq, A> {
    let mut constants = A::decoded().clone();
    constants.domain_tag = hash_type.domain_tag();
    constants.hash_type = hash_type;
    constants
}

/// Decodes the table's entry for arity `A`.
///
/// # Panics
/// If the table has no entry for the arity or a malformed one: it is a constant of this crate,
/// checked by its tests, so that is a build defect, not an input error.
fn decode<A: Arity<Fq>>() -> PoseidonConstants<Fq, A> {
    let arity = A::to_usize();
    let word = |at: usize| {
        let bytes = TABLE
            .get(at..at + 4)
            .expect("the Poseidon table holds every entry's header");
        u32::from_le_bytes(bytes.try_into().expect("4 bytes")) as usize
    };
    let mut at = 0;
    for _ in ARITIES {
        let (entry_arity, length) = (word(at), word(at + 4));
        let entry = &TABLE[at + 8..at + 8 + length];
        if entry_arity == arity {
            return bincode::deserialize(entry)
                .expect("the Poseidon table's entries are neptune's");
        }
        at += 8 + length;
    }
    panic!("no Poseidon constants for arity {arity}")
}

/// Encodes one table entry (the example that writes the table uses it).
pub fn encode_entry<A: Arity<Fq>>(constants: &PoseidonConstants<Fq, A>) -> Vec<u8> {
    let entry = bincode::serialize(constants).expect("neptune's constants serialize");
    let mut out = Vec::with_capacity(8 + entry.len());
    out.extend_from_slice(&(A::to_usize() as u32).to_le_bytes());
    out.extend_from_slice(&(entry.len() as u32).to_le_bytes());
    out.extend_from_slice(&entry);
    out
}
