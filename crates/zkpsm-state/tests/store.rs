//! The redb store: genesis, atomic blocks, the indexed nullifier tree against a reference model,
//! proofs, and persistence across reopening.

use rand::{Rng, SeedableRng, rngs::StdRng};
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::merkle::{Anchor, MemoryTree};
use zkpsm_primitives::note::{NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::{Output, TxId};
use zkpsm_primitives::tree::TreeShape;
use zkpsm_state::merkle_table::root_from;
use zkpsm_state::nullifier_tree::{NullifierLeaf, less};
use zkpsm_state::{BlockEffects, StateError, Store, TxEffects};
use zkpsm_test_support::placeholder_output;

fn output(i: u64) -> Output {
    placeholder_output(1_000_000 + i)
}

/// The step capacity of the test chains.
const CAPACITY: u32 = 4;

fn tx(anchor: Anchor, nfs: &[u64], outs: &[u64], fee: u64) -> TxEffects {
    TxEffects {
        txid: TxId([nfs.first().copied().unwrap_or(0) as u8; 32]),
        anchor,
        nullifiers: nfs.iter().map(|n| Nullifier(Fq::from(*n))).collect(),
        outputs: outs.iter().map(|o| output(*o)).collect(),
        fee,
    }
}

fn block(height: u64, txs: Vec<TxEffects>) -> BlockEffects {
    BlockEffects {
        height,
        block: vec![height as u8],
        txs,
        module_writes: vec![(
            "counter".into(),
            b"n".to_vec(),
            Some(height.to_le_bytes().to_vec()),
        )],
        module_roots: vec![("counter".into(), [height as u8; 32])],
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    (dir, store)
}

#[test]
fn genesis_is_idempotent_and_unique() {
    let (_dir, store) = open();
    assert!(store.head().unwrap().is_none());
    let g = store
        .init_genesis(b"genesis", &[output(0), output(1)], 1000, CAPACITY)
        .unwrap();
    assert_eq!(g.state.height, 0);
    assert_eq!(g.state.cm_size, 2);
    assert_eq!(g.state.nf_size, 1);
    assert_eq!(g.state.supply, 1000);
    assert_eq!(
        g.state.cm_root.0,
        MemoryTree::new(&[output(0).cm, output(1).cm]).root().0
    );
    assert_eq!(
        store
            .init_genesis(b"genesis", &[output(0), output(1)], 1000, CAPACITY)
            .unwrap(),
        g
    );
    assert!(matches!(
        store.init_genesis(b"other", &[], 0, CAPACITY),
        Err(StateError::GenesisMismatch)
    ));
}

#[test]
fn blocks_apply_atomically() {
    let (_dir, store) = open();
    let g = store
        .init_genesis(b"g", &[output(0)], 100, CAPACITY)
        .unwrap();
    let anchor = Anchor(g.state.cm_root.0);
    let b1 = store
        .apply_block(&block(1, vec![tx(anchor, &[5, 9], &[1, 2], 3)]))
        .unwrap();
    assert_eq!(
        (
            b1.state.height,
            b1.state.cm_size,
            b1.state.nf_size,
            b1.state.supply
        ),
        (1, 3, 3, 97)
    );
    assert_ne!(b1.app_hash, g.app_hash);
    assert!(store.is_spent(&Nullifier(Fq::from(5))).unwrap());
    assert_eq!(store.anchor_height(&anchor).unwrap(), Some(0));
    assert_eq!(
        store.anchor_height(&Anchor(b1.state.cm_root.0)).unwrap(),
        Some(1)
    );

    // A block that double-spends 9 after revealing 7 fails whole: 7 is not revealed, nothing moves.
    let bad = block(
        2,
        vec![
            tx(anchor, &[7, 10], &[3, 5], 1),
            tx(anchor, &[9, 12], &[4, 6], 1),
        ],
    );
    assert!(matches!(
        store.apply_block(&bad),
        Err(StateError::AlreadySpent(_))
    ));
    assert_eq!(store.head().unwrap(), Some(b1));
    assert!(!store.is_spent(&Nullifier(Fq::from(7))).unwrap());
    assert_eq!(store.output_count().unwrap(), 3);
    assert_eq!(
        store.module_get("counter", b"n").unwrap(),
        Some(1u64.to_le_bytes().to_vec())
    );

    // The same nullifier twice in one block, a zero nullifier, another shape than 2-in-2-out, an
    // unknown anchor and a height gap are refused.
    assert!(matches!(
        store.apply_block(&block(2, vec![tx(anchor, &[8, 8], &[3, 4], 0)])),
        Err(StateError::AlreadySpent(_))
    ));
    assert!(matches!(
        store.apply_block(&block(2, vec![tx(anchor, &[0, 13], &[3, 4], 0)])),
        Err(StateError::ZeroNullifier)
    ));
    assert!(matches!(
        store.apply_block(&block(2, vec![tx(anchor, &[7], &[3], 0)])),
        Err(StateError::TxShape {
            nullifiers: 1,
            outputs: 1
        })
    ));
    assert!(matches!(
        store.apply_block(&block(
            2,
            vec![tx(Anchor(Fq::from(99)), &[7, 10], &[3, 4], 0)]
        )),
        Err(StateError::UnknownAnchor(_))
    ));
    assert!(matches!(
        store.apply_block(&block(3, vec![])),
        Err(StateError::HeightGap { .. })
    ));
    // Fees beyond the supply are refused.
    assert!(matches!(
        store.apply_block(&block(2, vec![tx(anchor, &[11, 14], &[3, 4], 98)])),
        Err(StateError::SupplyUnderflow)
    ));

    let b2 = store
        .apply_block(&block(2, vec![tx(anchor, &[7, 10], &[3, 4], 1)]))
        .unwrap();
    assert_eq!(store.nullifiers_from(0, 0, 10).unwrap().len(), 4);
    assert_eq!(
        store.nullifiers_from(2, 0, 10).unwrap(),
        vec![
            (2, 0, Nullifier(Fq::from(7))),
            (2, 1, Nullifier(Fq::from(10)))
        ]
    );
    // A cursor inside a block, and a page of one.
    assert_eq!(
        store.nullifiers_from(2, 1, 10).unwrap(),
        vec![(2, 1, Nullifier(Fq::from(10)))]
    );
    assert_eq!(
        store.nullifiers_from(1, 1, 1).unwrap(),
        vec![(1, 1, Nullifier(Fq::from(9)))]
    );
    let outs = store.outputs_from(1, 10).unwrap();
    assert_eq!(
        outs.iter().map(|(p, h, _)| (*p, *h)).collect::<Vec<_>>(),
        vec![(1, 1), (2, 1), (3, 2), (4, 2)]
    );
    assert_eq!(outs[2].2, output(3));
    assert_eq!(store.anchors(0, 5).unwrap().len(), 3);
    assert_eq!(store.block(2).unwrap(), Some(vec![2]));
    assert_eq!(store.committed_at(1).unwrap(), Some(b1));
    assert_eq!(store.head().unwrap(), Some(b2));
}

#[test]
fn state_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let head = {
        let store = Store::open(&path).unwrap();
        let g = store
            .init_genesis(b"g", &[output(0)], 10, CAPACITY)
            .unwrap();
        store
            .apply_block(&block(
                1,
                vec![tx(Anchor(g.state.cm_root.0), &[4, 5], &[1, 2], 1)],
            ))
            .unwrap()
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().unwrap(), Some(head));
    // The tree was persisted: the next block continues it.
    let next = store
        .apply_block(&block(
            2,
            vec![tx(Anchor(head.state.cm_root.0), &[6, 7], &[3, 4], 1)],
        ))
        .unwrap();
    let leaves: Vec<NoteCommitment> = (0..5).map(|i| output(i).cm).collect();
    assert_eq!(next.state.cm_root.0, MemoryTree::new(&leaves).root().0);
}

/// The root of the 4-ary nullifier tree over `leaves` (from index 0), level by level from scratch.
fn quad_root(leaves: &[Fq]) -> Fq {
    let shape = TreeShape::NULLIFIERS;
    let mut level: Vec<Fq> = leaves.to_vec();
    for height in 0..shape.levels {
        let empty = shape.empty_root(height);
        level.resize(level.len().div_ceil(4).max(1) * 4, empty);
        level = level.chunks(4).map(|c| shape.hash(c)).collect();
    }
    level[0]
}

/// The indexed tree's root computed from scratch: leaves in insertion order, each pointing at the
/// next larger value.
fn reference_root(inserted: &[Fq]) -> Fq {
    let mut values = vec![Fq::from(0)];
    values.extend_from_slice(inserted);
    let leaves: Vec<Fq> = values
        .iter()
        .map(|v| {
            let next = values
                .iter()
                .enumerate()
                .filter(|(_, w)| less(v, w))
                .min_by(|a, b| {
                    if less(a.1, b.1) {
                        std::cmp::Ordering::Less
                    } else {
                        std::cmp::Ordering::Greater
                    }
                });
            let (next_index, next_value) = next
                .map(|(i, w)| (i as u64, *w))
                .unwrap_or((0, Fq::from(0)));
            NullifierLeaf {
                value: *v,
                next_index,
                next_value,
            }
            .hash()
        })
        .collect();
    quad_root(&leaves)
}

#[test]
fn indexed_nullifier_tree_matches_reference_and_proves() {
    let (_dir, store) = open();
    let g = store.init_genesis(b"g", &[], 0, CAPACITY).unwrap();
    let anchor = Anchor(g.state.cm_root.0);
    let mut rng = StdRng::seed_from_u64(7);
    let mut inserted = Vec::new();
    let mut snapshots = Vec::new();
    for _round in 0..16 {
        let height = store.head().unwrap().expect("genesis").state.height + 1;
        // Full-width random nullifiers, and small ones to exercise neighbours.
        let nfs: Vec<Fq> = (0..2)
            .map(|i| {
                if i == 0 {
                    Fq::from(rng.gen_range(1..50u64))
                } else {
                    <Fq as ff::Field>::random(&mut rng)
                }
            })
            .filter(|nf| !inserted.contains(nf))
            .collect();
        let effects = TxEffects {
            nullifiers: nfs.iter().map(|n| Nullifier(*n)).collect(),
            ..tx(anchor, &[], &[1, 2], 0)
        };
        let mut unique = nfs.clone();
        unique.dedup();
        if unique.len() != nfs.len() || nfs.len() != 2 {
            continue;
        }
        let committed = store.apply_block(&block(height, vec![effects])).unwrap();
        inserted.extend(nfs);
        let root = committed.state.nf_root.0;
        assert_eq!(root, reference_root(&inserted), "height {height}");
        snapshots.push((height, root, inserted.len()));
        for nf in &inserted {
            let proof = store
                .membership(&Nullifier(*nf), height)
                .unwrap()
                .expect("present");
            assert!(proof.verify(&root, nf));
            assert!(
                store
                    .non_membership(&Nullifier(*nf), height)
                    .unwrap()
                    .is_none()
            );
        }
        for _ in 0..5 {
            let absent = Fq::from(rng.gen_range(1..60u64));
            if inserted.contains(&absent) {
                continue;
            }
            let proof = store
                .non_membership(&Nullifier(absent), height)
                .unwrap()
                .expect("absent");
            assert!(proof.verify(&root, &absent));
            // The same proof says nothing about a present value, nor against another root.
            if let Some(present) = inserted.first() {
                assert!(!proof.verify(&root, present));
            }
            assert!(!proof.verify(&(root + Fq::from(1)), &absent));
        }
    }
    assert!(inserted.len() > 20);

    // The tree as it was after each earlier block: what was spent by then has a membership proof
    // against that block's root, what was spent later a non-membership proof.
    for (height, root, spent) in snapshots {
        for (i, nf) in inserted.iter().enumerate() {
            let nf_ = Nullifier(*nf);
            if i < spent {
                let proof = store
                    .membership(&nf_, height)
                    .unwrap()
                    .expect("spent by then");
                assert!(proof.verify(&root, nf), "height {height}");
            } else {
                assert!(store.membership(&nf_, height).unwrap().is_none());
                let proof = store
                    .non_membership(&nf_, height)
                    .unwrap()
                    .expect("unspent then");
                assert!(proof.verify(&root, nf), "height {height}");
            }
        }
    }
}

#[test]
fn commitment_paths_at_past_heights() {
    let (_dir, store) = open();
    let g = store
        .init_genesis(b"g", &[output(0)], 10, CAPACITY)
        .unwrap();
    let b1 = store
        .apply_block(&block(
            1,
            vec![tx(Anchor(g.state.cm_root.0), &[4, 5], &[1, 2], 1)],
        ))
        .unwrap();
    let b2 = store
        .apply_block(&block(
            2,
            vec![tx(Anchor(b1.state.cm_root.0), &[6, 7], &[3, 4], 1)],
        ))
        .unwrap();
    let root = |c: &zkpsm_state::Committed| c.state.cm_root.0;
    for (cm, created) in [(output(0).cm, 0), (output(2).cm, 1), (output(3).cm, 2)] {
        for (height, state) in [(0, &g), (1, &b1), (2, &b2)] {
            let path = store.commitment_path(&cm, height).unwrap();
            if height < created {
                assert!(path.is_none());
            } else {
                let path = path.expect("created by then");
                assert_eq!(root_from(cm.0, &path), root(state), "height {height}");
            }
        }
    }
    assert!(store.commitment_path(&output(9).cm, 2).unwrap().is_none());
    assert_eq!(
        store.module_roots(2).unwrap(),
        Some(vec![("counter".into(), [2; 32])])
    );
}
