//! Fuzzes transaction decoding: any bytes either fail to decode with an error or decode to a
//! transaction whose canonical encoding is exactly those bytes; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkpsm_primitives::transaction::Transaction;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = Transaction::decode(data) {
        assert_eq!(tx.to_bytes(), data, "decoding is not canonical");
        let _ = tx.body.check_stateless();
        let _ = tx.body.public_values();
        let _ = tx.txid();
    }
});
