//! The staff dashboard's live activity: the server's event stream (`/api/events/stream`,
//! Server-Sent Events), newest first, reopened with a fresh token when it fails.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::api;
use crate::session;

/// Events kept on screen.
const MAX_EVENTS: usize = 20;

/// The event kinds the server sends by name (an `EventSource` only hands named events to
/// listeners registered for that name).
const KINDS: [&str; 5] = [
    "activation",
    "device_revoked",
    "code_revoked",
    "ledger_entry",
    "alert",
];

/// One event of the stream, as the server writes it in `data:`.
#[derive(Debug, Clone, Deserialize)]
struct LiveEvent {
    kind: String,
    data: Value,
    at: DateTime<Utc>,
}

/// One line of the feed.
#[derive(Debug, Clone, PartialEq)]
struct FeedItem {
    key: u64,
    kind: String,
    text: String,
    at: DateTime<Utc>,
}

/// The connection's state, as shown next to the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Connecting,
    Live,
    Reconnecting,
    Closed,
}

impl Link {
    fn label(self) -> &'static str {
        match self {
            Link::Connecting => "Connecting…",
            Link::Live => "Live",
            Link::Reconnecting => "Reconnecting…",
            Link::Closed => "Disconnected",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Link::Live => "badge badge-success live-state",
            Link::Connecting | Link::Reconnecting => "badge badge-warning live-state",
            Link::Closed => "badge badge-danger live-state",
        }
    }
}

/// A short human description of an event's `data`.
fn describe(kind: &str, data: &Value) -> String {
    let s = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    match kind {
        "activation" | "device_revoked" => {
            let d = data.get("device").unwrap_or(&Value::Null);
            let verb = if kind == "activation" {
                "activated"
            } else {
                "revoked"
            };
            format!(
                "{} ({}) {verb} for {}",
                s(d, "name"),
                s(d, "fingerprint"),
                s(d, "tenant_slug")
            )
        }
        "code_revoked" => {
            let c = data.get("code").unwrap_or(&Value::Null);
            format!(
                "Code {}-… revoked for {}",
                s(c, "prefix"),
                s(c, "tenant_slug")
            )
        }
        "ledger_entry" => {
            let e = data.get("entry").unwrap_or(&Value::Null);
            let cents = e.get("amount_cents").and_then(Value::as_i64);
            let amount = cents.map_or_else(String::new, |c| {
                format!(
                    " of {}{}.{:02}",
                    if c < 0 { "-" } else { "" },
                    c.abs() / 100,
                    c.abs() % 100
                )
            });
            let what = e.get("kind").and_then(Value::as_str).unwrap_or("entry");
            format!("Ledger {what}{amount}")
        }
        "alert" => {
            let metric = s(data, "metric");
            let severity = data
                .get("threshold")
                .map_or_else(|| "?".to_owned(), |t| s(t, "severity"));
            match data.get("value").and_then(Value::as_f64) {
                Some(v) => format!(
                    "{severity} alert: {metric} = {}",
                    crate::format::short(v, 4)
                ),
                None => format!("{severity} alert: {metric}"),
            }
        }
        other => format!("{other} event"),
    }
}

/// Seconds to wait before each reconnection attempt: quick at first, then at most twice
/// a minute, so a server that is down is not hammered by every open dashboard.
const BACKOFF_SECS: [u64; 6] = [1, 2, 5, 10, 20, 30];

/// The wait before reconnection attempt `attempt` (0 = the first after a failure).
fn backoff(attempt: usize) -> Duration {
    Duration::from_secs(BACKOFF_SECS[attempt.min(BACKOFF_SECS.len() - 1)])
}

/// An open `EventSource` and the listeners it calls.
struct Stream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(Event)>>,
}

/// The connection and its reconnection, released when the card unmounts.
#[derive(Default)]
struct Conn {
    stream: Option<Stream>,
    /// Failures since the stream was last open; picks the next wait.
    attempt: usize,
    retry: Option<TimeoutHandle>,
    /// Set on unmount, so a token refresh still in flight does not reopen the stream.
    stopped: bool,
    /// The newest item's key; kept here so keys stay unique across reconnections.
    last_key: u64,
}

/// The feed's state; `Copy`, so every listener and timer can hold it.
#[derive(Clone, Copy)]
struct Feed {
    items: RwSignal<Vec<FeedItem>>,
    link: RwSignal<Link>,
    conn: StoredValue<Conn, LocalStorage>,
}

/// "Live activity": opens the event stream with the session's access token, lists the
/// latest 20 events newest first with their time, kind and a description, shows whether
/// the stream is connected, reconnects with a fresh token after it fails, and closes it
/// when the card unmounts.
#[component]
pub fn LiveFeed() -> impl IntoView {
    let feed = Feed {
        items: RwSignal::new(Vec::new()),
        link: RwSignal::new(Link::Connecting),
        conn: StoredValue::new_local(Conn::default()),
    };
    feed.connect();
    on_cleanup(move || {
        feed.conn.try_update_value(|c| {
            c.stopped = true;
            if let Some(s) = c.stream.take() {
                s.source.close();
            }
            if let Some(h) = c.retry.take() {
                h.clear();
            }
        });
    });
    let Feed { items, link, .. } = feed;
    view! {
        <section class="card live-feed-card">
            <h2 class="card-title">
                "Live activity " <span class=move || link.get().class() id="live-state">{move || link.get().label()}</span>
            </h2>
            <ul class="live-feed" id="live-feed" aria-live="polite">
                <For each=move || items.get() key=|i| i.key let:item>
                    <li class="live-event" data-kind=item.kind.clone()>
                        <time class="live-time" datetime=item.at.to_rfc3339()>
                            {crate::format::clock(item.at)}
                        </time>
                        <span class="badge badge-neutral live-kind">{item.kind.replace('_', " ")}</span>
                        <span class="live-text">{item.text.clone()}</span>
                    </li>
                </For>
            </ul>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="text-muted live-empty">"Waiting for activations, revocations, ledger entries and alerts…"</p>
            </Show>
        </section>
    }
}

