//! Reading a CometBFT chain: the validators its genesis document names (what the light client and
//! sync trust), and from its RPC the signed header of a height with its validator set (the light
//! client's and the DA publisher's evidence that a block was committed).

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::{Duration, Instant};
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use tendermint_rpc::{Client as _, HttpClient, Paging};

/// The validator set of the CometBFT genesis document at `path`, which must be for `chain_id`.
pub fn trusted_validators(path: &Path, chain_id: &str) -> Result<validator::Set> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the CometBFT genesis {}", path.display()))?;
    let (genesis_chain_id, set) = crate::cometbft_genesis_validators(&text)
        .with_context(|| format!("in {}", path.display()))?;
    if genesis_chain_id != chain_id {
        bail!(
            "the CometBFT genesis is for chain {genesis_chain_id}, the zkpsm genesis for {chain_id}"
        );
    }
    Ok(set)
}

/// The latest block height the CometBFT RPC at `rpc` reports (its claim: check its commit).
pub fn latest_block_height(rpc: &str) -> Result<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = HttpClient::new(rpc).with_context(|| format!("CometBFT RPC address {rpc}"))?;
        let status = client
            .status()
            .await
            .with_context(|| format!("asking the CometBFT RPC at {rpc} for its status"))?;
        Ok(status.sync_info.latest_block_height.value())
    })
}

/// Fetches the signed header of `height` and its validator set from the CometBFT RPC at `rpc`,
/// waiting up to `wait` for the height to be committed (none if it is not by then).
pub fn fetch_commit(
    rpc: &str,
    height: u64,
    wait: Duration,
) -> Result<Option<(SignedHeader, validator::Set)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = HttpClient::new(rpc).with_context(|| format!("CometBFT RPC address {rpc}"))?;
        let at = tendermint::block::Height::try_from(height)?;
        let deadline = Instant::now() + wait;
        loop {
            let latest = client
                .status()
                .await
                .with_context(|| format!("asking the CometBFT RPC at {rpc} for its status"))?
                .sync_info
                .latest_block_height;
            if latest >= at {
                break;
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let commit = client
            .commit(at)
            .await
            .with_context(|| format!("fetching the commit of height {height} from {rpc}"))?;
        let validators = client
            .validators(at, Paging::All)
            .await
            .with_context(|| format!("fetching the validators of height {height} from {rpc}"))?;
        Ok(Some((
            commit.signed_header,
            validator::Set::without_proposer(validators.validators),
        )))
    })
}
