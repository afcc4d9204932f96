//! The staff dashboard's live activity: the server's event stream (`/api/events/stream`,
//! Server-Sent Events), newest first.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::session;

/// Events kept on screen.
const MAX_EVENTS: usize = 20;

/// The event kinds the server sends by name (an `EventSource` only hands named events to
/// listeners registered for that name).
const KINDS: [&str; 4] = ["activation", "device_revoked", "ledger_entry", "alert"];

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

/// What the component must release when it unmounts.
struct Stream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(Event)>>,
}

/// "Live activity": opens the event stream with the session's access token, lists the
/// latest 20 events newest first with their time, kind and a description, shows whether
/// the stream is connected, and closes it when the card unmounts.
#[component]
pub fn LiveFeed() -> impl IntoView {
    let items = RwSignal::new(Vec::<FeedItem>::new());
    let link = RwSignal::new(Link::Connecting);
    let stream = StoredValue::new_local(open(items, link));
    on_cleanup(move || {
        stream.try_with_value(|s| {
            if let Some(s) = s {
                s.source.close();
            }
        });
    });
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

fn open(items: RwSignal<Vec<FeedItem>>, link: RwSignal<Link>) -> Option<Stream> {
    let Some(token) = session::access_token() else {
        link.set(Link::Closed);
        return None;
    };
    let url = format!(
        "/api/events/stream?access_token={}",
        js_sys::encode_uri_component(&token)
    );
    let Ok(source) = EventSource::new(&url) else {
        link.set(Link::Closed);
        return None;
    };
    let mut next = 0_u64;
    let on_message = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        let Some(msg) = ev.dyn_ref::<MessageEvent>() else {
            return;
        };
        let Some(text) = msg.data().as_string() else {
            return;
        };
        let Ok(event) = serde_json::from_str::<LiveEvent>(&text) else {
            leptos::logging::warn!("unreadable live event: {text}");
            return;
        };
        next += 1;
        let item = FeedItem {
            key: next,
            text: describe(&event.kind, &event.data),
            kind: event.kind,
            at: event.at,
        };
        items.try_update(|list| {
            list.insert(0, item);
            list.truncate(MAX_EVENTS);
        });
    });
    for kind in KINDS {
        let _ = source.add_event_listener_with_callback(kind, on_message.as_ref().unchecked_ref());
    }
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
        link.try_set(Link::Live);
    });
    let watched = source.clone();
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
        // The browser retries by itself unless the server refused the stream outright.
        let state = if watched.ready_state() == EventSource::CLOSED {
            Link::Closed
        } else {
            Link::Reconnecting
        };
        link.try_set(state);
    });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Stream {
        source,
        _listeners: vec![on_message, on_open, on_error],
    })
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
        let alert =
            json!({"metric": "error_rate", "value": 0.2, "threshold": {"severity": "critical"}});
        assert_eq!(
            describe("alert", &alert),
            "critical alert: error_rate = 0.2"
        );
        assert_eq!(describe("other", &Value::Null), "other event");
    }
}
