//! Inputs found by (or written for) the `transaction_decode` fuzz target, kept as tests: each must
//! decode to an error, without panicking or allocating what its length prefixes claim.

use zkpsm_primitives::transaction::Transaction;

#[test]
fn fuzz_regressions_are_rejected_cleanly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("fuzz/regressions exists") {
        let path = entry.expect("readable entry").path();
        let bytes = std::fs::read(&path).expect("readable file");
        let result = Transaction::decode(&bytes);
        assert!(result.is_err(), "{} decoded", path.display());
        count += 1;
    }
    assert!(count >= 4, "regression inputs are missing");
}
