//! The light client. Its checks (this module) are free of any networking: a compressed chain
//! proof verified from the genesis state, the app hash it implies compared with the one the chain
//! committed (signed by the embedded sequencer, or by more than 2/3 of a CometBFT validator set's
//! voting power), and answers about nullifiers and note commitments checked as Merkle proofs
//! against the roots the proof attests. [`driver`] fetches their inputs from a node and a
//! CometBFT RPC and runs them (`zkpsm verify`), with the chain verifier key kept by
//! [`key_cache`]; [`cometbft_rpc`] fetches commits and validator sets; [`sp1`] runs the SP1 host
//! to check a range proof; [`trust`] is the consensus mode and its trust root.
//!
//! What it trusts: the chain proof covers the state transition of every block, not the validity
//! of the transactions' spend proofs, which the validators (or sequencer) check and anyone can
//! re-check from the published blocks; and a cached verifier key is trusted as the user's own
//! disk is (docs/security.md).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cometbft_rpc;
pub mod driver;
pub mod key_cache;
pub mod sp1;
pub mod trust;

use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use tendermint_light_client_verifier::types::UntrustedBlockState;
use tendermint_light_client_verifier::{ProdVerifier, Verdict};
use zkpsm_chain_proof::{ChainProof, ChainVerifierKey};
use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{NodePath, PathWitness, Z_LEN};
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::sequencer::verify_commit;
use zkpsm_state::ChainState;
use zkpsm_state::merkle_table::root_from;
use zkpsm_state::nullifier_tree::{MembershipProof, NonMembershipProof};

