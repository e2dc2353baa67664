//! A minimal HTTP/1.1 loopback server for the benchmarks: keep-alive, an answer per request
//! target, a token-request counter. Much cheaper per request than a full mock server, so the
//! clients' own cost is what differs between the measured variants.

#![allow(dead_code)] // each bench uses part of it

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Requests to `/oauth/v2/token` seen.
    pub token_requests: Arc<AtomicUsize>,
}

/// Status and body for a request target (path and query).
pub type Answer = Arc<dyn Fn(&str) -> (u16, Vec<u8>) + Send + Sync>;

/// Starts the server on the current runtime.
pub async fn start(answer: Answer) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let token_requests = Arc::new(AtomicUsize::new(0));
    let t = token_requests.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, answer.clone(), t.clone()));
        }
    });
    Server {
        url,
        token_requests,
    }
}

async fn serve(mut socket: tokio::net::TcpStream, answer: Answer, tokens: Arc<AtomicUsize>) {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 8192];
    loop {
        // One request: the head, then Content-Length bytes of body. The head is read with
        // memchr's searches, not a byte-by-byte scan and a copy into a String: this server's
        // work per request byte is part of what the one-thread bench times, and the variants'
        // requests differ in size (dataplat sends a User-Agent and `accept: application/json`).
        let mut scanned = 0;
        let head_end = loop {
            if let Some(i) = memchr::memmem::find(&buf[scanned..], b"\r\n\r\n") {
                break scanned + i + 4;
            }
            scanned = buf.len().saturating_sub(3);
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = &buf[..head_end];
        let length = content_length(head);
        while buf.len() < head_end + length {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let target = request_target(&buf[..head_end]);
        buf.drain(..head_end + length);
        if target.starts_with("/oauth/v2/token") {
            tokens.fetch_add(1, Ordering::Relaxed);
        }
        let (status, body) = answer(&target);
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut out = head.into_bytes();
        out.extend_from_slice(&body);
        if socket.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// The request line's target (`/path?query`).
fn request_target(head: &[u8]) -> String {
    let line = &head[..memchr::memchr(b'\r', head).unwrap_or(head.len())];
    let mut parts = line.split(|b| *b == b' ');
    let target = parts.nth(1).unwrap_or(b"/");
    String::from_utf8_lossy(target).into_owned()
}

/// The Content-Length of a request head, 0 when it has none.
fn content_length(head: &[u8]) -> usize {
    const NAME: &[u8] = b"content-length:";
    memchr::memchr_iter(b'\n', head)
        .map(|i| &head[i + 1..])
        .find(|line| line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME))
        .and_then(|line| {
            let value = &line[NAME.len()..memchr::memchr(b'\r', line).unwrap_or(line.len())];
            std::str::from_utf8(value).ok()?.trim().parse().ok()
        })
        .unwrap_or(0)
}
