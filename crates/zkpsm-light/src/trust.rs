//! Who makes a block the chain's: the consensus mode and its trust root as genesis names them (the
//! embedded sequencer's key, or the validator set of CometBFT's genesis document), and the check of
//! a block's commit against it. Sync from DA and the light client's driver both decide with it.

use crate::check_cometbft_commit;
use crate::cometbft_rpc::trusted_validators;
use anyhow::{Context, Result, anyhow, bail};
use std::path::Path;
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use zkpsm_app::Genesis;
use zkpsm_da::block_blob::BlockCommit;
use zkpsm_primitives::sequencer::verify_commit;

/// The chain's consensus mode with the key or validator set that signs its commits.
pub enum TrustRoot {
    /// An embedded chain: the sequencer's verification key, which genesis pins.
    Sequencer([u8; 32]),
    /// A CometBFT chain: the validators of CometBFT's genesis document (zkpsm never changes them).
    CometBft(validator::Set),
}

impl TrustRoot {
    /// The trust root of `genesis`: its sequencer key, or on a CometBFT chain (no sequencer) the
    /// validators of the CometBFT genesis document at `cometbft_genesis`, which must be for the
    /// same chain id.
    pub fn of(genesis: &Genesis, cometbft_genesis: Option<&Path>) -> Result<Self> {
        match (genesis.sequencer_key()?, cometbft_genesis) {
            (Some(key), _) => Ok(TrustRoot::Sequencer(key)),
            (None, Some(path)) => Ok(TrustRoot::CometBft(trusted_validators(
                path,
                &genesis.chain_id,
            )?)),
            (None, None) => bail!(
                "this genesis names no sequencer (a CometBFT chain): pass --cometbft-genesis FILE \
                 (CometBFT's genesis document) so that the validators' commits can be checked"
            ),
        }
    }

    /// The app hash that `commit` says the chain `chain_id` reached after block `height`, once
    /// the commit is checked against this root: the sequencer's signature, or the next height's
    /// header signed by more than 2/3 of the trusted validators' voting power.
    pub fn committed_app_hash(
        &self,
        chain_id: &str,
        height: u64,
        commit: &BlockCommit,
    ) -> Result<[u8; 32]> {
        match (self, commit) {
            (
                TrustRoot::Sequencer(key),
                BlockCommit::Sequencer {
                    app_hash,
                    signature,
                },
            ) => {
                verify_commit(key, chain_id, height, app_hash, signature)
                    .map_err(|e| anyhow!("not signed by the genesis sequencer: {e}"))?;
                Ok(*app_hash)
            }
            (
                TrustRoot::CometBft(trusted),
                BlockCommit::Cometbft {
                    signed_header,
                    validators,
                },
            ) => {
                let header: SignedHeader = serde_json::from_slice(signed_header)
                    .context("the commit's signed header does not decode")?;
                let validators: validator::Set = serde_json::from_slice(validators)
                    .context("the commit's validator set does not decode")?;
                let app_hash: [u8; 32] = header
                    .header
                    .app_hash
                    .as_bytes()
                    .try_into()
                    .map_err(|_| anyhow!("the header's app hash is not 32 bytes"))?;
                check_cometbft_commit(trusted, chain_id, height, &app_hash, &header, &validators)?;
                Ok(app_hash)
            }
            _ => bail!("the commit is of the other consensus kind"),
        }
    }
}
