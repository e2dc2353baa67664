//! A hostile loopback HTTP/1.1 server: it records every request it sees (method, path,
//! headers, body), and answers as a script says: redirect, echo, stall, close, stream a body
//! larger than any client should read, or lie about the body's length. Several servers are
//! several origins (another port is another origin). Optionally TLS, with a private CA the
//! test trusts.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent (percent-encoding intact).
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request had arrived whole.
    pub at: std::time::Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What to do with a request.
#[derive(Clone, Debug)]
pub enum Act {
    /// Answer with this status, headers and body.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Never answer (the connection stays open).
    Stall,
    /// Wait, then do the other thing.
    After(Duration, Box<Act>),
    /// A 200 whose body is `total` bytes of `fill`, sent in 64 KiB chunks as long as the client
    /// reads (a body no client should buffer whole).
    Flood { total: usize, fill: u8 },
    /// Headers that promise `declared` bytes, then `sent` bytes, then close.
    Lie { declared: usize, sent: usize },
}

pub fn json(status: u16, body: serde_json::Value) -> Act {
    Act::Respond {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

pub fn text(status: u16, body: &str) -> Act {
    Act::Respond {
        status,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: body.as_bytes().to_vec(),
    }
}

pub fn redirect(status: u16, location: &str) -> Act {
    Act::Respond {
        status,
        headers: vec![("location".into(), location.into())],
        body: Vec::new(),
    }
}

/// A script: what to answer to the n-th request (from 0), given what it was.
pub type Script = Arc<dyn Fn(&Seen, usize) -> Act + Send + Sync>;

/// A running hostile server.
pub struct Hostile {
    /// `http://127.0.0.1:<port>` (or `https://localhost:<port>`).
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests were seen.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// A plain-http hostile server on 127.0.0.1.
pub async fn serve(script: impl Fn(&Seen, usize) -> Act + Send + Sync + 'static) -> Hostile {
    start(Arc::new(script), None).await
}

/// The same on https (`https://localhost:<port>`), with a certificate from `ca`.
pub async fn serve_tls(
    ca: &TestCa,
    script: impl Fn(&Seen, usize) -> Act + Send + Sync + 'static,
) -> Hostile {
    start(Arc::new(script), Some(ca.acceptor())).await
}

async fn start(script: Script, tls: Option<tokio_rustls::TlsAcceptor>) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = match tls {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (script, record, tls) = (script.clone(), record.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            handle(stream, script, record).await;
                        }
                    }
                    None => handle(stream, script, record).await,
                }
            });
        }
    });
    Hostile { url, seen, task }
}

/// Reads one request (head, then a body by content-length).
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        target,
        headers,
        body: buf[head_end..].to_vec(),
        at: std::time::Instant::now(),
    })
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    script: Script,
    record: Arc<Mutex<Vec<Seen>>>,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let n = {
        let mut seen = record.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let mut act = script(&request, n);
    while let Act::After(wait, then) = act {
        tokio::time::sleep(wait).await;
        act = *then;
    }
    let status_line = |s: u16| format!("HTTP/1.1 {s} X\r\nconnection: close\r\n");
    match act {
        Act::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = status_line(status);
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Act::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Act::After(..) => unreachable!(),
        Act::Flood { total, fill } => {
            let head = format!(
                "{}content-type: application/json\r\ncontent-length: {total}\r\n\r\n",
                status_line(200)
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![fill; 64 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                left -= n;
            }
        }
        Act::Lie { declared, sent } => {
            let head = format!("{}content-length: {declared}\r\n\r\n", status_line(200));
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&vec![b' '; sent]).await;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// A private certificate authority, and a certificate for `localhost`/`127.0.0.1` it signed.
pub struct TestCa {
    /// The CA certificate, PEM (what a client adds as a root).
    pub ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl TestCa {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "dataplat test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        Self {
            ca_pem: ca_cert.pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }

    /// The CA as reqwest takes a root certificate.
    pub fn root(&self) -> reqwest::Certificate {
        reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap()
    }

    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        use tokio_rustls::rustls;
        dataplat::core::ensure_tls_provider();
        let cert = rustls::pki_types::CertificateDer::from(self.cert_der.clone());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }

    /// dataplat's HTTP client trusting this CA.
    pub fn http_client(&self) -> dataplat::core::HttpClient {
        dataplat::core::HttpClient::from_builder(
            dataplat::core::HttpClient::builder().add_root_certificate(self.root()),
        )
        .unwrap()
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
