//! The audit log: who changed what, newest first, with filters, "Load more" and each
//! event's before/after state.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde_json::Value;
use tessera_domain::audit::AuditEventView;
use tessera_domain::page::CursorPage;

use super::restricted::Restricted;
use crate::api;
use crate::api::audit::AuditFilter;
use crate::components::{EmptyState, LoadMore, Loader, MorePages, PageHeader, TextField};
use crate::page::Page;
use crate::session::Session;

type Slice = CursorPage<AuditEventView>;

/// The top-level fields whose values differ between `before` and `after`, in order.
fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| v.and_then(Value::as_object).unwrap_or(&empty).clone();
    let (before, after) = (object(before), object(after));
    let mut keys: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| before.get(k) != after.get(k));
    keys
}

/// Pretty JSON for people, or a dash when there is none.
fn pretty(value: Option<&Value>) -> String {
    value
        .and_then(|v| serde_json::to_string_pretty(v).ok())
        .unwrap_or_else(|| "—".to_owned())
}

/// The last eight characters of an id, enough to tell rows apart in a table. Not the
/// first ones: ids are UUIDv7, whose leading characters are a timestamp shared by
/// everything created in the same moment.
fn short_id(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if tail.len() < id.len() {
        format!("…{tail}")
    } else {
        tail
    }
}

/// `Page::AuditLog` (staff: every tenant) or `Page::OrgAuditLog` (org admins: theirs).
#[component]
pub fn AuditPage(
    /// Which of the two pages this is: decides breadcrumbs and access.
    page: Page,
) -> impl IntoView {
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page=page>
            <AuditTrail/>
        </Restricted>
    }
}

/// The filters and the trail; only rendered for people the page admits.
#[component]
fn AuditTrail() -> impl IntoView {
    let staff = Session::get()
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| u.role.is_staff()));
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let applied = RwSignal::new(AuditFilter::default());
    let pages =
        MorePages::new(move |cursor| api::audit::list(applied.get_untracked(), Some(cursor)));

    let first = LocalResource::new(move || {
        let filter = applied.get();
        pages.first(api::audit::list(filter, None))
    });

    let apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        applied.set(AuditFilter {
            actor: actor.get_untracked().trim().to_owned(),
            action: action.get_untracked().trim().to_lowercase(),
            tenant: tenant.get_untracked().trim().to_owned(),
        });
    };
    let clear = move |_| {
        for field in [actor, action, tenant] {
            field.set(String::new());
        }
        applied.set(AuditFilter::default());
    };

    view! {
        <form class="card filter-bar" id="audit-filters" on:submit=apply novalidate>
            <TextField id="audit-actor" label="Actor" value=actor placeholder="E-mail or username"/>
            <TextField id="audit-action" label="Action" value=action placeholder="user or user.update"/>
            {staff.then(|| view! { <TextField id="audit-tenant" label="Tenant" value=tenant placeholder="Slug or id"/> })}
            <div class="filter-actions">
                <button type="submit" id="audit-apply" class="btn btn-primary">"Apply"</button>
                <button type="button" id="audit-clear" class="btn btn-ghost" on:click=clear>"Clear"</button>
            </div>
        </form>
        <Loader text="Loading the audit log…">
            {move || Suspend::new(async move {
                first.await.map(|slice| trail(slice, pages, applied.get_untracked() != AuditFilter::default()))
            })}
        </Loader>
        <LoadMore pages=pages class="timeline-end" id="audit-load-more" end_id="audit-end"/>
    }
}

