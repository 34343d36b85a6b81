//! What the consensus tests share: an app on a genesis of alice's notes, and spends of them.

use rand::rngs::OsRng;
use std::sync::Arc;
use zkpsm_app::genesis::Allocation;
use zkpsm_app::{App, ConsensusParams, Genesis};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_proofs::{SpendKeys, SpendProver};
use zkpsm_test_support::{Spend, genesis_note, genesis_tree, payment_fee, prove_spend};

/// An app in a fresh folder whose genesis gives alice `notes` notes of 100.
pub fn app_with_notes(
    chain_id: &str,
    notes: u64,
) -> (tempfile::TempDir, Arc<App>, Genesis, SpendingKey) {
    app_with_params(chain_id, notes, ConsensusParams::default())
}

/// [`app_with_notes`] under other consensus parameters.
pub fn app_with_params(
    chain_id: &str,
    notes: u64,
    params: ConsensusParams,
) -> (tempfile::TempDir, Arc<App>, Genesis, SpendingKey) {
    let keys = SpendKeys::shared().unwrap();
    let alice = SpendingKey::random(&mut OsRng);
    let fvk = alice.full_viewing_key();
    let genesis = Genesis {
        chain_id: chain_id.into(),
        params,
        spend_vk_digest: keys.vk_digest_hex(),
        sequencer: None,
        sp1_vk: None,
        allocations: (0..notes)
            .map(|i| Allocation {
                address: fvk.address_at(i).to_string(),
                amount: 100,
            })
            .collect(),
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("s.redb"), genesis.clone(), keys, vec![]).unwrap();
    (dir, Arc::new(app), genesis, alice)
}

/// Alice spends her genesis note `index`, paying herself `value` (and the chain's fee), as
/// encoded bytes.
pub fn spend(genesis: &Genesis, alice: &SpendingKey, index: usize, value: u64) -> Vec<u8> {
    let prover = SpendProver::new(SpendKeys::shared().unwrap());
    prove_spend(
        &prover,
        &Spend {
            chain_id: &genesis.chain_id,
            sender: alice,
            tree: &genesis_tree(genesis),
            note: genesis_note(genesis, index),
            position: index as u32,
            to: alice.full_viewing_key().address_at(50),
            value,
            change: alice.full_viewing_key().address_at(51),
            expiry_height: 100,
            fee: payment_fee(genesis),
        },
    )
}
