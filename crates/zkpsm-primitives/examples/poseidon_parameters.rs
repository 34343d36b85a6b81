//! Writes `src/poseidon_parameters.bin`: neptune's Poseidon constants for each arity zkpsm uses,
//! from neptune's own derivation (standard strength).

use neptune::Strength;
use neptune::hash_type::{CType, HashType};
use neptune::poseidon::{Arity, PoseidonConstants};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::poseidon::{U1, U2, U3, U4, U7};
use zkpsm_primitives::poseidon_parameters::{ARITIES, encode_entry};

fn entry<A: Arity<Fq>>() -> Vec<u8> {
    let constants: PoseidonConstants<Fq, A> = PoseidonConstants::new_with_strength_and_type(
        Strength::Standard,
        HashType::Custom(CType::Arbitrary(1)),
    );
    encode_entry(&constants)
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