fn trail(first: Slice, pages: MorePages<Slice>, filtered: bool) -> AnyView {
    if first.items.is_empty() {
        let (title, text) = if filtered {
            (
                "No events match these filters",
                "Try an action prefix such as “user”, or another actor.",
            )
        } else {
            (
                "Nothing recorded yet",
                "Every change an admin makes appears here, with who made it and what it changed.",
            )
        };
        return view! {
            <section class="card">
                <EmptyState title=title icon="☰"><p>{text}</p></EmptyState>
            </section>
        }
        .into_any();
    }
    // Audit events are immutable, so rows are keyed by id alone and never re-render.
    let events = pages.items(first.items);
    view! {
        <div class="table-wrap">
            <table class="table audit-table" id="audit-table">
                <thead>
                    <tr>
                        <th>"Time"</th>
                        <th>"Actor"</th>
                        <th>"Action"</th>
                        <th>"Target"</th>
                        <th>"Tenant"</th>
                        <th><span class="visually-hidden">"Details"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=events key=|e| e.id children=event_rows/>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One event (`.audit-row`) and, when expanded, its details (`.audit-detail`).
fn event_rows(e: AuditEventView) -> impl IntoView {
    let open = RwSignal::new(false);
    let detail_id = format!("audit-detail-{}", e.id);
    let changed = changed_fields(e.before.as_ref(), e.after.as_ref());
    let (before, after) = (pretty(e.before.as_ref()), pretty(e.after.as_ref()));
    let actor = e
        .actor_email
        .clone()
        .or_else(|| e.actor_id.map(|a| a.to_string()));
    let target_id = e.target_id.clone().unwrap_or_default();
    let tenant = e.tenant_id.map(|t| t.to_string());
    let details = {
        let (detail_id, actor_id, ip) = (detail_id.clone(), e.actor_id, e.ip.clone());
        let (target_id, tenant) = (target_id.clone(), tenant.clone());
        move || {
            open.get().then(|| {
                let changed = (!changed.is_empty()).then(|| {
                    view! { <p class="audit-changes">"Changed: " <strong>{changed.join(", ")}</strong></p> }
                });
                view! {
                    <tr class="audit-detail" id=detail_id.clone()>
                        <td colspan="6">
                            {changed}
                            <div class="json-compare">
                                <div>
                                    <h3 class="json-title">"Before"</h3>
                                    <pre class="json audit-before">{before.clone()}</pre>
                                </div>
                                <div>
                                    <h3 class="json-title">"After"</h3>
                                    <pre class="json audit-after">{after.clone()}</pre>
                                </div>
                            </div>
                            <dl class="details details-inline">
                                <dt>"Target id"</dt><dd><code>{target_id.clone()}</code></dd>
                                <dt>"Actor id"</dt><dd><code>{actor_id.map(|a| a.to_string()).unwrap_or_else(|| "system".into())}</code></dd>
                                <dt>"Tenant id"</dt><dd><code>{tenant.clone().unwrap_or_else(|| "—".into())}</code></dd>
                                <dt>"IP address"</dt><dd>{ip.clone().unwrap_or_else(|| "—".into())}</dd>
                            </dl>
                        </td>
                    </tr>
                }
            })
        }
    };
    view! {
        <tr class="audit-row" data-action=e.action.clone() class:expanded=move || open.get()>
            <td class="text-sm nowrap">{crate::format::moment_seconds(e.created_at)}</td>
            <td class="audit-actor">{actor.unwrap_or_else(|| "System".to_owned())}</td>
            <td><code class="audit-action">{e.action.clone()}</code></td>
            <td class="audit-target">
                {e.target_type.clone()}
                {(!target_id.is_empty()).then(|| view! { " " <code title=target_id.clone()>{short_id(&target_id)}</code> })}
            </td>
            <td class="audit-tenant">
                {match (e.tenant_slug.clone(), tenant.clone()) {
                    (Some(slug), Some(t)) => view! { <code title=t>{slug}</code> }.into_any(),
                    // The tenant was deleted since: its id is all that is left.
                    (None, Some(t)) => view! { <code title=t.clone()>{short_id(&t)}</code> }.into_any(),
                    (_, None) => view! { <span class="text-muted">"Platform"</span> }.into_any(),
                }}
            </td>
            <td class="row-actions">
                <button
                    type="button"
                    class="btn btn-ghost btn-sm audit-expand"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=detail_id
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "Hide" } else { "Details" }}
                </button>
            </td>
        </tr>
        {details}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_differing_fields_count_as_changed() {
        let before = json!({"name": "Ada", "active": true, "notes": null});
        let after = json!({"name": "Ada", "active": false, "notes": "left"});
        assert_eq!(
            changed_fields(Some(&before), Some(&after)),
            ["active", "notes"]
        );
        assert_eq!(changed_fields(None, Some(&json!({"a": 1}))), ["a"]);
        assert!(changed_fields(None, None).is_empty());
    }

    #[test]
    fn ids_are_shortened_to_their_random_end() {
        assert_eq!(
            short_id("01a2140a-81ad-703e-b563-53dd178043b3"),
            "…178043b3"
        );
        assert_eq!(short_id("acme"), "acme");
    }
}
