//! The latest usage events, a slice at a time: on the organisation's reserve page and,
//! for staff, on a tenant's page.

use leptos::prelude::*;
use tessera_domain::page::CursorPage;
use tessera_domain::usage::UsageEvent;

use super::{moment, money};
use crate::api::billing as api;
use crate::components::{Badge, EmptyState, LoadMore, Loader, MorePages, Tone};

/// The latest usage events one by one, newest occurrence first, with "Load more": the
/// caller's organisation's (`/api/usage/events`), or for staff the named tenant's
/// (`/admin/api/usage/events`).
#[component]
pub fn UsageEventList(
    /// Staff: the tenant (slug) whose events to list.
    #[prop(optional, into)]
    tenant: Option<String>,
) -> impl IntoView {
    let more_for = tenant.clone();
    let pages = MorePages::new(move |cursor| api::usage_events(more_for.clone(), Some(cursor)));
    let first = LocalResource::new(move || pages.first(api::usage_events(tenant.clone(), None)));
    let feed = move |first: CursorPage<UsageEvent>| {
        if first.items.is_empty() {
            return view! {
                <EmptyState title="No usage events yet" icon="▤">
                    <p>"Each event your devices and people report appears here as it is recorded."</p>
                </EmptyState>
            }
            .into_any();
        }
        let events = pages.items(first.items);
        view! {
            <div class="table-wrap">
                <table class="table table-compact" id="usage-events">
                    <thead>
                        <tr>
                            <th>"Occurred"</th>
                            <th>"Kind"</th>
                            <th class="num">"Quantity"</th>
                            <th class="num">"Tokens"</th>
                            <th class="num">"Duration"</th>
                            <th>"Result"</th>
                            <th>"Sent by"</th>
                            <th class="num">"Cost"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=events key=|e| e.id children=usage_event_row/>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" id="usage-events-panel">
            <h2 class="card-title">"Latest usage events"</h2>
            <Loader text="Loading usage events…">
                {move || Suspend::new(async move { first.await.map(feed) })}
            </Loader>
            <LoadMore pages=pages class="timeline-end" id="usage-events-load-more" end_id="usage-events-end"/>
        </section>
    }
}

/// One `.usage-event` row.
fn usage_event_row(e: UsageEvent) -> impl IntoView {
    let sender = match (e.device_id, e.user_id) {
        (Some(_), _) => "Device",
        (None, Some(_)) => "Person",
        (None, None) => "—",
    };
    let result = if e.success {
        view! { <Badge tone=Tone::Success>"OK"</Badge> }
    } else {
        view! { <Badge tone=Tone::Danger>"Failed"</Badge> }
    };
    view! {
        <tr class="usage-event" data-kind=e.kind.clone() data-event-id=e.event_id.clone()>
            <td class="text-sm billing-nowrap">{moment(e.occurred_at)}</td>
            <td><code>{e.kind.clone()}</code></td>
            <td class="num">{e.quantity}</td>
            <td class="num">{e.tokens}</td>
            <td class="num">{e.duration_ms.map_or_else(|| "—".to_owned(), |ms| format!("{ms} ms"))}</td>
            <td>{result}</td>
            <td class="text-sm">{sender}</td>
            <td class="num">{money(e.cost_cents, &e.currency)}</td>
        </tr>
    }
}
