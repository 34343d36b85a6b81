//! In-band note encryption in the style of ZIP 212, on the Pallas curve.
//!
//! For each output the sender derives `esk = PRF(rseed, "esk")`, publishes `epk = [esk] G_d`, and
//! encrypts the fixed-size plaintext `(d, value, rseed, memo)` with ChaCha20-Poly1305 under
//! `K = KDF([esk] pk_d ‖ epk)`. The recipient computes the same secret as `[ivk] epk`. A recipient
//! MUST recompute the commitment from the plaintext (and `epk` from `rseed`) before counting a note:
//! the ciphertext alone proves nothing.
//!
//! The sender also writes `out_ct`, `pk_d ‖ own ‖ esk` encrypted under `PRF(ovk, cm, epk)`, so a
//! wallet restored from its seed sees what it sent.
//!
//! Nothing stops a sender from publishing a ciphertext its recipient cannot decrypt (the proof does
//! not cover encryption); such a payment is lost to the recipient, as in Zcash.

use crate::Error;
use crate::field::{self, Fq};
use crate::keys::{
    Address, Diversifier, IncomingViewingKey, OutgoingViewingKey, decode_point, encode_point,
};
use crate::note::{Note, NoteCommitment};
use crate::prf::{context, prf_bytes};
use borsh::{BorshDeserialize, BorshSerialize};
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use halo2curves::pasta::Pallas;

/// Bytes of a memo.
pub const MEMO_BYTES: usize = 512;
/// Bytes of a note plaintext: `d (11) ‖ value (8) ‖ rseed (32) ‖ memo (512)`.
pub const NOTE_PLAINTEXT_BYTES: usize = 11 + 8 + 32 + MEMO_BYTES;
/// Bytes of a note ciphertext (plaintext plus the Poly1305 tag).
pub const ENC_CIPHERTEXT_BYTES: usize = NOTE_PLAINTEXT_BYTES + 16;
/// Bytes of an outgoing plaintext: `pk_d ‖ own ‖ esk`.
pub const OUT_PLAINTEXT_BYTES: usize = 32 * 3;
/// Bytes of an outgoing ciphertext.
pub const OUT_CIPHERTEXT_BYTES: usize = OUT_PLAINTEXT_BYTES + 16;
/// Bytes of the ciphertext prefix a compact output carries (covers `d`, `value` and `rseed`).
pub const COMPACT_CIPHERTEXT_BYTES: usize = 52;

/// A memo: 512 bytes of free data for the recipient.
pub type Memo = [u8; MEMO_BYTES];

/// The encrypted part of one output, as carried in a transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct EncryptedNote {
    /// The ephemeral public key `[esk] G_d` (compressed).
    pub epk: [u8; 32],
    /// The note ciphertext for the recipient.
    pub enc_ct: [u8; ENC_CIPHERTEXT_BYTES],
    /// The outgoing ciphertext for the sender.
    pub out_ct: [u8; OUT_CIPHERTEXT_BYTES],
}

/// What a light wallet downloads per output to find its notes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CompactOutput {
    /// The note commitment.
    pub cm: NoteCommitment,
    /// The ephemeral public key.
    pub epk: [u8; 32],
    /// The first 52 bytes of the note ciphertext.
    pub ciphertext: [u8; COMPACT_CIPHERTEXT_BYTES],
}

impl CompactOutput {
    /// The compact form of a full output.
    pub fn new(cm: NoteCommitment, encrypted: &EncryptedNote) -> Self {
        let mut ciphertext = [0u8; COMPACT_CIPHERTEXT_BYTES];
        ciphertext.copy_from_slice(&encrypted.enc_ct[..COMPACT_CIPHERTEXT_BYTES]);
        Self {
            cm,
            epk: encrypted.epk,
            ciphertext,
        }
    }
}

/// A note recovered from a ciphertext, with its memo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptedNote {
    /// The note, checked against its commitment.
    pub note: Note,
    /// The memo.
    pub memo: Memo,
}

