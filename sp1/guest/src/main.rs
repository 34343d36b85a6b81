//! The SP1 guest: reads `z` before a range of blocks and the blocks' step witnesses, applies them
//! with `zkpsm_transition::apply_range` (the very function whose output the executor commits, block
//! by block), and commits the range's statement as its public values. A block that breaks a rule
//! panics, so no proof of it exists.
#![no_main]
sp1_zkvm::entrypoint!(main);

use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::{self, Fq};

/// `z`: 8 canonical 32-byte little-endian field elements.
fn read_z(bytes: &[u8]) -> [Fq; Z_LEN] {
    assert_eq!(bytes.len(), 32 * Z_LEN, "z is 8 field elements");
    core::array::from_fn(|i| {
        let mut b = [0u8; 32];
        b.copy_from_slice(&bytes[32 * i..32 * (i + 1)]);
        field::from_bytes(&b, "z").expect("z holds canonical field elements")
    })
}

pub fn main() {
    let z_before = read_z(&sp1_zkvm::io::read_vec());
    let witnesses: Vec<StepWitness> =
        borsh::from_slice(&sp1_zkvm::io::read_vec()).expect("step witnesses decode");
    let statement = zkpsm_transition::apply_range(&z_before, &witnesses)
        .unwrap_or_else(|(i, e)| panic!("block {i} of the range breaks the transition: {e}"));
    sp1_zkvm::io::commit_slice(&statement.to_bytes());
}
