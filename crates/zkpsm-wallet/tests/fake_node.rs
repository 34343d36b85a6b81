//! The wallet against a lying node: a small HTTP server (a real socket, the real client) that
//! serves forged notes, pages at the wrong position, pages that ignore the cursor, and more
//! nullifiers at one height than a page holds. The wallet answers with an error or the right
//! balance, never panics or hangs, and a failed scan changes nothing.

use rand::rngs::OsRng;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use zkpsm_api::client::Client;
use zkpsm_api::types::{NullifierInfo, Nullifiers, OutputInfo, Outputs, Status};
use zkpsm_primitives::encryption::encrypt_note;
use zkpsm_primitives::field::Fq;
use zkpsm_primitives::keys::SpendingKey;
use zkpsm_primitives::merkle::MemoryTree;
use zkpsm_primitives::note::{Note, NoteCommitment, Nullifier};
use zkpsm_primitives::transaction::Output;
use zkpsm_wallet::WalletFile;
use zkpsm_wallet::file::WalletError;
use zkpsm_wallet::scan::{ScanReport, rescan, scan};

/// How the fake node lies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lie {
    /// It answers honestly (about the chain it made up).
    None,
    /// Every page of outputs starts one position after the one asked for.
    OutputsShifted,
    /// Every page of nullifiers starts from the chain's first, whatever the cursor.
    NullifiersFromStart,
}

struct FakeChain {
    status: Status,
    outputs: Vec<OutputInfo>,
    nullifiers: Vec<NullifierInfo>,
    lie: Lie,
}

/// The chain: `values` as notes to `wallet`'s addresses (one block), then `spam` nullifiers in
/// block 2 with the nullifier of note `spend` (if any) at index `spent_at` among them.
fn chain(
    wallet: &WalletFile,
    values: &[u64],
    supply: u64,
    spam: u32,
    spend: Option<(usize, u32)>,
    lie: Lie,
) -> FakeChain {
    let fvk = wallet.full_viewing_key().unwrap();
    let notes: Vec<Note> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| Note::new(fvk.address_at(i as u64), v, &mut OsRng))
        .collect();
    let outputs: Vec<OutputInfo> = notes
        .iter()
        .enumerate()
        .map(|(i, note)| OutputInfo {
            position: i as u64,
            height: 1,
            output: hex::encode(
                borsh::to_vec(&Output {
                    cm: note.commitment(),
                    encrypted: encrypt_note(note, &[0; 512], &fvk.ovk),
                })
                .unwrap(),
            ),
            txid: Some(format!("{:064x}", i / 2)),
        })
        .collect();
    let mut nullifiers: Vec<NullifierInfo> = (0..spam)
        .map(|i| NullifierInfo {
            height: 2,
            index: i,
            nullifier: Nullifier(Fq::from(1_000 + u64::from(i))).to_string(),
            txid: format!("{:064x}", 1_000 + i / 2),
        })
        .collect();
    if let Some((note, at)) = spend {
        nullifiers[at as usize].nullifier = notes[note].nullifier(fvk.nk, note as u32).to_string();
    }
    let cms: Vec<NoteCommitment> = notes.iter().map(|n| n.commitment()).collect();
    let status = Status {
        chain_id: "fake-chain".into(),
        height: 2,
        app_hash: hex::encode([0; 32]),
        anchor: NoteCommitment(MemoryTree::new(&cms).root().0).to_string(),
        cm_size: cms.len() as u64,
        nf_size: u64::from(spam) + 1,
        supply,
        anchor_window: 100,
        fee_base: 1,
        fee_per_kib: 1,
        spend_vk_digest: String::new(),
        mempool: 0,
        proof_verifications: 0,
    };
    FakeChain {
        status,
        outputs,
        nullifiers,
        lie,
    }
}

