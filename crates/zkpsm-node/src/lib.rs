//! The running node as a library: a home's genesis and configuration ([`node`]), its wiring in
//! either consensus mode with the HTTP API server ([`server`]), the DA publisher ([`publish`]) and
//! the DA layer it is configured with ([`da_layer`]), sync from DA ([`sync`]), and the SP1 prover's
//! driver ([`sp1`]). The `zkpsm` binary is a command line over it.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod da_layer;
pub mod node;
mod publish;
mod server;
pub mod sp1;
pub mod sync;
