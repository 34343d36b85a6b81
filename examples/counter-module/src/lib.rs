//! An example of a second module: a public counter that anyone can increase by 1 to 1000 per
//! transaction. It is added to an application through [`zkpsm_app::Module`] alone, without
//! touching the node crates:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn open(genesis: zkpsm_app::Genesis, keys: Arc<zkpsm_proofs::SpendKeys>) -> Result<(), zkpsm_app::AppError> {
//! let app = zkpsm_app::App::open(
//!     std::path::Path::new("state.redb"),
//!     genesis,
//!     keys,
//!     vec![Box::new(zkpsm_example_counter::Counter)],
//! )?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use zkpsm_app::ChainTx;
use zkpsm_app::module::{Module, ModuleState, ModuleWrites};

/// The module's name (and state namespace).
pub const NAME: &str = "counter";
/// The largest increment one transaction may make.
pub const MAX_INCREMENT: u64 = 1000;
const VALUE: &[u8] = b"value";

/// The counter module.
pub struct Counter;

/// A transaction that adds `amount` to the counter.
pub fn increment(amount: u64) -> ChainTx {
    ChainTx::Module {
        module: NAME.into(),
        payload: amount.to_le_bytes().to_vec(),
    }
}

fn parse(payload: &[u8]) -> Result<u64, String> {
    let bytes: [u8; 8] = payload
        .try_into()
        .map_err(|_| format!("payload must be 8 bytes, got {}", payload.len()))?;
    match u64::from_le_bytes(bytes) {
        0 => Err("increment must be positive".into()),
        n if n > MAX_INCREMENT => Err(format!("increment {n} exceeds {MAX_INCREMENT}")),
        n => Ok(n),
    }
}

/// The counter's current value in a state.
pub fn value(state: &dyn ModuleState) -> Result<u64, String> {
    match state.get(VALUE).map_err(|e| e.to_string())? {
        None => Ok(0),
        Some(bytes) => {
            let bytes: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| "corrupt counter".to_string())?;
            Ok(u64::from_le_bytes(bytes))
        }
    }
}

impl Module for Counter {
    fn name(&self) -> &str {
        NAME
    }

    fn check_stateless(&self, payload: &[u8]) -> Result<(), String> {
        parse(payload).map(drop)
    }

    fn check_stateful(&self, state: &dyn ModuleState, payload: &[u8]) -> Result<(), String> {
        value(state)?
            .checked_add(parse(payload)?)
            .map(drop)
            .ok_or_else(|| "the counter would overflow".into())
    }

    fn execute(&self, state: &mut ModuleWrites<'_>, payload: &[u8]) -> Result<(), String> {
        let next = value(state)?
            .checked_add(parse(payload)?)
            .ok_or("the counter would overflow")?;
        state.set(VALUE, &next.to_le_bytes());
        Ok(())
    }

    fn root(&self, state: &dyn ModuleState) -> Result<[u8; 32], String> {
        Ok(*blake3::hash(&value(state)?.to_le_bytes()).as_bytes())
    }
}
