//! The mail outbox (super admins): every message the server queued, newest first, with
//! its delivery status, a filter by recipient, "Load more" and each message's body.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::outbox::{MailStatus, OutboxItem};
use tessera_domain::page::CursorPage;

use super::restricted::Restricted;
use crate::api;
use crate::components::{
    Badge, EmptyState, LoadMore, Loader, MorePages, PageHeader, TextField, Tone,
};
use crate::page::Page;

type Slice = CursorPage<OutboxItem>;

/// The badge label, tone and `data-status` of a delivery status.
fn status_badge(status: MailStatus) -> (&'static str, Tone, &'static str) {
    match status {
        MailStatus::Sent => ("Sent", Tone::Success, "sent"),
        MailStatus::Queued => ("Queued", Tone::Info, "queued"),
        MailStatus::Failed => ("Failed", Tone::Danger, "failed"),
        MailStatus::Expired => ("Expired", Tone::Warning, "expired"),
        MailStatus::OutboxOnly => ("Outbox only", Tone::Neutral, "outbox_only"),
    }
}

/// `Page::Outbox`.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let page = Page::Outbox;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page=page>
            <Outbox/>
        </Restricted>
    }
}

/// The filter and the feed; only rendered for super admins.
#[component]
fn Outbox() -> impl IntoView {
    let to = RwSignal::new(String::new());
    let applied = RwSignal::new(String::new());
    let pages =
        MorePages::new(move |cursor| api::outbox::list(applied.get_untracked(), Some(cursor)));
    let first = LocalResource::new(move || {
        let to = applied.get();
        pages.first(api::outbox::list(to, None))
    });
    let apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        applied.set(to.get_untracked().trim().to_lowercase());
    };
    let clear = move |_| {
        to.set(String::new());
        applied.set(String::new());
    };
    view! {
        <form class="card filter-bar" id="outbox-filters" on:submit=apply novalidate>
            <TextField id="outbox-to" label="Recipient" value=to placeholder="E-mail address"/>
            <div class="filter-actions">
                <button type="submit" id="outbox-apply" class="btn btn-primary">"Apply"</button>
                <button type="button" id="outbox-clear" class="btn btn-ghost" on:click=clear>"Clear"</button>
            </div>
        </form>
        <Loader text="Loading the outbox…">
            {move || Suspend::new(async move {
                first.await.map(|slice| feed(slice, pages, !applied.get_untracked().is_empty()))
            })}
        </Loader>
        <LoadMore pages=pages class="timeline-end" id="outbox-load-more" end_id="outbox-end"/>
    }
}

fn feed(first: Slice, pages: MorePages<Slice>, filtered: bool) -> AnyView {
    if first.items.is_empty() {
        let (title, text) = if filtered {
            (
                "No mail to this address",
                "The filter matches the whole address, in any case.",
            )
        } else {
            (
                "No mail yet",
                "Every message the server sends (codes, reset links) appears here.",
            )
        };
        return view! {
            <section class="card">
                <EmptyState title=title icon="✉"><p>{text}</p></EmptyState>
            </section>
        }
        .into_any();
    }
    let mails = pages.items(first.items);
    view! {
        <div class="table-wrap">
            <table class="table audit-table" id="outbox-table">
                <thead>
                    <tr>
                        <th>"Queued"</th>
                        <th>"To"</th>
                        <th>"Subject"</th>
                        <th>"Status"</th>
                        <th>"Attempts"</th>
                        <th><span class="visually-hidden">"Body"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=mails key=|m| m.id children=mail_rows/>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One message (`.outbox-row`) and, when opened, its body (`.outbox-detail`).
fn mail_rows(m: OutboxItem) -> AnyView {
    let open = RwSignal::new(false);
    let detail_id = format!("outbox-body-{}", m.id);
    let (label, tone, code) = status_badge(m.status);
    let body = m.body;
    let detail = {
        let detail_id = detail_id.clone();
        move || {
            open.get().then(|| {
                view! {
                    <tr class="audit-detail outbox-detail" id=detail_id.clone()>
                        <td colspan="6"><pre class="json outbox-body">{body.clone()}</pre></td>
                    </tr>
                }
            })
        }
    };
    let sent = m
        .sent_at
        .map(|at| format!("Sent {}", crate::format::moment_seconds(at)));
    let error = m
        .last_error
        .map(|e| view! { <div class="text-sm text-danger outbox-error">{e}</div> });
    view! {
        <tr class="audit-row outbox-row" data-status=code class:expanded=move || open.get()
            on:click=move |_| open.update(|o| *o = !*o)>
            <td class="text-sm nowrap">{crate::format::moment_seconds(m.created_at)}</td>
            <td class="outbox-to">{m.to}</td>
            <td class="outbox-subject">{m.subject}</td>
            <td class="outbox-status" title=sent><Badge tone=tone>{label}</Badge></td>
            <td class="outbox-attempts">{m.attempts}{error}</td>
            <td class="row-actions">
                <button
                    type="button"
                    class="btn btn-ghost btn-sm outbox-show"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=detail_id
                >
                    {move || if open.get() { "Hide" } else { "Show" }}
                </button>
            </td>
        </tr>
        {detail}
    }
    .into_any()
}
