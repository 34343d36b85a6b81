//! The embedded DA store and the blob envelope: payloads of any size land and read back
//! byte-for-byte, split to the limit; corrupted, truncated, missing and foreign blobs are refused
//! with a reason while the valid payloads beside them still read; the store survives reopening.

use zkpsm_da::envelope::{
    Assembler, Kind, MAX_INCOMPLETE_PAYLOADS, MAX_PAYLOAD_BYTES, join, split,
};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{DaError, DataAvailability, EmbeddedDa, Namespace};

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

#[test]
fn namespaces_are_per_chain_and_purpose() {
    let blocks = Namespace::of("zkpsm-a", Purpose::Blocks);
    assert_ne!(blocks, Namespace::of("zkpsm-a", Purpose::ChainProofs));
    assert_ne!(blocks, Namespace::of("zkpsm-b", Purpose::Blocks));
    assert_eq!(blocks, Namespace::of("zkpsm-a", Purpose::Blocks));
    assert_ne!(blocks.0[0], 0);
}

#[test]
fn payloads_land_split_and_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("da.redb");
    let ns = Namespace::of("zkpsm-test", Purpose::Blocks);
    let other = Namespace::of("zkpsm-test", Purpose::ChainProofs);
    let limit = 1000;
    let big = payload(4321, 1);
    let small = payload(10, 2);
    {
        let da = EmbeddedDa::open(&path, limit).unwrap();
        assert_eq!(da.head().unwrap(), 0);
        let blobs = split(Kind::Block, 7, &big, limit).unwrap();
        assert_eq!(blobs.len(), 5);
        assert!(blobs.iter().all(|b| b.len() <= limit));
        let refs = da.submit(ns, &blobs).unwrap();
        assert!(refs.iter().all(|r| r.height == 1 && r.namespace == ns));
        da.submit(other, &split(Kind::ChainProof, 7, &small, limit).unwrap())
            .unwrap();
        assert!(matches!(
            da.submit(ns, &[vec![0; limit + 1]]),
            Err(DaError::TooLarge { .. })
        ));
    }
    // Reopened: everything is still there, at its height and namespace only.
    let da = EmbeddedDa::open(&path, limit).unwrap();
    assert_eq!(da.head().unwrap(), 2);
    let read = join(&da.get(1, ns).unwrap());
    assert_eq!(read.len(), 1);
    let block = read[0].as_ref().unwrap();
    assert_eq!((block.kind, block.height), (Kind::Block, 7));
    assert_eq!(block.bytes, big);
    assert!(da.get(1, other).unwrap().is_empty());
    assert!(da.get(3, ns).unwrap().is_empty());
    let proof = join(&da.get(2, other).unwrap());
    assert_eq!(proof[0].as_ref().unwrap().bytes, small);
}

#[test]
fn bad_blobs_are_refused_and_good_ones_still_read() {
    let limit = 500;
    let good = split(Kind::Block, 3, &payload(1200, 3), limit).unwrap();
    let victim = split(Kind::Block, 4, &payload(900, 4), limit).unwrap();

    // A flipped byte in a part's data: that payload fails its digest, the other reads.
    let mut corrupted = victim.clone();
    let last = corrupted[1].len() - 1;
    corrupted[1][last] ^= 1;
    let mut blobs = good.clone();
    blobs.extend(corrupted);
    let read = join(&blobs);
    assert_eq!(read.iter().filter(|r| r.is_ok()).count(), 1);
    let why = read
        .iter()
        .find_map(|r| r.as_ref().err())
        .unwrap()
        .to_string();
    assert!(why.contains("do not hash to the digest"), "{why}");

    // A missing part, a truncated part, a stranger's blob, a duplicate part.
    let mut blobs = vec![good[0].clone()];
    blobs.extend(good.clone());
    blobs.push(victim[0].clone());
    blobs.push(victim[1][..victim[1].len() / 2].to_vec());
    blobs.push(b"hello from someone else".to_vec());
    let read = join(&blobs);
    let errors: Vec<String> = read
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("not a zkpsm blob")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("does not decode")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("1 of 3 parts")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("appears twice")),
        "{errors:?}"
    );
    let ok: Vec<_> = read.into_iter().filter_map(Result::ok).collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].height, 3);

    // An empty payload is one part; a limit below the header is refused.
    let empty = split(Kind::ChainProof, 1, &[], limit).unwrap();
    assert_eq!(join(&empty)[0].as_ref().unwrap().bytes, Vec::<u8>::new());
    assert!(split(Kind::Block, 1, b"x", 10).is_err());
}

