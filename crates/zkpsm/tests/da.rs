//! The DA layer, embedded: a node publishes every committed block with its sequencer-signed commit
//! (the API names where each landed), blobs read back byte-for-byte, and a fresh node synced from
//! the DA store alone (`zkpsm sync --from-da`) reaches the producer's app hash at every height,
//! skipping a corrupted blob, a truncated one, a forged first part of a multi-part block, a block
//! posted without the sequencer's signature, and a signed commit attached to other transactions,
//! each with a logged reason.

mod common;

use common::*;
use rand::rngs::OsRng;
use std::time::{Duration, Instant};
use zkpsm_app::Block;
use zkpsm_da::block_blob::BlockBlob;
use zkpsm_da::embedded::DEFAULT_MAX_BLOB_BYTES;
use zkpsm_da::envelope::{Kind, join, split};
use zkpsm_da::namespace::Purpose;
use zkpsm_da::{DataAvailability, EmbeddedDa, Namespace};
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_test_support::payment_fee;

#[test]
fn a_fresh_node_syncs_from_da_alone_and_skips_what_the_chain_did_not_commit() {
    let (dir, home) = home();
    let alice = SpendingKey::random(&mut OsRng);
    let genesis = init(&home, &alice, 3, 100, &["--block-interval-ms", "200"]);
    let port = free_port();
    let node = NodeProcess::start(&home, port);
    let txs = genesis_spends(&genesis, &alice, &[0, 1, 2], 10);
    for tx in &txs[..2] {
        node.client.submit(tx).unwrap();
    }
    let settled = node.wait_settled(1);
    node.client.submit(&txs[2]).unwrap();
    let head = node.wait_settled(settled);
    assert_eq!(
        node.client.status().unwrap().supply,
        300 - 3 * payment_fee(&genesis)
    );

    // Every committed block is published; the API names its blob's DA height and commitment.
    let deadline = Instant::now() + Duration::from_secs(60);
    while node.client.block(head).unwrap().da.is_empty() {
        assert!(Instant::now() < deadline, "block {head} never published");
        std::thread::sleep(Duration::from_millis(100));
    }
    let producer: Vec<(String, String, Vec<zkpsm_api::types::BlobRefInfo>)> = (1..=head)
        .map(|h| {
            let b = node.client.block(h).unwrap();
            (b.app_hash, b.encoded, b.da)
        })
        .collect();
    node.kill9();
    // Empty blocks went on being made until the kill: the node's own store says which it committed,
    // and what the API reported is a prefix of that.
    let app_hashes = committed_app_hashes(&home, genesis.clone());
    for (h, (reported, _, _)) in producer.iter().enumerate() {
        assert_eq!(*reported, app_hashes[h], "height {}", h + 1);
    }

    // Byte-for-byte: each block's blob holds exactly the block the node committed.
    let da_path = home.join("da.redb");
    let blocks_ns = Namespace::of(&genesis.chain_id, Purpose::Blocks);
    // The last block the publisher posted before the kill.
    let mut published = 0;
    {
        let da = EmbeddedDa::open(&da_path, DEFAULT_MAX_BLOB_BYTES).unwrap();
        for da_height in 1..=da.head().unwrap() {
            for payload in join(&da.get(da_height, blocks_ns).unwrap()) {
                let payload = payload.unwrap();
                assert_eq!(payload.kind, Kind::Block);
                published = published.max(payload.height);
            }
        }
        assert!(published >= head && published as usize <= app_hashes.len());
        for (i, (_, encoded, refs)) in producer.iter().enumerate() {
            let height = i as u64 + 1;
            assert_eq!(refs.len(), 1, "block {height}: {refs:?}");
            assert_eq!(refs[0].namespace, blocks_ns.to_string());
            let blobs = da.get(refs[0].height, blocks_ns).unwrap();
            assert_eq!(
                hex::encode(blake3::hash(&blobs[0]).as_bytes()),
                refs[0].commitment
            );
            let payload = join(&blobs).remove(0).unwrap();
            assert_eq!((payload.kind, payload.height), (Kind::Block, height));
            let blob = BlockBlob::decode(&payload.bytes).unwrap();
            assert_eq!(hex::encode(&blob.block), *encoded);
        }
    }

    // A copy of the namespace as others could make it look: the real blobs, with the sequencer's
    // real commit of a block attached to other transactions posted just before that block, a
    // forged first part of that block and the block itself in small parts, then garbage, a truncated part, a next block signed by a stranger's key, and block 1 again.
    let posted_path = dir.path().join("posted.redb");
    let real_height = {
        let da = EmbeddedDa::open(&da_path, DEFAULT_MAX_BLOB_BYTES).unwrap();
        let posted = EmbeddedDa::open(&posted_path, DEFAULT_MAX_BLOB_BYTES).unwrap();
        // The first block with a transaction.
        let victim = producer
            .iter()
            .position(|(_, encoded, _)| {
                !Block::decode(&hex::decode(encoded).unwrap(), usize::MAX)
                    .unwrap()
                    .txs
                    .is_empty()
            })
            .unwrap();
        let victim_da_height = producer[victim].2[0].height;
        let real = join(&da.get(victim_da_height, blocks_ns).unwrap())
            .remove(0)
            .unwrap();
        let mut swapped = BlockBlob::decode(&real.bytes).unwrap();
        let mut block = Block::decode(&swapped.block, usize::MAX).unwrap();
        block.txs.pop();
        swapped.block = block.to_bytes();
        let swapped = split(
            Kind::Block,
            real.height,
            &swapped.to_bytes(),
            DEFAULT_MAX_BLOB_BYTES,
        )
        .unwrap();
        // The real block itself goes out in several parts, after a forged first part that names
        // its height, part count and length (with another digest): the forged part must not
        // shadow the real ones.
        let small_parts = 4 * 1024;
        let multi_part = split(Kind::Block, real.height, &real.bytes, small_parts).unwrap();
        assert!(multi_part.len() > 2, "{} parts", multi_part.len());
        let mut garbage = real.bytes.clone();
        garbage.iter_mut().for_each(|b| *b ^= 0x5a);
        let forged_first =
            split(Kind::Block, real.height, &garbage, small_parts).unwrap()[0].clone();
        for da_height in 1..=da.head().unwrap() {
            if da_height == victim_da_height {
                posted.submit(blocks_ns, &swapped).unwrap();
                posted
                    .submit(blocks_ns, std::slice::from_ref(&forged_first))
                    .unwrap();
                posted.submit(blocks_ns, &multi_part).unwrap();
                continue;
            }
            let blobs = da.get(da_height, blocks_ns).unwrap();
            if !blobs.is_empty() {
                posted.submit(blocks_ns, &blobs).unwrap();
            }
        }
        posted
            .submit(blocks_ns, &[b"not a block".to_vec()])
            .unwrap();
        let mut truncated = swapped[0].clone();
        truncated.truncate(truncated.len() - 1);
        posted.submit(blocks_ns, &[truncated]).unwrap();
        let forged = stranger_signed_block(&genesis, published + 1);
        posted
            .submit(
                blocks_ns,
                &split(
                    Kind::Block,
                    published + 1,
                    &forged.to_bytes(),
                    DEFAULT_MAX_BLOB_BYTES,
                )
                .unwrap(),
            )
            .unwrap();
        // The same block 1 again, as a publisher that crashed before recording it would post.
        posted
            .submit(
                blocks_ns,
                &da.get(producer[0].2[0].height, blocks_ns).unwrap(),
            )
            .unwrap();
        real.height
    };

    // A fresh node from genesis and the DA store alone.
    let synced_home = dir.path().join("synced");
    let (stdout, stderr) = sync_from_da(
        &synced_home,
        &home.join("genesis.json"),
        &["--da-store".as_ref(), posted_path.as_os_str()],
    );
    assert!(
        stdout.contains(&format!("block {published}, app hash")),
        "{stdout}"
    );
    assert!(stderr.contains("not a zkpsm blob"), "{stderr}");
    assert!(
        stderr.contains("not signed by the genesis sequencer"),
        "{stderr}"
    );
    assert!(stderr.contains("does not decode"), "{stderr}");
    assert!(stderr.contains("executing it reaches app hash"), "{stderr}");
    assert!(
        stderr.contains(&format!("never completed: Block {real_height}: 1 of")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("block {} again (already synced)", 1)),
        "{stderr}"
    );

    // Its state: the producer's app hash at every height.
    assert_eq!(check_synced(&synced_home, genesis, &app_hashes), published);
}
