//! Golden digests of the spend circuit's shape and verifier key. Any change to the circuit, to
//! spartan2's setup or to its parameters shows up here. Update the pinned values only together with
//! a deliberate circuit change (genesis pins the verifier key digest).

use zkpsm_proofs::keys::{SpendKeys, shape_digest};

const GOLDEN_SHAPE: &str = "8a47125f38084a80d537474c62fc079c36a054f0293111d75266355dffefae7e";
const GOLDEN_VK: &str = "a3eb53ad9a7d8867bd303c93c6e73e29632e4fd9853537af0978daf304888d66";

#[test]
fn circuit_shape_and_verifier_key_are_pinned() {
    assert_eq!(hex::encode(shape_digest()), GOLDEN_SHAPE);
    // Setup is deterministic from the shape: two runs agree with the pinned digest.
    assert_eq!(
        SpendKeys::setup().expect("setup").vk_digest_hex(),
        GOLDEN_VK
    );
    assert_eq!(
        SpendKeys::shared().expect("shared keys").vk_digest_hex(),
        GOLDEN_VK
    );
}
