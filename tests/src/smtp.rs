//! A tiny SMTP sink: a local stand-in for the mail server, speaking just enough SMTP
//! (greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) over TCP and recording every
//! message it accepts. It can start on a chosen port, to play a server that was down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A listening sink; stops when dropped.
pub struct SmtpSink {
    /// The port it listens on.
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Starts on any free port.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(0).await
    }

    /// Starts on `port` (0: any).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the SMTP sink binds");
        let port = listener.local_addr().expect("bound").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
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

async fn session(stream: TcpStream, store: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 sink\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut message = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    // Dot-unstuffing.
                    message.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                store.lock().expect("not poisoned").push(message);
                b"250 queued\r\n"
            }
            _ => b"502 not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
