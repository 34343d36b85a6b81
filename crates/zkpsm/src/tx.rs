//! `zkpsm tx example` and `zkpsm tx verify`.

use anyhow::{Context, Result, anyhow, bail};
use rand::rngs::OsRng;
use std::path::Path;
use std::time::Instant;
use zkpsm_primitives::encryption::{try_decrypt, try_recover_outgoing};
use zkpsm_primitives::transaction::Transaction;
use zkpsm_proofs::{SpendKeys, SpendProver, VerifyContext, verify_transaction};
use zkpsm_wallet::build_transaction;
use zkpsm_wallet::example::example_world;

/// Sets up the spend keys, saying so.
pub fn keys() -> Result<std::sync::Arc<SpendKeys>> {
    eprintln!("[1/3] setting up spend keys (transparent, deterministic from the circuit)...");
    let started = Instant::now();
    let keys = SpendKeys::shared()?;
    eprintln!(
        "      done in {} ms, verifier key digest {}",
        started.elapsed().as_millis(),
        keys.vk_digest_hex()
    );
    Ok(keys)
}

/// `zkpsm tx example --out FILE`.
pub fn example(out: &Path, chain_id: &str) -> Result<()> {
    zkpsm_primitives::transaction::check_chain_id(chain_id)?;
    let prover = SpendProver::new(keys()?);
    let world = example_world(chain_id, &mut OsRng);
    eprintln!(
        "[2/3] building: spend 600 + 400, pay 250 to {}",
        world.request.payment.to
    );
    eprintln!("      change 740 to a fresh address of the sender, fee 10");
    let tx = build_transaction(
        &world.sender,
        &world.request,
        &prover,
        &mut OsRng,
        &mut |msg| eprintln!("      {msg}"),
    )?;
    eprintln!("[3/3] checking what each party sees...");
    let fvk = world.sender.full_viewing_key();
    for (i, output) in tx.body.outputs.iter().enumerate() {
        let sent = try_recover_outgoing(&fvk.ovk, &output.cm, &output.encrypted)
            .map_err(|e| anyhow!("sender cannot recover output {i}: {e}"))?;
        let own = try_decrypt(&fvk.incoming_viewing_key(), &output.cm, &output.encrypted).is_ok();
        eprintln!(
            "      output {i}: {} (sender's ovk sees value {}{})",
            output.cm,
            sent.note.value,
            if own { ", its own change" } else { "" }
        );
    }
    let bytes = tx.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "wrote {} ({} bytes, proof {} bytes)",
        out.display(),
        bytes.len(),
        tx.proof.len()
    );
    println!("txid {}", tx.txid());
    Ok(())
}

/// `zkpsm tx verify FILE`.
pub fn verify(file: &Path, chain_id: &str, height: u64) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let tx = Transaction::decode(&bytes).map_err(|e| anyhow!("invalid: {e}"))?;
    let keys = SpendKeys::shared()?;
    // A hostile proof that trips an assertion inside the proof system is caught and reported as a
    // malformed proof; keep the panic's own message and backtrace off the one-line verdict.
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let context = VerifyContext {
        chain_id: chain_id.to_owned(),
        height,
    };
    let public = match verify_transaction(&keys, &tx, &context) {
        Ok(public) => public,
        Err(e) => bail!("invalid: {e}"),
    };
    println!(
        "valid transaction {} (verified in {} ms)",
        tx.txid(),
        started.elapsed().as_millis()
    );
    println!("  chain id   {}", tx.body.chain_id);
    println!("  expiry     {}", tx.body.expiry_height);
    println!("  anchor     {}", public.anchor);
    println!("  nf1        {}", public.nullifiers[0]);
    println!("  nf2        {}", public.nullifiers[1]);
    println!("  cm1        {}", public.commitments[0]);
    println!("  cm2        {}", public.commitments[1]);
    println!("  fee        {}", public.fee);
    println!(
        "  binding    {}",
        zkpsm_primitives::field::to_hex(&public.binding)
    );
    Ok(())
}