/// Why a check failed.
#[derive(Debug, thiserror::Error)]
pub enum LightError {
    /// The compressed chain proof does not verify.
    #[error("the chain proof does not verify: {0}")]
    ChainProof(#[from] zkpsm_proofs::ProofError),
    /// The proven state is not a valid chain state.
    #[error("the proven state is malformed: {0}")]
    BadState(String),
    /// The app hash of the proven state differs from the committed one.
    #[error("the proven state's app hash {proven} differs from the committed {committed}")]
    AppHashMismatch {
        /// From the proof.
        proven: String,
        /// From the commit.
        committed: String,
    },
    /// The commit's signature does not verify.
    #[error("the commit is not signed by the chain's sequencer: {0}")]
    Commit(#[from] zkpsm_primitives::Error),
    /// The CometBFT genesis document cannot be read.
    #[error("not a usable CometBFT genesis document: {0}")]
    CometbftGenesis(String),
    /// The CometBFT commit does not attest the proven app hash.
    #[error("the CometBFT commit does not attest the proven state: {0}")]
    CometbftCommit(String),
    /// A state answer whose Merkle proof does not reach the proven root.
    #[error("the node's answer about {0} does not check against the proven roots")]
    BadStateProof(String),
}

/// A chain state the light client has checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedState {
    /// The proven state.
    pub state: ChainState,
    /// Its app hash, computed from the proven state and the other modules' roots.
    pub app_hash: [u8; 32],
}

/// Verifies `proof` from the genesis state `z0` and computes the app hash of the state it proves
/// with the other modules' roots, for a commit check to compare with what the chain committed.
pub fn check_chain_proof(
    vk: &ChainVerifierKey,
    z0: &[Fq; Z_LEN],
    proof: &ChainProof,
    module_roots: &[(String, [u8; 32])],
) -> Result<CheckedState, LightError> {
    vk.verify(z0, proof)?;
    let state = ChainState::from_z(&proof.state())
        .ok_or_else(|| LightError::BadState("a count does not fit in 64 bits".into()))?;
    if state.height != proof.height {
        return Err(LightError::BadState(format!(
            "height {} after {} steps",
            state.height, proof.height
        )));
    }
    let app_hash = state.app_hash(module_roots);
    Ok(CheckedState { state, app_hash })
}

/// The states at both ends of a block range whose transition another backend proved (an SP1
/// proof, verified by the caller under the key genesis pins): the start is `None` when the range
/// begins at the genesis state `z0`, else the caller must check the start's app hash against a
/// commit like the end's (the blocks before it are then trusted to the signers, not proven).
pub fn check_range(
    z0: &[Fq; Z_LEN],
    statement: &zkpsm_transition::RangeStatement,
    roots_before: &[(String, [u8; 32])],
    roots_after: &[(String, [u8; 32])],
) -> Result<(Option<CheckedState>, CheckedState), LightError> {
    let decode = |z: &[Fq; Z_LEN], which: &str| {
        ChainState::from_z(z).ok_or_else(|| {
            LightError::BadState(format!(
                "a count of the {which} state does not fit in 64 bits"
            ))
        })
    };
    let before = decode(&statement.z_before, "first")?;
    let after = decode(&statement.z_after, "last")?;
    if statement.blocks == 0 || before.height.checked_add(statement.blocks) != Some(after.height) {
        return Err(LightError::BadState(format!(
            "{} blocks lead from height {} to {}",
            statement.blocks, before.height, after.height
        )));
    }
    let start = (statement.z_before != *z0).then(|| CheckedState {
        state: before,
        app_hash: before.app_hash(roots_before),
    });
    if start.is_none() != (before.height == 0) {
        return Err(LightError::BadState(
            "the range starts at height 0 but not at the genesis state".into(),
        ));
    }
    Ok((
        start,
        CheckedState {
            state: after,
            app_hash: after.app_hash(roots_after),
        },
    ))
}

pub(crate) fn same_app_hash(proven: &[u8; 32], committed: &[u8]) -> Result<(), LightError> {
    if committed == proven {
        Ok(())
    } else {
        Err(LightError::AppHashMismatch {
            proven: hex::encode(proven),
            committed: hex::encode(committed),
        })
    }
}

/// Checks that the embedded sequencer (the key genesis pins) committed the app hash of
/// `checked`: the commit names the same app hash and the signature over it verifies.
pub fn check_sequencer_commit(
    sequencer: &[u8; 32],
    chain_id: &str,
    checked: &CheckedState,
    committed_app_hash: &[u8; 32],
    signature: &[u8; 64],
) -> Result<(), LightError> {
    same_app_hash(&checked.app_hash, committed_app_hash)?;
    verify_commit(
        sequencer,
        chain_id,
        checked.state.height,
        &checked.app_hash,
        signature,
    )?;
    Ok(())
}

/// The chain id and validator set of a CometBFT genesis document (`genesis.json`'s text): the
/// validators the light client trusts on a CometBFT chain.
pub fn cometbft_genesis_validators(json: &str) -> Result<(String, validator::Set), LightError> {
    let genesis: tendermint::Genesis<Option<serde_json::Value>> =
        serde_json::from_str(json).map_err(|e| LightError::CometbftGenesis(e.to_string()))?;
    if genesis.validators.is_empty() {
        return Err(LightError::CometbftGenesis("it names no validators".into()));
    }
    Ok((
        genesis.chain_id.to_string(),
        validator::Set::without_proposer(genesis.validators),
    ))
}

/// Checks that CometBFT committed `app_hash` after block `height`: the header of the *next*
/// height carries the app hash after a block (CometBFT's off-by-one), so `signed_header` must be
/// that of height `height + 1` on `chain_id`, with `app_hash`, signed by more than 2/3 of the
/// voting power of `validators`. zkpsm never changes its validator set, so `validators` must also
/// be the genesis set the light client trusts (`trusted`).
pub fn check_cometbft_commit(
    trusted: &validator::Set,
    chain_id: &str,
    height: u64,
    app_hash: &[u8; 32],
    signed_header: &SignedHeader,
    validators: &validator::Set,
) -> Result<(), LightError> {
    let header = &signed_header.header;
    let fail = |why: String| Err(LightError::CometbftCommit(why));
    if header.chain_id.as_str() != chain_id {
        return fail(format!(
            "the header is for chain {}, not {chain_id}",
            header.chain_id
        ));
    }
    let expected_height = height + 1;
    if header.height.value() != expected_height {
        return fail(format!(
            "the header is of height {}; the app hash after block {} is in the header of height \
             {expected_height}",
            header.height, height
        ));
    }
    same_app_hash(app_hash, header.app_hash.as_bytes())?;
    if validators.hash() != trusted.hash() {
        return fail(format!(
            "the validator set {} is not the genesis set {} (zkpsm never changes it)",
            validators.hash(),
            trusted.hash()
        ));
    }
    let untrusted = UntrustedBlockState {
        signed_header,
        validators,
        next_validators: None,
    };
    let verifier = ProdVerifier::default();
    for verdict in [
        verifier.verify_validator_sets(&untrusted),
        verifier.verify_commit(&untrusted),
    ] {
        match verdict {
            Verdict::Success => {}
            Verdict::NotEnoughTrust(tally) => {
                return fail(format!("not enough voting power signed: {tally}"));
            }
            Verdict::Invalid(detail) => return fail(format!("{detail} (more than 2/3 must sign)")),
        }
    }
    Ok(())
}

/// Checks the node's answer "`nf` is (not) spent" against the proven nullifier root: for a spent
/// nullifier its own leaf, for an unspent one the low leaf that brackets it.
pub fn check_nullifier(
    checked: &CheckedState,
    nf: &Fq,
    spent: bool,
    leaf: NullifierLeaf,
    path: NodePath,
) -> Result<(), LightError> {
    let root = checked.state.nf_root.0;
    let holds = if spent {
        MembershipProof { leaf, path }.verify(&root, nf)
    } else {
        NonMembershipProof {
            low_leaf: leaf,
            path,
        }
        .verify(&root, nf)
    };
    if holds {
        Ok(())
    } else {
        Err(LightError::BadStateProof(format!(
            "nullifier {}",
            zkpsm_primitives::field::to_hex(nf)
        )))
    }
}

/// Checks that note commitment `cm` is in the proven note tree at `path`'s position.
pub fn check_commitment(
    checked: &CheckedState,
    cm: &Fq,
    path: &PathWitness,
) -> Result<(), LightError> {
    if path.index < checked.state.cm_size && root_from(*cm, path) == checked.state.cm_root.0 {
        Ok(())
    } else {
        Err(LightError::BadStateProof(format!(
            "commitment {}",
            zkpsm_primitives::field::to_hex(cm)
        )))
    }
}
