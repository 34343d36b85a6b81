//! Chains of synthetic full blocks applied by the real executor in a temporary store: their step
//! witnesses are what the guest proves, their committed states what it must reach.

use anyhow::Result;
use zkpsm_primitives::chain_step::{StepWitness, Z_LEN};
use zkpsm_primitives::field::Fq;
use zkpsm_state::{Store, synthetic};

/// A chain in a temporary folder.
pub struct Chain {
    _dir: tempfile::TempDir,
    /// Its store.
    pub store: Store,
    /// `z` after each height from genesis on.
    pub states: Vec<[Fq; Z_LEN]>,
}

impl Chain {
    /// `blocks` blocks of `txs` transactions each, in a chain of `capacity` slots per block.
    pub fn new(capacity: usize, txs: usize, blocks: u64, seed: u64) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("state.redb"))?;
        let mut head = store.init_genesis(
            b"zkpsm-sp1 bench",
            &[synthetic::output(seed, b"genesis")],
            u64::MAX / 2,
            u32::try_from(capacity)?,
        )?;
        let mut states = vec![head.state.z()];
        for _ in 0..blocks {
            head = store.apply_block(&synthetic::full_block(&head, txs, seed))?;
            states.push(head.state.z());
        }
        Ok(Self {
            _dir: dir,
            store,
            states,
        })
    }

    /// The step witnesses of blocks `from + 1..=to`.
    pub fn witnesses(&self, from: u64, to: u64) -> Result<Vec<StepWitness>> {
        Ok(self.store.step_witnesses(from, to)?)
    }
}
