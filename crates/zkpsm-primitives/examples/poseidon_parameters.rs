//! Writes `src/poseidon_parameters.bin`: neptune's round constants and MDS matrix for each arity
//! zkpsm uses, from neptune's own derivation (standard strength).

use neptune::Strength;
use neptune::hash_type::{CType, HashType};
use neptune::poseidon::{Arity, PoseidonConstants};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::poseidon::{U1, U2, U3, U4, U7};
use zkpsm_primitives::poseidon_parameters::{ARITIES, encode_entry};

fn entry<A: Arity<Fq>>() -> Vec<u8> {
    let c: PoseidonConstants<Fq, A> = PoseidonConstants::new_with_strength_and_type(
        Strength::Standard,
        HashType::Custom(CType::Arbitrary(1)),
    );
    let round_constants = c
        .round_constants
        .expect("neptune keeps the round constants");
    encode_entry(A::to_usize(), &round_constants, &c.mds_matrices.m)
}

fn main() {
    let table = [
        entry::<U1>(),
        entry::<U2>(),
        entry::<U3>(),
        entry::<U4>(),
        entry::<U7>(),
    ]
    .concat();
    assert_eq!(ARITIES, [1, 2, 3, 4, 7]);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/poseidon_parameters.bin");
    std::fs::write(path, &table).expect("writing the table");
    println!("wrote {path} ({} bytes)", table.len());
}
