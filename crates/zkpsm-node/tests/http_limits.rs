//! The API's HTTP limits against a live embedded node: idle, slow and surplus connections are
//! closed while the node keeps serving and making blocks, and a slow body is answered 408.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use zkpsm_api::client::Client;
use zkpsm_app::ConsensusParams;
use zkpsm_node::node::{self, Consensus, HttpLimits, NodeConfig};

const MAX_CONNECTIONS: usize = 64;
const HEADER_TIMEOUT: Duration = Duration::from_millis(1000);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(2000);

fn start_node(home: &std::path::Path) -> node::RunningNode {
    let config = NodeConfig {
        api_addr: "127.0.0.1:0".into(),
        block_interval_ms: 100,
        empty_blocks: true,
        da: Default::default(),
        http: HttpLimits {
            max_connections: MAX_CONNECTIONS,
            header_timeout_ms: HEADER_TIMEOUT.as_millis() as u64,
            request_timeout_ms: REQUEST_TIMEOUT.as_millis() as u64,
        },
    };
    node::init(
        home,
        "http-limits",
        Vec::new(),
        config,
        ConsensusParams::default(),
        true,
    )
    .expect("init");
    node::start(home, None, Consensus::Embedded, None).expect("start")
}

fn connect(url: &str) -> TcpStream {
    let stream = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(5)))
        .expect("read timeout");
    stream
}

/// Whether the server has closed `stream`: its read ends (or is reset) instead of timing out.
fn closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => panic!("the server sent bytes to a connection that asked nothing"),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(_) => true,
    }
}

/// Reads until the server closes `stream` or `within` passes; returns what it sent.
fn read_all(stream: &mut TcpStream, within: Duration) -> String {
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < within {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn slow_idle_and_surplus_connections_are_closed_while_the_node_serves() {
    let home = tempfile::tempdir().expect("tempdir");
    let running = start_node(home.path());
    let url = running.url.clone();
    let client = Client::new(&url);
    let before = client.status().expect("status").height;

    // Idle sockets that never send a header are closed after the header timeout, and meanwhile
    // the API answers and the sequencer makes blocks.
    let mut idle: Vec<TcpStream> = (0..40).map(|_| connect(&url)).collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        idle.iter_mut().all(|s| !closed(s)),
        "idle sockets were closed before their header timeout"
    );
    let during = client.status().expect("status while 40 sockets idle");
    std::thread::sleep(HEADER_TIMEOUT + Duration::from_millis(500));
    let still_open = idle.iter_mut().map(closed).filter(|c| !c).count();
    assert_eq!(still_open, 0, "idle sockets outlived the header timeout");
    let after = client.status().expect("status after").height;
    assert!(
        after > during.height && during.height >= before,
        "blocks did not advance: {before} → {} → {after}",
        during.height
    );

    // More sockets than the limit: at most the limit stay open, the rest are closed on accept.
    let mut flood: Vec<TcpStream> = (0..200).map(|_| connect(&url)).collect();
    std::thread::sleep(Duration::from_millis(300));
    let open = flood.iter_mut().map(closed).filter(|c| !c).count();
    assert!(
        open <= MAX_CONNECTIONS,
        "{open} connections open, over the limit of {MAX_CONNECTIONS}"
    );
    assert!(open > 0, "no connection was served at all");
    drop(flood);
    std::thread::sleep(Duration::from_millis(200));
    client.status().expect("status after the flood");

    // A kept-alive connection that goes quiet after its request is closed too.
    let mut kept = connect(&url);
    kept.write_all(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request");
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\"chain_id\"") {
        assert!(start.elapsed() < Duration::from_secs(5), "no status answer");
        match kept.read(&mut buf) {
            Ok(0) => panic!("closed before answering"),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    let rest = read_all(&mut kept, HEADER_TIMEOUT * 3);
    assert!(rest.is_empty(), "unexpected bytes: {rest}");
    assert!(
        start.elapsed() < HEADER_TIMEOUT * 3,
        "an idle kept-alive connection stayed open"
    );

    // Headers sent a line at a time, slower than the timeout allows: closed without an answer.
    let mut slow = connect(&url);
    slow.write_all(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
        .expect("request line");
    let start = Instant::now();
    let mut was_closed = false;
    while start.elapsed() < HEADER_TIMEOUT * 3 {
        if slow.write_all(b"X-Slow: 1\r\n").is_err() || closed(&mut slow) {
            was_closed = true;
            break;
        }
    }
    assert!(was_closed, "a connection dribbling headers stayed open");
    assert!(start.elapsed() >= HEADER_TIMEOUT - Duration::from_millis(300));

    // A body sent slowly: answered 408 with code 111 once the request's time is up.
    let mut body = connect(&url);
    body.write_all(b"POST /v1/tx HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n")
        .expect("headers");
    let start = Instant::now();
    let mut answer = String::new();
    while start.elapsed() < REQUEST_TIMEOUT * 3 {
        let _ = body.write_all(b"0123456789");
        answer.push_str(&read_all(&mut body, Duration::from_millis(200)));
        if !answer.is_empty() {
            break;
        }
    }
    assert!(answer.starts_with("HTTP/1.1 408"), "answer: {answer}");
    assert!(answer.contains("\"code\":111"), "answer: {answer}");
    assert!(start.elapsed() >= REQUEST_TIMEOUT - Duration::from_millis(100));

    // And the node still serves and makes blocks.
    let last = client.status().expect("status at the end").height;
    assert!(last > after, "blocks stopped: {after} → {last}");
    running.stop();
}