fn note_key(shared: &Pallas, epk: &[u8; 32]) -> Result<[u8; 32], Error> {
    if bool::from(group::Group::is_identity(shared)) {
        return Err(Error::Decryption("shared secret is the identity"));
    }
    Ok(prf_bytes(context::NOTE_KEY, &[&encode_point(shared), epk]))
}

fn outgoing_key(ovk: &OutgoingViewingKey, cm: &NoteCommitment, epk: &[u8; 32]) -> [u8; 32] {
    prf_bytes(context::OUT_KEY, &[&ovk.0, &cm.to_bytes(), epk])
}

fn aead(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(Key::from_slice(key))
}

/// Encrypts a note for its recipient, and its outgoing record for the sender's `ovk`.
pub fn encrypt_note(note: &Note, memo: &Memo, ovk: &OutgoingViewingKey) -> EncryptedNote {
    let esk = note.esk();
    let epk = encode_point(&(note.recipient.d.base_point() * esk));
    let shared = note.recipient.pk_d * esk;
    // A valid address's pk_d is never the identity, and esk is non-zero except with negligible
    // probability; fall back to an all-zero key that no recipient will ever use.
    let key = note_key(&shared, &epk).unwrap_or([0u8; 32]);

    let mut plaintext = Vec::with_capacity(NOTE_PLAINTEXT_BYTES);
    plaintext.extend_from_slice(&note.recipient.d.0);
    plaintext.extend_from_slice(&note.value.to_le_bytes());
    plaintext.extend_from_slice(&note.rseed);
    plaintext.extend_from_slice(memo);
    let enc_ct = seal(&key, &plaintext);

    let cm = note.commitment();
    let mut out_plain = Vec::with_capacity(OUT_PLAINTEXT_BYTES);
    out_plain.extend_from_slice(&encode_point(&note.recipient.pk_d));
    out_plain.extend_from_slice(&field::to_bytes(&note.recipient.own));
    out_plain.extend_from_slice(&field::to_bytes(&esk));
    let out_ct = seal(&outgoing_key(ovk, &cm, &epk), &out_plain);

    EncryptedNote {
        epk,
        enc_ct,
        out_ct,
    }
}

fn seal<const N: usize>(key: &[u8; 32], plaintext: &[u8]) -> [u8; N] {
    let ct = aead(key)
        .encrypt(Nonce::from_slice(&[0u8; 12]), plaintext)
        .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 encryption of a short buffer"));
    ct.try_into()
        .unwrap_or_else(|_| unreachable!("fixed-size plaintexts give fixed-size ciphertexts"))
}

/// The fields of a note plaintext (without the memo).
struct PlainNote {
    d: Diversifier,
    value: u64,
    rseed: [u8; 32],
}

fn parse_plaintext(bytes: &[u8]) -> PlainNote {
    let mut d = [0u8; 11];
    d.copy_from_slice(&bytes[..11]);
    let mut value = [0u8; 8];
    value.copy_from_slice(&bytes[11..19]);
    let mut rseed = [0u8; 32];
    rseed.copy_from_slice(&bytes[19..51]);
    PlainNote {
        d: Diversifier(d),
        value: u64::from_le_bytes(value),
        rseed,
    }
}

/// Rebuilds the note an incoming viewing key sees in a plaintext and checks it against `epk` and `cm`.
fn check_incoming(
    ivk: &IncomingViewingKey,
    plain: PlainNote,
    epk: &[u8; 32],
    cm: &NoteCommitment,
) -> Result<Note, Error> {
    let note = Note {
        recipient: ivk.address_for(plain.d),
        value: plain.value,
        rseed: plain.rseed,
    };
    check_note(&note, epk, cm)?;
    Ok(note)
}