fn query(path: &str, name: &str) -> u64 {
    path.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl FakeChain {
    fn answer(&self, path: &str) -> String {
        let limit = query(path, "limit") as usize;
        if path.starts_with("/v1/status") {
            serde_json::to_string(&self.status).unwrap()
        } else if path.starts_with("/v1/outputs") {
            let shift = u64::from(self.lie == Lie::OutputsShifted);
            let from = query(path, "from") + shift;
            let outputs = self
                .outputs
                .iter()
                .filter(|o| o.position >= from)
                .take(limit)
                .cloned()
                .collect();
            serde_json::to_string(&Outputs { outputs }).unwrap()
        } else if path.starts_with("/v1/nullifiers") {
            let cursor = if self.lie == Lie::NullifiersFromStart {
                (0, 0)
            } else {
                (query(path, "from_height"), query(path, "from_index") as u32)
            };
            let nullifiers = self
                .nullifiers
                .iter()
                .filter(|n| (n.height, n.index) >= cursor)
                .take(limit)
                .cloned()
                .collect();
            serde_json::to_string(&Nullifiers { nullifiers }).unwrap()
        } else {
            r#"{"code":104,"message":"no such route"}"#.into()
        }
    }
}

/// Serves `chain` on a loopback port until the test ends; its URL.
fn serve(chain: FakeChain) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let chain = Arc::new(chain);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/");
            let body = chain.answer(path);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Scans (or rescans) in a thread, so that a wallet that looped forever fails the test instead
/// of hanging it.
fn scan_within(
    wallet: &WalletFile,
    url: &str,
    again: bool,
) -> (WalletFile, Result<ScanReport, WalletError>) {
    let (send, receive) = std::sync::mpsc::channel();
    let (mut wallet, client) = (wallet.clone(), Client::new(url));
    std::thread::spawn(move || {
        let result = if again {
            rescan(&mut wallet, &client, &mut |_| {})
        } else {
            scan(&mut wallet, &client, &mut |_| {})
        };
        let _ = send.send((wallet, result));
    });
    receive
        .recv_timeout(Duration::from_secs(120))
        .expect("the scan neither finished nor failed within 120 s")
}

fn inconsistent(result: Result<ScanReport, WalletError>, expected: &str) {
    match result {
        Err(WalletError::Inconsistent(reason)) => assert!(reason.contains(expected), "{reason}"),
        other => panic!("expected an inconsistency ({expected}), got {other:?}"),
    }
}

#[test]
fn forged_notes_beyond_the_supply_are_refused_and_a_failed_scan_keeps_nothing() {
    let wallet = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let huge = u64::MAX - 1;
    let url = serve(chain(&wallet, &[huge, huge], u64::MAX, 0, None, Lie::None));
    let (after, result) = scan_within(&wallet, &url, false);
    inconsistent(result, "more than the chain's supply");
    assert!(after.leaves.is_empty() && after.notes.is_empty());
    assert_eq!((after.scanned_height, after.chain_id), (0, None));

    // One note near u64::MAX within the supply: the right balance.
    let url = serve(chain(
        &wallet,
        &[u64::MAX - 5],
        u64::MAX,
        0,
        None,
        Lie::None,
    ));
    let (after, result) = scan_within(&wallet, &url, false);
    result.unwrap();
    assert_eq!(after.balance(), u64::MAX - 5);
}

#[test]
fn pages_at_the_wrong_position_or_ignoring_the_cursor_are_refused() {
    let wallet = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let url = serve(chain(
        &wallet,
        &[5, 6, 7],
        100,
        0,
        None,
        Lie::OutputsShifted,
    ));
    let (after, result) = scan_within(&wallet, &url, false);
    inconsistent(
        result,
        "asked for outputs from position 0, the node answered from 1",
    );
    assert!(after.leaves.is_empty());

    // Full pages of nullifiers that always start again from the first: without a cursor that
    // must move, this would loop forever.
    let url = serve(chain(
        &wallet,
        &[5],
        100,
        2_500,
        None,
        Lie::NullifiersFromStart,
    ));
    let (after, result) = scan_within(&wallet, &url, false);
    inconsistent(result, "answered for a page from");
    assert!(after.notes.is_empty());
}

#[test]
fn a_spend_among_more_nullifiers_at_one_height_than_a_page_holds_is_found() {
    let wallet = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let url = serve(chain(
        &wallet,
        &[40, 60],
        100,
        2_500,
        Some((1, 2_300)),
        Lie::None,
    ));
    let (scanned, result) = scan_within(&wallet, &url, false);
    let report = result.unwrap();
    assert_eq!((report.received, report.spent), (2, 1));
    assert_eq!(scanned.balance(), 40);
    assert_eq!(scanned.notes[1].spent_height, Some(2));
    // A rescan from genesis finds the same.
    let (rescanned, result) = scan_within(&scanned, &url, true);
    result.unwrap();
    assert_eq!(rescanned.notes, scanned.notes);
    assert_eq!(rescanned.leaves, scanned.leaves);
    assert_eq!(rescanned.balance(), 40);
}

#[test]
fn a_wallet_file_of_the_format_before_transaction_ids_is_rescanned_to_learn_them() {
    let wallet = WalletFile::new_spending(&SpendingKey::random(&mut OsRng));
    let url = serve(chain(&wallet, &[40, 60], 100, 4, Some((1, 2)), Lie::None));
    let (scanned, result) = scan_within(&wallet, &url, false);
    result.unwrap();
    // The same scan, recorded by the older format: no transaction ids, version 1.
    let mut old = scanned.clone();
    old.version = 1;
    for note in &mut old.notes {
        note.txid = None;
        note.spent_txid = None;
    }
    let (upgraded, result) = scan_within(&old, &url, false);
    let report = result.unwrap();
    assert_eq!(report.received, 2, "it scanned again from genesis");
    assert_eq!(upgraded.version, zkpsm_wallet::file::WALLET_VERSION);
    assert_eq!(upgraded.notes, scanned.notes);
    assert!(upgraded.notes.iter().all(|n| n.txid.is_some()));
    assert_eq!(
        upgraded.notes[1].spent_txid.as_deref(),
        Some(&*format!("{:064x}", 1_001))
    );
    // A file of a newer format than this build reads is refused with what to do.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.json");
    let mut newer = scanned;
    newer.version = zkpsm_wallet::file::WALLET_VERSION + 1;
    newer.save(&path).unwrap();
    let err = WalletFile::load(&path).unwrap_err().to_string();
    assert!(err.contains("use a newer zkpsm"), "{err}");
}