#[test]
fn a_payload_spanning_several_submissions_is_assembled_across_heights() {
    let limit = 300;
    let big = payload(2000, 9);
    let parts = split(Kind::Block, 11, &big, limit).unwrap();
    let mut assembler = Assembler::default();
    let (first, rest) = parts.split_at(3);
    assert!(first.iter().all(|p| assembler.push(p).is_none()));
    assert_eq!(
        assembler.incomplete(),
        vec![format!("Block 11: 3 of {} parts", parts.len())]
    );
    let mut done: Vec<_> = rest.iter().filter_map(|p| assembler.push(p)).collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done.remove(0).unwrap().bytes, big);
    assert!(assembler.incomplete().is_empty());
    // A part that claims an absurd payload is refused outright.
    assert!(split(Kind::Block, 1, &vec![0; MAX_PAYLOAD_BYTES + 1], 1 << 20).is_err());
}

#[test]
fn a_forged_first_part_does_not_shadow_the_real_parts() {
    let limit = 300;
    let real = payload(2000, 9);
    let parts = split(Kind::Block, 5, &real, limit).unwrap();
    // Anyone can post a part that names height 5, with the real part count and length, first.
    let forged = split(Kind::Block, 5, &payload(2000, 77), limit).unwrap();
    let mut assembler = Assembler::default();
    assert!(assembler.push(&forged[0]).is_none());
    let done: Vec<_> = parts.iter().filter_map(|p| assembler.push(p)).collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].as_ref().unwrap().bytes, real);
    assert_eq!(
        assembler.incomplete(),
        vec![format!("Block 5: 1 of {} parts", forged.len())]
    );
}

#[test]
fn incomplete_payloads_are_bounded_and_the_oldest_is_dropped() {
    let limit = 300;
    let mut assembler = Assembler::default();
    // The first part of many payloads that never complete, one more than is held.
    let starts: Vec<Vec<u8>> = (0..=MAX_INCOMPLETE_PAYLOADS as u64)
        .map(|h| split(Kind::Block, 100 + h, &payload(1000, h as u8), limit).unwrap()[0].clone())
        .collect();
    let mut dropped = Vec::new();
    for start in &starts {
        if let Some(result) = assembler.push(start) {
            dropped.push(result.unwrap_err().to_string());
        }
    }
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert!(
        dropped[0].contains("Block 100: dropped with 1 of"),
        "{dropped:?}"
    );
    let held = assembler.incomplete();
    assert_eq!(held.len(), MAX_INCOMPLETE_PAYLOADS);
    assert!(
        !held.iter().any(|h| h.starts_with("Block 100:")),
        "{held:?}"
    );
    // A payload that completes is still assembled, and then holds nothing.
    let whole = payload(1000, 3);
    let done: Vec<_> = split(Kind::Block, 7, &whole, limit)
        .unwrap()
        .iter()
        .filter_map(|p| assembler.push(p))
        .collect();
    // Its first part was one group too many: the oldest held payload made room for it.
    assert!(
        done.iter().any(|r| matches!(r, Ok(p) if p.bytes == whole)),
        "{done:?}"
    );
    assert_eq!(assembler.incomplete().len(), MAX_INCOMPLETE_PAYLOADS - 1);
}

#[test]
fn parts_beyond_the_claimed_length_are_refused() {
    let limit = 300;
    // Parts that claim a 300-byte payload but each carry 234 bytes: the second is one too many,
    // so a forged group cannot hold more than the length it names.
    let total_len_at = 4 + 1 + 1 + 8 + 4 + 4;
    let parts: Vec<Vec<u8>> = split(Kind::Block, 5, &payload(2000, 4), limit)
        .unwrap()
        .into_iter()
        .map(|mut part| {
            part[total_len_at..total_len_at + 8].copy_from_slice(&300u64.to_le_bytes());
            part
        })
        .collect();
    let mut assembler = Assembler::default();
    assert!(assembler.push(&parts[0]).is_none());
    let refused = assembler.push(&parts[1]).unwrap().unwrap_err().to_string();
    assert!(
        refused.contains("more data than the payload's 300 bytes"),
        "{refused}"
    );
    assert_eq!(
        assembler.incomplete(),
        vec![format!("Block 5: 1 of {} parts", parts.len())]
    );
    // A refused first part leaves nothing held.
    let mut fresh = Assembler::default();
    let mut oversized = parts[0].clone();
    oversized[total_len_at..total_len_at + 8].copy_from_slice(&100u64.to_le_bytes());
    assert!(fresh.push(&oversized).unwrap().is_err());
    assert!(fresh.incomplete().is_empty());
}