/// Checks that `epk` is `[esk] G_d` for the note's seed and that the note opens `cm`.
fn check_note(note: &Note, epk: &[u8; 32], cm: &NoteCommitment) -> Result<(), Error> {
    if encode_point(&(note.recipient.d.base_point() * note.esk())) != *epk {
        return Err(Error::Decryption("epk does not match the note's seed"));
    }
    if note.commitment() != *cm {
        return Err(Error::Decryption(
            "plaintext does not open the note commitment",
        ));
    }
    Ok(())
}

/// Trial-decrypts a full output with an incoming viewing key.
pub fn try_decrypt(
    ivk: &IncomingViewingKey,
    cm: &NoteCommitment,
    encrypted: &EncryptedNote,
) -> Result<DecryptedNote, Error> {
    let epk_point = decode_point(&encrypted.epk, "epk")?;
    let key = note_key(&(epk_point * ivk.ivk), &encrypted.epk)?;
    let plaintext = open(&key, &encrypted.enc_ct)?;
    let note = check_incoming(ivk, parse_plaintext(&plaintext), &encrypted.epk, cm)?;
    let mut memo = [0u8; MEMO_BYTES];
    memo.copy_from_slice(&plaintext[51..]);
    Ok(DecryptedNote { note, memo })
}

/// Trial-decrypts a compact output (no memo, no tag: the commitment check authenticates it).
pub fn try_decrypt_compact(
    ivk: &IncomingViewingKey,
    output: &CompactOutput,
) -> Result<Note, Error> {
    let epk_point = decode_point(&output.epk, "epk")?;
    let key = note_key(&(epk_point * ivk.ivk), &output.epk)?;
    let mut prefix = output.ciphertext;
    let mut cipher = chacha20::ChaCha20::new(&key.into(), &[0u8; 12].into());
    // ChaCha20-Poly1305 encrypts the plaintext from block 1 on (block 0 keys Poly1305).
    cipher.seek(64u64);
    cipher.apply_keystream(&mut prefix);
    check_incoming(ivk, parse_plaintext(&prefix), &output.epk, &output.cm)
}

/// Recovers, with the sender's outgoing viewing key, a note it sent.
pub fn try_recover_outgoing(
    ovk: &OutgoingViewingKey,
    cm: &NoteCommitment,
    encrypted: &EncryptedNote,
) -> Result<DecryptedNote, Error> {
    let out = open(&outgoing_key(ovk, cm, &encrypted.epk), &encrypted.out_ct)?;
    let part = |i: usize| -> [u8; 32] {
        let mut b = [0u8; 32];
        b.copy_from_slice(&out[i * 32..(i + 1) * 32]);
        b
    };
    let pk_d = decode_point(&part(0), "pk_d")?;
    let own = field::from_bytes(&part(1), "own")?;
    let esk: Fq = field::from_bytes(&part(2), "esk")?;
    let key = note_key(&(pk_d * esk), &encrypted.epk)?;
    let plaintext = open(&key, &encrypted.enc_ct)?;
    let plain = parse_plaintext(&plaintext);
    let note = Note {
        recipient: Address {
            d: plain.d,
            pk_d,
            own,
        },
        value: plain.value,
        rseed: plain.rseed,
    };
    if note.esk() != esk {
        return Err(Error::Decryption("esk does not match the note's seed"));
    }
    check_note(&note, &encrypted.epk, cm)?;
    let mut memo = [0u8; MEMO_BYTES];
    memo.copy_from_slice(&plaintext[51..]);
    Ok(DecryptedNote { note, memo })
}

