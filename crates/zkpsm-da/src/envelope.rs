//! A payload (a block with its commit, or a chain proof) split into blobs that each fit the DA
//! layer's limit, and joined back. Every part names its payload's kind, chain height, part index
//! and count, and the payload's length and blake3 digest, so a reader refuses a corrupted part, a
//! missing part or a stranger's blob with a reason instead of misreading it.

use crate::DaError;
use borsh::{BorshDeserialize, BorshSerialize};
use std::collections::BTreeMap;

/// The first bytes of every zkpsm blob.
pub const MAGIC: [u8; 4] = *b"ZKDA";
/// The envelope's format version.
pub const VERSION: u8 = 1;
/// The largest payload a reader assembles (a block is at most 8 MiB).
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;
/// Bytes a part's header takes, before its data.
pub const HEADER_BYTES: usize = 4 + 1 + 1 + 8 + 4 + 4 + 8 + 32 + 4;

/// What a payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum Kind {
    /// A committed block with its commit.
    Block = 0,
    /// A compressed chain proof.
    ChainProof = 1,
}

/// One blob: a slice of a payload with what identifies it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Part {
    magic: [u8; 4],
    version: u8,
    /// The payload's kind.
    pub kind: Kind,
    /// The chain height the payload is about.
    pub height: u64,
    /// This part's index.
    pub index: u32,
    /// How many parts the payload has.
    pub count: u32,
    /// The whole payload's length.
    pub total_len: u64,
    /// blake3 of the whole payload.
    pub digest: [u8; 32],
    /// This part's bytes.
    pub data: Vec<u8>,
}

/// A payload read back whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    /// Its kind.
    pub kind: Kind,
    /// The chain height it is about.
    pub height: u64,
    /// Its bytes, checked against the digest every part names.
    pub bytes: Vec<u8>,
}

/// Splits `payload` into blobs of at most `max_blob_bytes` each.
pub fn split(
    kind: Kind,
    height: u64,
    payload: &[u8],
    max_blob_bytes: usize,
) -> Result<Vec<Vec<u8>>, DaError> {
    let room = max_blob_bytes
        .checked_sub(HEADER_BYTES)
        .filter(|room| *room > 0)
        .ok_or(DaError::TooLarge {
            size: HEADER_BYTES + 1,
            limit: max_blob_bytes,
        })?;
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(DaError::TooLarge {
            size: payload.len(),
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    let digest = *blake3::hash(payload).as_bytes();
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[]]
    } else {
        payload.chunks(room).collect()
    };
    let count = u32::try_from(chunks.len()).map_err(|_| DaError::TooLarge {
        size: payload.len(),
        limit: room * u32::MAX as usize,
    })?;
    Ok(chunks
        .iter()
        .enumerate()
        .map(|(index, data)| {
            borsh::to_vec(&Part {
                magic: MAGIC,
                version: VERSION,
                kind,
                height,
                index: index as u32,
                count,
                total_len: payload.len() as u64,
                digest,
                data: data.to_vec(),
            })
            .expect("encoding into a Vec cannot fail")
        })
        .collect())
}

/// Decodes one blob as a part, refusing what is not a zkpsm blob of this version.
pub fn decode_part(blob: &[u8]) -> Result<Part, DaError> {
    if blob.len() < HEADER_BYTES || blob[..4] != MAGIC {
        return Err(DaError::Malformed("not a zkpsm blob".into()));
    }
    let part = Part::try_from_slice(blob)
        .map_err(|e| DaError::Malformed(format!("a zkpsm blob that does not decode: {e}")))?;
    if part.version != VERSION {
        return Err(DaError::Malformed(format!(
            "blob format version {} (this node reads {VERSION})",
            part.version
        )));
    }
    if part.total_len > MAX_PAYLOAD_BYTES as u64 {
        return Err(DaError::Malformed(format!(
            "a payload of {} bytes (at most {MAX_PAYLOAD_BYTES})",
            part.total_len
        )));
    }
    if part.count == 0 || part.index >= part.count {
        return Err(DaError::Malformed(format!(
            "part {} of {}",
            part.index, part.count
        )));
    }
    Ok(part)
}

/// What the parts of one payload share: kind, chain height, digest, part count, length.
type GroupKey = (Kind, u64, [u8; 32], u32, u64);

/// At most this many payloads are held incomplete by an [`Assembler`] at once.
pub const MAX_INCOMPLETE_PAYLOADS: usize = 64;
/// At most this many bytes of parts are held by an [`Assembler`] at once: two of the largest
/// payloads.
pub const MAX_HELD_BYTES: usize = 2 * MAX_PAYLOAD_BYTES;

/// The parts of one payload held so far, and when its first part arrived.
struct Group {
    first_seen: u64,
    bytes: u64,
    parts: BTreeMap<u32, Vec<u8>>,
}

