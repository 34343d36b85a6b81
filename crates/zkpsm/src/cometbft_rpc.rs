//! Reading a CometBFT chain's commits from its RPC: the signed header of a height and its
//! validator set (the light client's and the DA publisher's evidence that a block was committed).

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use tendermint_rpc::{Client as _, HttpClient, Paging};

/// Fetches the signed header of `height` and its validator set from the CometBFT RPC at `rpc`,
/// waiting up to `wait` for the height to be committed.
pub fn fetch_commit(
    rpc: &str,
    height: u64,
    wait: Duration,
) -> Result<(SignedHeader, validator::Set)> {
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
            if Instant::now() > deadline {
                bail!("CometBFT at {rpc} has not committed height {height} yet (at {latest})");
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
        Ok((
            commit.signed_header,
            validator::Set::without_proposer(validators.validators),
        ))
    })
}
