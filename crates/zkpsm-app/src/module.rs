//! The `Module` trait: how an application adds its own transactions and state to zkpsm without
//! touching the node.
//!
//! A module has a name, a namespace of key-value state, stateless and stateful checks, `execute`
//! for its transactions and `end_block`; its root enters the app hash. Register it with
//! [`App::open`](crate::App::open). Module code runs in consensus: it must be deterministic (no
//! clock, randomness, or hash-map iteration order).

use crate::AppError;
use std::collections::BTreeMap;
use zkpsm_state::Store;

/// Read access to one module's state.
pub trait ModuleState {
    /// The value at `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, AppError>;
}

/// A module of the state machine.
pub trait Module: Send + Sync {
    /// A unique name (at most 32 bytes); also its state namespace.
    fn name(&self) -> &str;

    /// Checks that need no state (form, signatures, sizes).
    fn check_stateless(&self, payload: &[u8]) -> Result<(), String>;

    /// Checks against the current state, before execution.
    fn check_stateful(&self, state: &dyn ModuleState, payload: &[u8]) -> Result<(), String>;

    /// Applies a checked transaction.
    fn execute(&self, state: &mut ModuleWrites<'_>, payload: &[u8]) -> Result<(), String>;

    /// Runs once at the end of every block.
    fn end_block(&self, _state: &mut ModuleWrites<'_>, _height: u64) -> Result<(), String> {
        Ok(())
    }

    /// A commitment to the module's whole state, entered into the app hash.
    fn root(&self, state: &dyn ModuleState) -> Result<[u8; 32], String>;
}

/// One module's pending writes during a block, over its committed state.
pub struct ModuleWrites<'a> {
    module: &'a str,
    store: &'a Store,
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> ModuleWrites<'a> {
    /// An empty overlay over the committed state of `module`.
    pub fn new(module: &'a str, store: &'a Store) -> Self {
        Self {
            module,
            store,
            overlay: BTreeMap::new(),
        }
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &[u8], value: &[u8]) {
        self.overlay.insert(key.to_vec(), Some(value.to_vec()));
    }

    /// Deletes `key`.
    pub fn delete(&mut self, key: &[u8]) {
        self.overlay.insert(key.to_vec(), None);
    }

    /// The writes, in key order, for the store.
    pub fn into_writes(self) -> Vec<(String, Vec<u8>, Option<Vec<u8>>)> {
        let module = self.module.to_owned();
        self.overlay
            .into_iter()
            .map(|(k, v)| (module.clone(), k, v))
            .collect()
    }
}

impl ModuleState for ModuleWrites<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
        match self.overlay.get(key) {
            Some(v) => Ok(v.clone()),
            None => Ok(self.store.module_get(self.module, key)?),
        }
    }
}
