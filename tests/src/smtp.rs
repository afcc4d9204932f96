//! A tiny SMTP sink: a local stand-in for the mail server, speaking just enough SMTP
//! (greeting, EHLO/HELO, STARTTLS, MAIL, RCPT, DATA, RSET, NOOP, QUIT) over TCP or TLS and
//! recording every message it accepts. It can start on a chosen port, to play a server
//! that was down.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;

/// How the sink offers TLS.
#[derive(Clone)]
pub enum SinkTls {
    /// Plain SMTP only.
    Plain,
    /// STARTTLS, and no MAIL before it (as a submission port with required TLS).
    StartTls(TlsAcceptor),
    /// TLS from the first byte (smtps).
    Wrapper(TlsAcceptor),
}

/// A private certificate authority and a server certificate it signed for `127.0.0.1`
/// and `localhost`, as a company relay would have. The CA's PEM file lives as long as this.
pub struct TestCa {
    /// The CA certificate, PEM, for `TESSERA_SMTP_CA_FILE`.
    pub ca_file: PathBuf,
    acceptor: TlsAcceptor,
}

impl TestCa {
    /// Makes a new CA and server certificate.
    pub fn new() -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().expect("a CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Tessera test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("the CA signs itself");
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().expect("a server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server params")
            .signed_by(&key, &issuer)
            .expect("the CA signs the server certificate");
        let config = ServerConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![server.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("the server certificate and key match");
        let ca_file = std::env::temp_dir().join(format!(
            "tessera-test-ca-{}.pem",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&ca_file, ca_cert.pem()).expect("the CA file is written");
        TestCa {
            ca_file,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        }
    }

    /// The CA file's path, as `TESSERA_SMTP_CA_FILE`.
    pub fn ca_path(&self) -> &str {
        self.ca_file.to_str().expect("a UTF-8 temp path")
    }

    /// Accepts TLS with the server certificate.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// A message as received.
#[derive(Clone)]
struct Received {
    over_tls: bool,
    text: String,
}

type Store = Arc<Mutex<Vec<Received>>>;

/// A listening sink; stops when dropped.
pub struct SmtpSink {
    /// The port it listens on.
    pub port: u16,
    messages: Store,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Starts on any free port.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(0).await
    }

    /// Starts on `port` (0: any).
    pub async fn start_on(port: u16) -> SmtpSink {
        SmtpSink::start_with(port, SinkTls::Plain).await
    }

    /// Starts on any free port, offering TLS as `tls` says.
    pub async fn start_tls(tls: SinkTls) -> SmtpSink {
        SmtpSink::start_with(0, tls).await
    }

    async fn start_with(port: u16, tls: SinkTls) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the SMTP sink binds");
        let port = listener.local_addr().expect("bound").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, tls.clone(), store.clone()));
            }
        });
        SmtpSink {
            port,
            messages,
            task,
        }
    }

    /// `smtp://127.0.0.1:<port>`: plain SMTP, as `TESSERA_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far (headers and body, as sent).
    pub fn messages(&self) -> Vec<String> {
        self.received().into_iter().map(|m| m.text).collect()
    }

    /// How many messages arrived over TLS, and how many in the clear.
    pub fn tls_and_plain(&self) -> (usize, usize) {
        let received = self.received();
        let tls = received.iter().filter(|m| m.over_tls).count();
        (tls, received.len() - tls)
    }

    fn received(&self) -> Vec<Received> {
        self.messages.lock().expect("not poisoned").clone()
    }

    /// The first message containing `needle`, waiting up to 30 s for it.
    pub async fn wait_for(&self, needle: &str) -> Option<String> {
        wait_until(|| async {
            self.messages()
                .into_iter()
                .find(|m| unfold(m).contains(needle))
        })
        .await
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A message with quoted-printable soft line breaks removed.
pub fn unfold(message: &str) -> String {
    message.replace("=\r\n", "")
}

/// Polls `check` every 100 ms until it answers, for up to 30 s.
pub async fn wait_until<T, F, Fut>(mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn serve(stream: TcpStream, tls: SinkTls, store: Store) {
    match tls {
        SinkTls::Plain => {
            converse(stream, Phase::Plain, &store).await;
        }
        SinkTls::Wrapper(acceptor) => {
            if let Ok(stream) = acceptor.accept(stream).await {
                converse(stream, Phase::Tls, &store).await;
            }
        }
        SinkTls::StartTls(acceptor) => {
            let Some(stream) = converse(stream, Phase::BeforeStartTls, &store).await else {
                return;
            };
            if let Ok(stream) = acceptor.accept(stream).await {
                // RFC 3207: the client starts again with EHLO, and no greeting is sent.
                converse_greeted(stream, Phase::Tls, &store).await;
            }
        }
    }
}

/// Where a conversation stands with respect to TLS.
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    /// No TLS offered.
    Plain,
    /// STARTTLS offered and required before MAIL.
    BeforeStartTls,
    /// Encrypted.
    Tls,
}

/// Greets, then speaks SMTP; returns the stream when the client asked for STARTTLS.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    phase: Phase,
    store: &Store,
) -> Option<S> {
    stream.write_all(b"220 sink ESMTP\r\n").await.ok()?;
    converse_greeted(stream, phase, store).await
}

async fn converse_greeted<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    phase: Phase,
    store: &Store,
) -> Option<S> {
    let mut lines = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match (verb.as_str(), phase) {
            ("EHLO", Phase::BeforeStartTls) => b"250-sink\r\n250 STARTTLS\r\n",
            ("EHLO" | "HELO", _) => b"250 sink\r\n",
            ("STARTTLS", Phase::BeforeStartTls) => {
                lines.write_all(b"220 ready to start TLS\r\n").await.ok()?;
                return Some(lines.into_inner());
            }
            ("MAIL", Phase::BeforeStartTls) => b"530 must issue a STARTTLS command first\r\n",
            ("MAIL" | "RCPT" | "RSET" | "NOOP", _) => b"250 OK\r\n",
            ("QUIT", _) => {
                let _ = lines.write_all(b"221 bye\r\n").await;
                return None;
            }
            ("DATA", _) => {
                lines.write_all(b"354 go ahead\r\n").await.ok()?;
                let mut message = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.ok()? == 0 {
                        return None;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    // Dot-unstuffing.
                    message.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                store.lock().expect("not poisoned").push(Received {
                    over_tls: phase == Phase::Tls,
                    text: message,
                });
                b"250 queued\r\n"
            }
            _ => b"502 not implemented\r\n",
        };
        lines.write_all(reply).await.ok()?;
    }
}