/// Joins parts into whole payloads as they are read, across DA heights (a payload larger than
/// one submission spans several). A part that is not valid, a part seen twice and a payload whose
/// bytes do not hash to its digest give errors, so that a reader skips them with a reason and goes
/// on; parts of payloads not yet complete are held.
///
/// Parts are grouped by everything their payload claims, its digest included, so a forged part
/// that names the height of a real payload starts a group of its own and never shadows the real
/// parts. What is held is bounded ([`MAX_INCOMPLETE_PAYLOADS`], [`MAX_HELD_BYTES`]): past either
/// bound the incomplete payloads whose first parts arrived earliest are dropped, with an error, and
/// a part that would take its payload past the length the payload claims is refused. A real payload
/// whose parts span several submissions is then lost if more than [`MAX_INCOMPLETE_PAYLOADS`]
/// forged payloads are started between them; blocks fit one submission, so what a reader can lose
/// this way is a chain proof, and a later one takes its place.
#[derive(Default)]
pub struct Assembler {
    groups: BTreeMap<GroupKey, Group>,
    held_bytes: usize,
    pushed: u64,
}

impl Assembler {
    /// Takes one blob: a payload once its last part arrives, an error for a bad part or for an
    /// incomplete payload dropped to keep within the bounds, else none.
    pub fn push(&mut self, blob: &[u8]) -> Option<Result<Payload, DaError>> {
        let part = match decode_part(blob) {
            Ok(part) => part,
            Err(e) => return Some(Err(e)),
        };
        let key = (
            part.kind,
            part.height,
            part.digest,
            part.count,
            part.total_len,
        );
        self.pushed += 1;
        let first_seen = self.pushed;
        let group = self.groups.entry(key).or_insert_with(|| Group {
            first_seen,
            bytes: 0,
            parts: BTreeMap::new(),
        });
        if group.parts.contains_key(&part.index) {
            return Some(Err(DaError::Malformed(format!(
                "part {} of {:?} {} appears twice",
                part.index, part.kind, part.height
            ))));
        }
        if group.bytes + part.data.len() as u64 > part.total_len {
            if group.parts.is_empty() {
                self.groups.remove(&key);
            }
            return Some(Err(DaError::Malformed(format!(
                "part {} of {:?} {}: more data than the payload's {} bytes",
                part.index, part.kind, part.height, part.total_len
            ))));
        }
        group.bytes += part.data.len() as u64;
        self.held_bytes += part.data.len();
        group.parts.insert(part.index, part.data);
        if group.parts.len() < part.count as usize {
            return self.drop_oldest_while_over().map(Err);
        }
        let parts = self.remove(&key);
        let bytes: Vec<u8> = parts.into_values().flatten().collect();
        if bytes.len() as u64 != part.total_len || *blake3::hash(&bytes).as_bytes() != part.digest {
            return Some(Err(DaError::Malformed(format!(
                "{:?} {}: the parts do not hash to the digest they name",
                part.kind, part.height
            ))));
        }
        Some(Ok(Payload {
            kind: part.kind,
            height: part.height,
            bytes,
        }))
    }

    /// Removes a group, returning its parts.
    fn remove(&mut self, key: &GroupKey) -> BTreeMap<u32, Vec<u8>> {
        let parts = self.groups.remove(key).map(|g| g.parts).unwrap_or_default();
        self.held_bytes -= parts.values().map(Vec::len).sum::<usize>();
        parts
    }

    /// While past a bound, drops the incomplete payload whose first part arrived earliest; one
    /// error names every payload dropped.
    fn drop_oldest_while_over(&mut self) -> Option<DaError> {
        let mut dropped = Vec::new();
        while self.groups.len() > MAX_INCOMPLETE_PAYLOADS || self.held_bytes > MAX_HELD_BYTES {
            let Some(key) = self
                .groups
                .iter()
                .min_by_key(|(_, g)| g.first_seen)
                .map(|(key, _)| *key)
            else {
                break;
            };
            let (kind, height, _, count, _) = key;
            let held = self.remove(&key).len();
            dropped.push(format!(
                "{kind:?} {height}: dropped with {held} of {count} parts"
            ));
        }
        if dropped.is_empty() {
            return None;
        }
        Some(DaError::Malformed(format!(
            "{}, the oldest incomplete payloads (at most {MAX_INCOMPLETE_PAYLOADS} payloads and \
             {MAX_HELD_BYTES} bytes are held)",
            dropped.join("; ")
        )))
    }

    /// The payloads still missing parts, described.
    pub fn incomplete(&self) -> Vec<String> {
        self.groups
            .iter()
            .map(|((kind, height, _, count, _), group)| {
                format!("{kind:?} {height}: {} of {count} parts", group.parts.len())
            })
            .collect()
    }
}

/// Joins `blobs` (one DA height's, say) into whole payloads with an [`Assembler`]; payloads left
/// incomplete at the end are errors.
pub fn join(blobs: &[Vec<u8>]) -> Vec<Result<Payload, DaError>> {
    let mut assembler = Assembler::default();
    let mut out: Vec<_> = blobs.iter().filter_map(|b| assembler.push(b)).collect();
    out.extend(
        assembler
            .incomplete()
            .into_iter()
            .map(|why| Err(DaError::Malformed(why))),
    );
    out
}
