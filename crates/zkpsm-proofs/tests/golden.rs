//! Golden digests of the spend circuit's shape and verifier key. Any change to the circuit, to
//! spartan2's setup or to its parameters shows up here. Update the pinned values only together with
//! a deliberate circuit change (genesis pins the verifier key digest).

use zkpsm_proofs::keys::{SpendKeys, shape_digest};

const GOLDEN_SHAPE: &str = "71de30866bc07598462759f36d69e1ff96b3623d993011935b13fcaa6a9f2828";
const GOLDEN_VK: &str = "e5d216f6102dd0dc3e4c28986c25c8ffca383ef73b48044e1cd1de70d7043e45";

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
