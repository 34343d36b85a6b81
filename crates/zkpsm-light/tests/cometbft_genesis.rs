//! Reading the trusted validator set from a CometBFT v0.38 genesis document (as written by
//! `cometbft testnet`), and refusing documents that cannot serve as a trust root.

use zkpsm_light::{LightError, cometbft_genesis_validators};

const GENESIS: &str = include_str!("fixtures/cometbft-genesis.json");

#[test]
fn reads_the_chain_id_and_validators_of_a_cometbft_genesis() {
    let (chain_id, validators) = cometbft_genesis_validators(GENESIS).unwrap();
    assert_eq!(chain_id, "chain-3oFiFY");
    assert_eq!(validators.validators().len(), 2);
    assert_eq!(validators.total_voting_power().value(), 2);
}

#[test]
fn refuses_a_document_without_validators_or_malformed() {
    let mut json: serde_json::Value = serde_json::from_str(GENESIS).unwrap();
    json["validators"] = serde_json::json!([]);
    assert!(matches!(
        cometbft_genesis_validators(&json.to_string()),
        Err(LightError::CometbftGenesis(why)) if why.contains("no validators")
    ));
    assert!(matches!(
        cometbft_genesis_validators(&GENESIS[..GENESIS.len() / 2]),
        Err(LightError::CometbftGenesis(_))
    ));
    let mut json: serde_json::Value = serde_json::from_str(GENESIS).unwrap();
    json["validators"][0]["pub_key"]["value"] = serde_json::json!("not base64!");
    assert!(cometbft_genesis_validators(&json.to_string()).is_err());
}
