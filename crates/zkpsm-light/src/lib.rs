//! The light client's checks, free of any networking: a compressed chain proof verified from the
//! genesis state, the app hash it implies compared with the one the chain committed (signed by the
//! embedded sequencer), and answers about nullifiers and note commitments checked as Merkle proofs
//! against the roots the proof attests.
//!
//! What it trusts: the chain proof covers the state transition of every block, not the validity
//! of the transactions' spend proofs, which the validators (or sequencer) check and anyone can
//! re-check from the published blocks.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use zkpsm_primitives::Fq;
use zkpsm_primitives::chain_step::{PathWitness, Z_LEN};
use zkpsm_primitives::indexed_leaf::NullifierLeaf;
use zkpsm_primitives::sequencer::verify_commit;
use zkpsm_proofs::chain::{ChainProof, ChainVerifierKey};
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
    /// A state answer whose Merkle proof does not reach the proven root.
    #[error("the node's answer about {0} does not check against the proven roots")]
    BadStateProof(String),
}

/// A chain state the light client has checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedState {
    /// The proven state.
    pub state: ChainState,
    /// Its app hash, as committed.
    pub app_hash: [u8; 32],
}

/// Verifies `proof` from the genesis state `z0` and checks that the state it proves, with the
/// other modules' roots, hashes to `committed_app_hash`.
pub fn check_chain_proof(
    vk: &ChainVerifierKey,
    z0: &[Fq; Z_LEN],
    proof: &ChainProof,
    module_roots: &[(String, [u8; 32])],
    committed_app_hash: &[u8; 32],
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
    if &app_hash != committed_app_hash {
        return Err(LightError::AppHashMismatch {
            proven: hex::encode(app_hash),
            committed: hex::encode(committed_app_hash),
        });
    }
    Ok(CheckedState { state, app_hash })
}

/// Checks the embedded sequencer's signature on the commit of `checked` (the key genesis pins).
pub fn check_sequencer_commit(
    sequencer: &[u8; 32],
    chain_id: &str,
    checked: &CheckedState,
    signature: &[u8; 64],
) -> Result<(), LightError> {
    verify_commit(
        sequencer,
        chain_id,
        checked.state.height,
        &checked.app_hash,
        signature,
    )?;
    Ok(())
}

/// Checks the node's answer "`nf` is (not) spent" against the proven nullifier root: for a spent
/// nullifier its own leaf, for an unspent one the low leaf that brackets it.
pub fn check_nullifier(
    checked: &CheckedState,
    nf: &Fq,
    spent: bool,
    leaf: NullifierLeaf,
    path: PathWitness,
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
