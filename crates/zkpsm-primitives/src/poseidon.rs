//! Poseidon over `Fq`: neptune's `Poseidon` hash (x^5, standard strength), one construction for all
//! uses, each use separated by its own domain tag (neptune's custom hash type, `id * 2^40` in the first
//! state element). The circuits use the very same constants, so native and in-circuit hashes agree.

use crate::field::Fq;
use crate::poseidon_parameters::TableArity;
use neptune::hash_type::{CType, HashType};
use neptune::poseidon::{Arity, Poseidon, PoseidonConstants};
use std::sync::OnceLock;

pub use typenum::{U1, U2, U3, U4, U7};

/// Poseidon constants for one domain: the round constants, MDS matrix and domain tag.
pub type Constants<A> = PoseidonConstants<Fq, A>;

/// Hashes exactly `A` inputs with the given domain's constants.
///
/// # Panics
/// If `inputs.len()` differs from the arity: every call site passes a fixed-size array.
pub fn hash<A: Arity<Fq>>(constants: &Constants<A>, inputs: &[Fq]) -> Fq {
    assert_eq!(
        inputs.len(),
        A::to_usize(),
        "poseidon preimage must fill the arity"
    );
    Poseidon::new_with_preimage(inputs, constants).hash()
}

/// The constants of domain `id`: neptune's, for the arity, from the precomputed table.
fn custom<A: TableArity>(id: u64) -> Constants<A> {
    crate::poseidon_parameters::constants(HashType::Custom(CType::Arbitrary(id)))
}

macro_rules! domain {
    ($(#[$doc:meta])* $name:ident, $arity:ty, $id:expr) => {
        $(#[$doc])*
        pub fn $name() -> &'static Constants<$arity> {
            static CONSTANTS: OnceLock<Constants<$arity>> = OnceLock::new();
            CONSTANTS.get_or_init(|| custom($id))
        }
    };
}

/// The domain tags of zkpsm (neptune custom ids, 1..=256). Never reuse an id.
pub mod domain_id {
    /// `ak = H(ask)`.
    pub const AK: u64 = 1;
    /// `ivk = H(ak, nk, rivk)`.
    pub const IVK: u64 = 2;
    /// `own = H(ivk, d)`.
    pub const OWN: u64 = 3;
    /// `cm = H(value, own, rcm)`.
    pub const NOTE_COMMITMENT: u64 = 4;
    /// `nf = H(nk, cm, position)`.
    pub const NULLIFIER: u64 = 5;
    /// An inner node of the note commitment tree, `H(left, right)`.
    pub const MERKLE_NODE: u64 = 6;
    /// A leaf of the indexed nullifier tree, `H(value, next_index, next_value)`.
    pub const NULLIFIER_LEAF: u64 = 7;
    /// One step of a block's effects digest, `H(acc, kind, value)`.
    pub const EFFECTS: u64 = 8;
    /// One link of the block hash chain, `H(previous, effects_hash, txs_hash)`.
    pub const BLOCK_CHAIN: u64 = 9;
    /// One transaction's effects folded into a block's digest,
    /// `H(acc, anchor, nf_1, nf_2, cm_1, cm_2, fee)`.
    pub const TX_EFFECTS: u64 = 10;
    /// An inner node of the 4-ary indexed nullifier tree, `H(c_0, c_1, c_2, c_3)`.
    pub const NULLIFIER_NODE: u64 = 11;
}

domain!(
    /// Constants of `ak = H(ask)`.
    ak, U1, domain_id::AK
);
domain!(
    /// Constants of `ivk = H(ak, nk, rivk)`.
    ivk, U3, domain_id::IVK
);
domain!(
    /// Constants of `own = H(ivk, d)`.
    own, U2, domain_id::OWN
);
domain!(
    /// Constants of `cm = H(value, own, rcm)`.
    note_commitment, U3, domain_id::NOTE_COMMITMENT
);
domain!(
    /// Constants of `nf = H(nk, cm, position)`.
    nullifier, U3, domain_id::NULLIFIER
);
domain!(
    /// Constants of a Merkle tree node `H(left, right)`.
    merkle_node, U2, domain_id::MERKLE_NODE
);

domain!(
    /// Constants of a node of the 4-ary indexed nullifier tree `H(c_0, c_1, c_2, c_3)`.
    nullifier_node, U4, domain_id::NULLIFIER_NODE
);
domain!(
    /// Constants of an indexed nullifier tree leaf `H(value, next_index, next_value)`.
    nullifier_leaf, U3, domain_id::NULLIFIER_LEAF
);
domain!(
    /// Constants of one step of a block's effects digest `H(acc, kind, value)`.
    effects, U3, domain_id::EFFECTS
);
domain!(
    /// Constants of one transaction's effects `H(acc, anchor, nf_1, nf_2, cm_1, cm_2, fee)`.
    tx_effects, U7, domain_id::TX_EFFECTS
);
domain!(
    /// Constants of the block hash chain `H(previous, effects_hash, txs_hash)`.
    block_chain, U3, domain_id::BLOCK_CHAIN
);

#[cfg(test)]
mod tests {
    use super::*;

    use neptune::Strength;

    /// Every domain's constants, taken from the precomputed table, are neptune's own (less the
    /// uncompressed round constants, which only neptune's unoptimised reference hash reads).
    #[test]
    fn precomputed_parameters_give_neptunes_constants() {
        fn neptune<A: Arity<Fq>>(id: u64) -> Constants<A> {
            let mut constants = PoseidonConstants::new_with_strength_and_type(
                Strength::Standard,
                HashType::Custom(CType::Arbitrary(id)),
            );
            constants.round_constants = None;
            constants
        }
        assert!(*ak() == neptune(domain_id::AK));
        assert!(*ivk() == neptune(domain_id::IVK));
        assert!(*own() == neptune(domain_id::OWN));
        assert!(*note_commitment() == neptune(domain_id::NOTE_COMMITMENT));
        assert!(*nullifier() == neptune(domain_id::NULLIFIER));
        assert!(*merkle_node() == neptune(domain_id::MERKLE_NODE));
        assert!(*nullifier_node() == neptune(domain_id::NULLIFIER_NODE));
        assert!(*nullifier_leaf() == neptune(domain_id::NULLIFIER_LEAF));
        assert!(*effects() == neptune(domain_id::EFFECTS));
        assert!(*tx_effects() == neptune(domain_id::TX_EFFECTS));
        assert!(*block_chain() == neptune(domain_id::BLOCK_CHAIN));
    }

    #[test]
    fn domains_separate_equal_preimages() {
        let a = Fq::from(1);
        let b = Fq::from(2);
        assert_ne!(hash(own(), &[a, b]), hash(merkle_node(), &[a, b]));
        assert_ne!(
            hash(note_commitment(), &[a, b, a]),
            hash(nullifier(), &[a, b, a])
        );
        assert_eq!(hash(own(), &[a, b]), hash(own(), &[a, b]));
    }
}