impl Feed {
    /// Opens the stream with the current access token.
    fn connect(self) {
        if self.conn.try_with_value(|c| c.stopped) != Some(false) {
            return;
        }
        let Some(token) = session::access_token() else {
            self.link.try_set(Link::Closed);
            return;
        };
        let url = format!(
            "/api/events/stream?access_token={}",
            js_sys::encode_uri_component(&token)
        );
        let Ok(source) = EventSource::new(&url) else {
            self.retry_later();
            return;
        };
        let on_message = Closure::<dyn FnMut(Event)>::new(move |ev: Event| self.receive(&ev));
        for kind in KINDS {
            let _ =
                source.add_event_listener_with_callback(kind, on_message.as_ref().unchecked_ref());
        }
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
            self.link.try_set(Link::Live);
            self.conn.try_update_value(|c| c.attempt = 0);
        });
        let failed = source.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
            // Left alone, the browser would retry with the same token, which expires after
            // 15 minutes and then is refused for good: close, and reopen with a fresh one.
            failed.close();
            self.retry_later();
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let stream = Stream {
            source,
            _listeners: vec![on_message, on_open, on_error],
        };
        // Replaces (and so frees) the previous stream, already closed by its error. Nothing
        // above awaited, so the card is still mounted (checked on entry).
        self.conn.try_update_value(|c| c.stream = Some(stream));
    }

    /// Adds one event to the top of the feed.
    fn receive(self, ev: &Event) {
        let Some(text) = ev
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        else {
            return;
        };
        let Ok(event) = serde_json::from_str::<LiveEvent>(&text) else {
            leptos::logging::warn!("unreadable live event: {text}");
            return;
        };
        let Some(key) = self.conn.try_update_value(|c| {
            c.last_key += 1;
            c.last_key
        }) else {
            return;
        };
        let item = FeedItem {
            key,
            text: describe(&event.kind, &event.data),
            kind: event.kind,
            at: event.at,
        };
        self.items.try_update(|list| {
            list.insert(0, item);
            list.truncate(MAX_EVENTS);
        });
    }

    /// Schedules the next reconnection attempt after its backoff, unless one is pending.
    fn retry_later(self) {
        let delay = self.conn.try_update_value(|c| {
            (!c.stopped && c.retry.is_none()).then(|| {
                c.attempt += 1;
                backoff(c.attempt - 1)
            })
        });
        let Some(delay) = delay.flatten() else {
            return;
        };
        self.link.try_set(Link::Reconnecting);
        let fire = move || {
            self.conn.try_update_value(|c| c.retry = None);
            leptos::task::spawn_local(self.reconnect());
        };
        match set_timeout_with_handle(fire, delay) {
            Ok(h) => {
                self.conn.try_update_value(|c| c.retry = Some(h));
            }
            Err(_) => {
                self.link.try_set(Link::Closed);
            }
        }
    }

    /// Renews the session if its access token expired, then reopens the stream.
    async fn reconnect(self) {
        // The stream carries its token in the URL, so the API client never sees its 401:
        // a cheap authorised call goes through the client's refresh path instead.
        match api::auth::me().await {
            Ok(_) => self.connect(),
            // The session is over and cleared; the sign-in page follows.
            Err(e) if e.status() == Some(401) => {
                self.link.try_set(Link::Closed);
            }
            Err(_) => self.retry_later(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn events_read_as_one_line() {
        let activation =
            json!({"device": {"name": "Laptop", "fingerprint": "fp-1", "tenant_slug": "acme"}});
        assert_eq!(
            describe("activation", &activation),
            "Laptop (fp-1) activated for acme"
        );
        assert_eq!(
            describe("device_revoked", &activation),
            "Laptop (fp-1) revoked for acme"
        );
        let entry = json!({"entry": {"kind": "top_up", "amount_cents": 1250}});
        assert_eq!(describe("ledger_entry", &entry), "Ledger top_up of 12.50");
        let code = serde_json::json!({"code": {"prefix": "AB7K", "tenant_slug": "acme"}});
        assert_eq!(
            describe("code_revoked", &code),
            "Code AB7K-… revoked for acme"
        );
        let alert =
            json!({"metric": "error_rate", "value": 0.2, "threshold": {"severity": "critical"}});
        assert_eq!(
            describe("alert", &alert),
            "critical alert: error_rate = 0.2"
        );
        assert_eq!(describe("other", &Value::Null), "other event");
    }

    #[test]
    fn reconnections_back_off_to_thirty_seconds() {
        let waits: Vec<u64> = (0..8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 5, 10, 20, 30, 30, 30]);
    }
}