fn open(key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    aead(key)
        .decrypt(Nonce::from_slice(&[0u8; 12]), ciphertext)
        .map_err(|_| Error::Decryption("authentication failed (not for this key, or tampered)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SpendingKey;
    use rand::rngs::OsRng;

    struct Fixture {
        recipient_ivk: IncomingViewingKey,
        sender_ovk: OutgoingViewingKey,
        note: Note,
        memo: Memo,
        encrypted: EncryptedNote,
    }

    fn fixture() -> Fixture {
        let recipient = SpendingKey::random(&mut OsRng).full_viewing_key();
        let sender = SpendingKey::random(&mut OsRng).full_viewing_key();
        let note = Note::new(recipient.address_at(9), 1234, &mut OsRng);
        let mut memo = [0u8; MEMO_BYTES];
        memo[..5].copy_from_slice(b"hello");
        let encrypted = encrypt_note(&note, &memo, &sender.ovk);
        Fixture {
            recipient_ivk: recipient.incoming_viewing_key(),
            sender_ovk: sender.ovk,
            note,
            memo,
            encrypted,
        }
    }

    #[test]
    fn round_trip_full_compact_and_outgoing() {
        let f = fixture();
        let cm = f.note.commitment();
        let got = try_decrypt(&f.recipient_ivk, &cm, &f.encrypted).expect("decrypts");
        assert_eq!(
            got,
            DecryptedNote {
                note: f.note,
                memo: f.memo
            }
        );
        let compact = CompactOutput::new(cm, &f.encrypted);
        assert_eq!(try_decrypt_compact(&f.recipient_ivk, &compact), Ok(f.note));
        let sent = try_recover_outgoing(&f.sender_ovk, &cm, &f.encrypted).expect("recovers");
        assert_eq!(sent.note, f.note);
        assert_eq!(sent.memo, f.memo);
    }

    #[test]
    fn wrong_key_fails() {
        let f = fixture();
        let cm = f.note.commitment();
        let stranger = SpendingKey::random(&mut OsRng).full_viewing_key();
        assert!(try_decrypt(&stranger.incoming_viewing_key(), &cm, &f.encrypted).is_err());
        let compact = CompactOutput::new(cm, &f.encrypted);
        assert!(try_decrypt_compact(&stranger.incoming_viewing_key(), &compact).is_err());
        assert!(try_recover_outgoing(&stranger.ovk, &cm, &f.encrypted).is_err());
    }

    #[test]
    fn tampered_ciphertexts_fail() {
        let f = fixture();
        let cm = f.note.commitment();
        for i in [0, 20, 300, ENC_CIPHERTEXT_BYTES - 1] {
            let mut bad = f.encrypted.clone();
            bad.enc_ct[i] ^= 1;
            assert!(
                try_decrypt(&f.recipient_ivk, &cm, &bad).is_err(),
                "byte {i}"
            );
        }
        let mut bad = f.encrypted.clone();
        bad.out_ct[3] ^= 1;
        assert!(try_recover_outgoing(&f.sender_ovk, &cm, &bad).is_err());
        // A tampered compact prefix decrypts to another value or seed, which fails the cm check.
        let mut compact = CompactOutput::new(cm, &f.encrypted);
        compact.ciphertext[12] ^= 1;
        assert!(try_decrypt_compact(&f.recipient_ivk, &compact).is_err());
    }

    #[test]
    fn wrong_epk_fails() {
        let f = fixture();
        let cm = f.note.commitment();
        let mut bad = f.encrypted.clone();
        bad.epk = encode_point(&(<Pallas as group::Group>::generator() * Fq::from(5)));
        assert!(try_decrypt(&f.recipient_ivk, &cm, &bad).is_err());
        bad.epk = [0u8; 32]; // the identity
        assert!(try_decrypt(&f.recipient_ivk, &cm, &bad).is_err());
    }

    #[test]
    fn plaintext_that_does_not_open_cm_fails() {
        let f = fixture();
        // Correctly encrypted for the recipient, but announced with another commitment.
        let other_cm = NoteCommitment(f.note.commitment().0 + Fq::from(1));
        assert_eq!(
            try_decrypt(&f.recipient_ivk, &other_cm, &f.encrypted),
            Err(Error::Decryption(
                "plaintext does not open the note commitment"
            ))
        );
        let compact = CompactOutput::new(other_cm, &f.encrypted);
        assert!(try_decrypt_compact(&f.recipient_ivk, &compact).is_err());
    }
}
