//! Headless Chromium through chromedriver (Debian's packages), driven with fantoccini.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::{Backend, TestApp, free_port, spawn_app_with};
use futures_util::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// The built SPA (`trunk build --release` writes it here).
pub fn dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist")
}

/// A server on `backend` that also serves the built SPA, with `settings` on top.
pub async fn spawn_spa_app(backend: Backend, settings: &[(&str, &str)]) -> TestApp {
    let dist = dist_dir();
    let mut all = vec![("TESSERA_STATIC_DIR", dist.to_str().expect("a UTF-8 path"))];
    all.extend_from_slice(settings);
    spawn_app_with(backend, &all).await
}

struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs `test` with a fresh headless Chromium session, and always ends the session and
/// the driver afterwards, also when the test panics.
pub async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    assert!(
        dist_dir().join("index.html").exists(),
        "the SPA is not built: run `trunk build --release` (the README's test command does)"
    );
    let port = free_port();
    let profile = std::env::temp_dir().join(format!(
        "tessera-chromium-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (apt-get install chromium chromium-driver)");
    let driver = Driver {
        child,
        profile: profile.clone(),
    };
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a Chromium session");
    let outcome = AssertUnwindSafe(test(client.clone())).catch_unwind().await;
    let _ = client.close().await;
    drop(driver);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Waits up to ten seconds for an element.
pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("element {css} did not appear: {e}"))
}

/// Waits up to ten seconds until an element's text contains `needle`.
pub async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(needle) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never contained {needle:?}; last text was {last:?}");
}

/// Waits up to ten seconds until the URL path ends with `suffix`.
pub async fn wait_for_path(client: &Client, suffix: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(url) = client.current_url().await {
            last = url.path().to_owned();
            if last.ends_with(suffix) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached a path ending {suffix:?}; last was {last:?}");
}

/// Signs in through the sign-in page and waits for the shell to greet `name`.
pub async fn sign_in(client: &Client, address: &str, login: &str, password: &str, name: &str) {
    client.goto(&format!("{address}/login")).await.unwrap();
    retype(client, "#login", login).await;
    retype(client, "#password", password).await;
    click(client, "#login-submit").await;
    wait_for_text(client, "#current-user-name", name).await;
}

/// Signs in as the bootstrap super admin.
pub async fn sign_in_as_admin(client: &Client, address: &str) {
    sign_in(
        client,
        address,
        crate::ADMIN_EMAIL,
        crate::ADMIN_PASSWORD,
        "Platform administrator",
    )
    .await;
}

/// Clicks the element `css` matches (waiting for it to appear).
pub async fn click(client: &Client, css: &str) {
    find(client, css).await.click().await.unwrap();
}

/// Picks the option with `value` in the select `css` matches (waiting for it to appear).
pub async fn choose(client: &Client, css: &str, value: &str) {
    find(client, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} has no option {value:?}: {e}"));
}

/// Replaces the text of an input or textarea as a person would: clear, then type.
pub async fn retype(client: &Client, css: &str, text: &str) {
    let input = find(client, css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Waits up to ten seconds until exactly `n` elements match, and returns them.
pub async fn wait_for_count(client: &Client, css: &str, n: usize) -> Vec<Element> {
    let mut last = 0;
    for _ in 0..100 {
        if let Ok(found) = client.find_all(Locator::Css(css)).await {
            last = found.len();
            if last == n {
                return found;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {n} elements matching {css}, saw {last}");
}
