//! The error type of the primitives crate.

/// Everything that can go wrong while decoding or checking primitive values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// 32 bytes that are not the canonical encoding of a field element.
    #[error("not a canonical field element: {0}")]
    NonCanonicalField(&'static str),
    /// 32 bytes that are not a valid compressed Pallas point (or are the identity where it is forbidden).
    #[error("not a valid curve point: {0}")]
    InvalidPoint(&'static str),
    /// A bech32m string that does not decode to the expected kind of value.
    #[error("bad {kind} encoding: {reason}")]
    BadEncoding {
        /// What was being decoded (an address, a viewing key...).
        kind: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// Bytes that are not a canonical transaction.
    #[error("malformed transaction: {0}")]
    MalformedTransaction(String),
    /// A transaction that is well-formed but fails a stateless rule.
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// A ciphertext that did not decrypt to a note for this key.
    #[error("note decryption failed: {0}")]
    Decryption(&'static str),
    /// A signature that does not verify, or a key that is not one.
    #[error("bad signature: {0}")]
    BadSignature(&'static str),
}
