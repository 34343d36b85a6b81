//! The light client's check of a proven block range's statement: the ends' app hashes are the ones
//! the executor committed, a range from genesis needs no start commit, and a statement whose ends
//! do not fit its block count is refused.

use zkpsm_light::{LightError, check_range};
use zkpsm_state::{Store, synthetic};
use zkpsm_transition::apply_range;

#[test]
fn a_proven_range_gives_the_committed_app_hashes_at_both_ends() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::open(&dir.path().join("state.redb")).expect("store");
    let mut head = store
        .init_genesis(b"range", &[synthetic::output(1, b"genesis")], 1000, 2)
        .expect("genesis");
    let z0 = head.state.z();
    let mut committed = vec![head];
    for _ in 0..3 {
        head = store
            .apply_block(&synthetic::full_block(&head, 2, 1))
            .expect("block");
        committed.push(head);
    }
    let witnesses = store.step_witnesses(0, 3).expect("kept witnesses");

    let from_genesis = apply_range(&z0, &witnesses).expect("valid range");
    let (start, end) = check_range(&z0, &from_genesis, &[], &[]).expect("checks");
    assert!(
        start.is_none(),
        "a range from genesis needs no start commit"
    );
    assert_eq!(end.state.height, 3);
    assert_eq!(end.app_hash, committed[3].app_hash);

    let later = apply_range(&committed[1].state.z(), &witnesses[1..]).expect("valid range");
    let (start, end) = check_range(&z0, &later, &[], &[]).expect("checks");
    let start = start.expect("a later range's start must be checked against its commit");
    assert_eq!(start.app_hash, committed[1].app_hash);
    assert_eq!(end.app_hash, committed[3].app_hash);
    let with_roots = check_range(&z0, &later, &[], &[("other".into(), [7; 32])])
        .expect("checks")
        .1;
    assert_ne!(
        with_roots.app_hash, committed[3].app_hash,
        "the other modules' roots enter the app hash"
    );

    let mut miscounted = from_genesis;
    miscounted.blocks = 2;
    assert!(matches!(
        check_range(&z0, &miscounted, &[], &[]),
        Err(LightError::BadState(_))
    ));
    let mut empty = from_genesis;
    empty.blocks = 0;
    empty.z_after = empty.z_before;
    assert!(check_range(&z0, &empty, &[], &[]).is_err());
    let mut forged_genesis = from_genesis;
    forged_genesis.z_before[1] = forged_genesis.z_after[1];
    assert!(
        check_range(&z0, &forged_genesis, &[], &[]).is_err(),
        "a range from another height-0 state is refused"
    );
}
