//! Servers as their own OS processes (the `tessera` binary), for tests that kill one, and
//! a TCP proxy that can cut a server off from its database and let it back.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, TestDb, free_port};

/// The `tessera` binary next to the test binary (`scripts/test.sh` builds it first).
pub fn tessera_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/suite-<hash> → target/<profile>/tessera
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("tessera"))
        .expect("a target directory");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p tessera-api --bin tessera`",
        bin.display()
    );
    bin
}

/// A `tessera serve` process on a test database; killed when dropped.
pub struct ServerProcess {
    child: Option<Child>,
    port: u16,
    db: Arc<TestDb>,
    env: Vec<(String, String)>,
    /// A client for it; its address stays the same across restarts.
    pub app: TestApp,
}

impl ServerProcess {
    /// Starts the binary on a fresh database and waits until it answers.
    pub async fn start(backend: Backend) -> ServerProcess {
        Self::start_with(backend, &[]).await
    }

    /// As [`ServerProcess::start`], with some settings added (`("TESSERA_LOG", "debug")`).
    pub async fn start_with(backend: Backend, env: &[(&str, &str)]) -> ServerProcess {
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::on(Arc::new(TestDb::create(&backend).await), env).await
    }

    /// A second process on the same database and settings (a replica), on its own port.
    pub async fn sibling(&self) -> ServerProcess {
        Self::on(self.db.clone(), self.env.clone()).await
    }

    async fn on(db: Arc<TestDb>, env: Vec<(String, String)>) -> ServerProcess {
        let port = free_port();
        let app = TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client: crate::client(),
            database_url: db.url.clone(),
            _db: db.clone(),
        };
        let mut p = ServerProcess {
            child: None,
            port,
            db,
            env,
            app,
        };
        p.restart().await;
        p
    }

    /// Starts (again) on the same database and port and waits until health answers 200.
    pub async fn restart(&mut self) {
        let child = Command::new(tessera_binary())
            .arg("serve")
            .env("DATABASE_URL", &self.db.url)
            .env("TESSERA_BIND", format!("127.0.0.1:{}", self.port))
            .env("TESSERA_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("TESSERA_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("TESSERA_LOGIN_RATE_LIMIT", "10000")
            .env("TESSERA_ACTIVATE_RATE_LIMIT", "10000")
            .env("TESSERA_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the tessera binary");
        self.child = Some(child);
        for _ in 0..300 {
            let health = format!("{}/api/health", self.app.address);
            if let Ok(res) = self.app.client.get(health).send().await
                && res.status().as_u16() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server process never became healthy");
    }

    /// SIGKILL: no shutdown hooks, no flushing, the way a crash ends a process.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL");
            c.wait().expect("reap");
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A TCP relay in front of the database: `cut` drops every connection and stops
/// listening, `restore` listens again on the same address, `stall` silences the open
/// connections without closing them.
pub struct TcpProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// How many times `stall` was called; a relay stops when this passes its own start.
    stalls: tokio::sync::watch::Sender<u64>,
}

impl TcpProxy {
    /// Relays `127.0.0.1:<free port>` to `target` (`host:port`).
    pub async fn start(target: &str) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let p = TcpProxy {
            addr: listener.local_addr().unwrap(),
            target: target.to_owned(),
            tasks: Arc::default(),
            stalls: tokio::sync::watch::Sender::new(0),
        };
        p.serve(listener);
        p
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks, stalls) =
            (self.target.clone(), self.tasks.clone(), self.stalls.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let mut stalled = stalls.subscribe();
                let started = *stalled.borrow_and_update();
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let silenced = tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => false,
                            r = stalled.wait_for(|n| *n != started) => r.is_ok(),
                        };
                        if silenced {
                            // Keep both sockets open and pass nothing on: to either side
                            // the peer has gone silent, as a vanished host does.
                            std::future::pending::<()>().await;
                        }
                    }
                });
                tasks.lock().unwrap().push(relay);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// The database "goes away": open connections break and new ones are refused.
    pub fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// A relay in front of `database_url`'s host, and the same URL pointing at the relay.
    pub async fn in_front_of(database_url: &str) -> (TcpProxy, String) {
        let host = database_url
            .split('@')
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("host:port in the database URL");
        let proxy = TcpProxy::start(host).await;
        let url = database_url.replacen(host, &proxy.addr.to_string(), 1);
        (proxy, url)
    }

    /// The open connections go silent, still open: nothing is relayed on them any more
    /// and no side sees them close. New connections are relayed as before.
    pub fn stall(&self) {
        self.stalls.send_modify(|n| *n += 1);
    }

    /// The database is back on the same address.
    pub async fn restore(&self) {
        for _ in 0..50 {
            if let Ok(l) = TcpListener::bind(self.addr).await {
                self.serve(l);
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not listen on {} again", self.addr);
    }
}
