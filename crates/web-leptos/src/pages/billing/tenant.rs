//! Members: their organisation's reserve (balance, status, threshold, latest entries), a
//! top-up form for org admins, the last 30 days of usage and the latest usage events.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::Role;
use tessera_domain::billing::{CURRENCY, LedgerEntry, Reserve, TopUp, TopUpRequest};
use tessera_domain::usage::UsageRollup;

use super::{
    Audience, IdempotencyKeys, ReserveStatusBadge, UsageEventList, kind_label, moment, money,
    parse_cents, signed_money, today_utc,
};
use crate::api::ApiError;
use crate::api::billing::{self as api, DayRange};
use crate::components::{
    Alert, AlertKind, EmptyState, Loader, PageHeader, StatusBadge, SubmitButton, TextField,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::{failure_alert, server_field_errors};
use crate::session::Session;

/// Days the usage panel covers, today included.
const USAGE_DAYS: u64 = 30;

/// Members: the organisation's reserve (`Page::OrgBilling`).
#[component]
pub fn TenantBillingPage() -> impl IntoView {
    let page = Page::OrgBilling;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Audience page=page audience="members of an organisation">
            <TenantReserve/>
        </Audience>
    }
}

#[component]
fn TenantReserve() -> impl IntoView {
    let reserve = LocalResource::new(api::reserve);
    let org_admin = Session::get()
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| u.role >= Role::OrgAdmin));
    // Known once the reserve has loaded; the form says up front when payment is offline.
    let online_payment =
        Signal::derive(move || reserve.get().and_then(Result::ok).map(|r| r.online_payment));
    // Bumped when a top-up opens, so the list below shows it.
    let opened = RwSignal::new(0u64);
    view! {
        <Loader text="Loading your reserve…">
            {move || Suspend::new(async move { reserve.await.map(reserve_view) })}
        </Loader>
        {if org_admin {
            view! { <TopUpForm online_payment=online_payment opened=opened/> }.into_any()
        } else {
            view! {
                <section class="card">
                    <h2 class="card-title">"Top up"</h2>
                    <p class="text-muted" id="topup-not-allowed">
                        "Only your organisation's admins can top up the reserve."
                    </p>
                </section>
            }
            .into_any()
        }}
        <CheckoutReturn/>
        <TopUpList opened=opened/>
        <UsagePanel/>
        <UsageEventList/>
    }
}

/// What the payment provider's return page means (`?checkout=done|cancelled`).
#[component]
fn CheckoutReturn() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        match query.with(|q| q.get("checkout")).as_deref() {
        Some("done") => Some(view! {
            <div id="checkout-returned">
                <Alert kind=AlertKind::Success title="Payment sent">
                    <p>"Your reserve is credited as soon as the payment provider confirms the payment; the top-up below then shows as completed."</p>
                </Alert>
            </div>
        }.into_any()),
        Some("cancelled") => Some(view! {
            <div id="checkout-cancelled">
                <Alert kind=AlertKind::Warning title="Payment cancelled">
                    <p>"Nothing was charged. The top-up stays pending; open a new one when you are ready."</p>
                </Alert>
            </div>
        }.into_any()),
        _ => None,
    }
    }
}

/// The organisation's top-ups, newest first, with "Load more" through the cursor.
#[component]
fn TopUpList(
    /// Bumped when a top-up opens; the list reloads from the top.
    opened: RwSignal<u64>,
) -> impl IntoView {
    let more = RwSignal::new(Vec::<TopUp>::new());
    let next = RwSignal::new(None::<String>);
    let first = LocalResource::new(move || {
        opened.track();
        more.set(Vec::new());
        async move {
            let page = api::top_ups(None).await?;
            next.set(page.next_cursor.clone());
            Ok::<_, ApiError>(page.items)
        }
    });
    let load_more = Action::new_local(move |cursor: &String| {
        let cursor = cursor.clone();
        async move {
            let page = api::top_ups(Some(cursor)).await?;
            more.update(|m| m.extend(page.items));
            next.set(page.next_cursor);
            Ok::<_, ApiError>(())
        }
    });
    let loading = load_more.pending();
    let table = move |items: Vec<TopUp>| {
        if items.is_empty() {
            return view! {
                <EmptyState title="No top-ups yet" icon="¤">
                    <p>"Top-ups you open appear here, pending until their payment is confirmed."</p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-compact" id="top-ups">
                    <thead>
                        <tr>
                            <th>"Opened"</th>
                            <th class="num">"Amount"</th>
                            <th>"Status"</th>
                            <th>"Credited"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || items.clone() key=|t| t.id children=top_up_row/>
                        <For each=move || more.get() key=|t| t.id children=top_up_row/>
                    </tbody>
                </table>
            </div>
            {move || next.get().map(|cursor| view! {
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    id="top-ups-load-more"
                    disabled=move || loading.get()
                    on:click=move |_| { load_more.dispatch(cursor.clone()); }
                >
                    {move || if loading.get() { "Loading…" } else { "Load more" }}
                </button>
            })}
        }
        .into_any()
    };
    view! {
        <section class="card" id="top-up-list">
            <h2 class="card-title">"Top-ups"</h2>
            <Loader text="Loading top-ups…">
                {move || Suspend::new(async move { first.await.map(table) })}
            </Loader>
        </section>
    }
}

/// One `.top-up` row; a pending one with a checkout page links to it.
fn top_up_row(t: TopUp) -> impl IntoView {
    let pay = (t.status == "pending")
        .then(|| t.checkout_url.as_deref().and_then(safe_checkout_url).map(str::to_owned))
        .flatten()
        .map(|url| view! { <a class="btn btn-secondary btn-sm" href=url rel="noopener noreferrer">"Pay"</a> });
    view! {
        <tr class="top-up" data-status=t.status.clone()>
            <td class="text-sm billing-nowrap">{moment(t.created_at)}</td>
            <td class="num">{money(t.amount_cents, &t.currency)}</td>
            <td><StatusBadge status=t.status.clone()/></td>
            <td class="text-sm billing-nowrap">{t.completed_at.map_or_else(|| "—".to_owned(), moment)}</td>
            <td>{pay}</td>
        </tr>
    }
}

/// Balance, status and threshold, then the latest entries.
fn reserve_view(r: Reserve) -> impl IntoView {
    let entries = if r.recent_entries.is_empty() {
        view! {
            <EmptyState title="No entries yet" icon="¤">
                <p>"Top-ups, usage charges and adjustments of your reserve appear here."</p>
            </EmptyState>
        }
        .into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="table table-compact" id="reserve-entries">
                    <thead>
                        <tr>
                            <th>"Time"</th>
                            <th>"Kind"</th>
                            <th class="num">"Amount"</th>
                            <th class="num">"Balance after"</th>
                            <th>"Reason"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || r.recent_entries.clone() key=|e| e.id children=entry_row/>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <div class="grid grid-kpi billing-summary">
            <div class=format!("card kpi-card {}", status_tone(&r.status)) data-metric="balance">
                <div class="kpi-label">"Balance"</div>
                <div class="kpi-value" id="reserve-balance">{money(r.balance_cents, &r.currency)}</div>
                <div class="kpi-note">
                    <ReserveStatusBadge status=r.status.clone() id="reserve-status"/>
                </div>
            </div>
            <div class="card kpi-card" data-metric="threshold">
                <div class="kpi-label">"Low-balance threshold"</div>
                <div class="kpi-value" id="reserve-threshold">
                    {money(r.low_balance_threshold_cents, &r.currency)}
                </div>
                <div class="kpi-note">"Below this the reserve is low; below zero it is delinquent."</div>
            </div>
        </div>
        <section class="card">
            <h2 class="card-title">"Recent entries"</h2>
            {entries}
        </section>
    }
}

/// The balance card's edge colour: the same meaning as the status badge.
fn status_tone(status: &str) -> &'static str {
    match status {
        "active" => "kpi-ok",
        "low_balance" => "kpi-warning",
        "delinquent" => "kpi-critical",
        _ => "",
    }
}

/// One `.reserve-entry`.
fn entry_row(e: LedgerEntry) -> impl IntoView {
    let why = e.reason.clone().or_else(|| e.reference.clone());
    view! {
        <tr class="reserve-entry" data-kind=e.kind.clone()>
            <td class="text-sm billing-nowrap">{moment(e.created_at)}</td>
            <td>{kind_label(&e.kind)}</td>
            <td class="num">{signed_money(e.amount_cents, &e.currency)}</td>
            <td class="num">{money(e.balance_after_cents, &e.currency)}</td>
            <td>{why.unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}

/// The top-up as typed, checked by the shared rule (`TopUpRequest::validate`).
fn top_up_request(amount: &str) -> Result<TopUpRequest, Vec<tessera_domain::FieldError>> {
    let amount_cents = parse_cents(amount)
        .map_err(|m| vec![tessera_domain::FieldError::new("amount_cents", m)])?;
    let request = TopUpRequest { amount_cents };
    request.validate().map(|()| request)
}

/// Only web links are followed: the URL comes from the server, but a `javascript:` one
/// would run in this page.
fn safe_checkout_url(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// Org admins: open a top-up. It stays pending until the payment provider confirms it;
/// the result says how to pay, or plainly that online payment is not configured.
#[component]
fn TopUpForm(
    /// Whether a payment provider is configured; `None` until the reserve has loaded.
    #[prop(into)]
    online_payment: Signal<Option<bool>>,
    /// Bumped after each opened top-up.
    opened: RwSignal<u64>,
) -> impl IntoView {
    let amount = RwSignal::new(String::new());
    let keys = IdempotencyKeys::new();
    let open = Action::new_local(move |(request, key): &(TopUpRequest, String)| {
        let (request, key) = (request.clone(), key.clone());
        async move {
            let top_up = api::top_up(&request, &key).await?;
            // The next submit is a second top-up, even for the same amount.
            keys.forget();
            opened.update(|n| *n += 1);
            Ok::<_, ApiError>(top_up)
        }
    });
    let pending = open.pending();
    let form = FormErrors::new(
        move || top_up_request(&amount.get()).map(drop),
        server_field_errors(open),
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || !form.submit() {
            return;
        }
        if let Ok(request) = top_up_request(&amount.get_untracked()) {
            let key = keys.key_for(&request);
            open.dispatch((request, key));
        }
    };
    let offline_note = move || {
        (online_payment.get() == Some(false)).then(|| {
            view! {
                <p class="text-sm text-muted" id="topup-offline-note">
                    "Online payment is not configured on this server: a top-up is recorded as pending and credited once its payment is confirmed."
                </p>
            }
        })
    };
    let result = move || {
        open.value()
            .with(|r| r.as_ref().and_then(|r| r.as_ref().ok().cloned()))
            .map(top_up_result)
    };
    view! {
        <section class="card" id="topup">
            <h2 class="card-title">"Top up"</h2>
            {offline_note}
            {failure_alert(open)}
            <form class="form billing-topup-form" id="topup-form" on:submit=on_submit novalidate>
                <TextField
                    id="topup-amount"
                    label="Amount"
                    value=amount
                    error=form.error("amount_cents")
                    on_blur=form.touch("amount_cents")
                    hint="Dollars, e.g. 100.00."
                    placeholder="100.00"
                    inputmode="decimal"
                    autocomplete="off"
                />
                <div class="billing-form-actions">
                    <SubmitButton id="topup-submit" pending=pending label="Open top-up" busy="Opening…"/>
                </div>
            </form>
            {result}
        </section>
    }
}

/// `#topup-result`: the pending top-up and how it gets paid.
fn top_up_result(t: TopUp) -> impl IntoView {
    let status = t.status.clone();
    let how = match t.checkout_url.as_deref().and_then(safe_checkout_url) {
        Some(url) => view! {
            <p>
                <a class="btn btn-primary btn-sm" id="topup-checkout" href=url.to_owned() rel="noopener noreferrer">
                    "Pay at checkout"
                </a>
            </p>
            <p class="text-sm">"Your reserve is credited as soon as the payment is confirmed."</p>
        }
        .into_any(),
        None => view! {
            <p id="topup-offline">
                "Online payment is not configured, so this top-up is recorded as pending. "
                "Your reserve is credited once the payment is confirmed; contact your Tessera account manager to pay."
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="billing-topup-result" id="topup-result" data-status=t.status.clone()>
            <Alert kind=AlertKind::Info title="Top-up opened">
                <p>
                    {money(t.amount_cents, &t.currency)} " · " <StatusBadge status=status/>
                    " · opened " {moment(t.created_at)}
                </p>
                <p class="text-sm text-muted">"Reference: " <code>{t.id.to_string()}</code></p>
                {how}
            </Alert>
        </div>
    }
}

/// One kind of usage summed over the panel's days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct KindTotal {
    kind: String,
    events: i64,
    quantity: i64,
    tokens: i64,
    cost_cents: i64,
    failures: i64,
}

/// Daily rollups summed per kind, in kind order.
fn per_kind(rows: &[UsageRollup]) -> Vec<KindTotal> {
    let mut kinds: BTreeMap<&str, KindTotal> = BTreeMap::new();
    for r in rows {
        let t = kinds.entry(&r.kind).or_insert_with(|| KindTotal {
            kind: r.kind.clone(),
            ..KindTotal::default()
        });
        t.events += r.events;
        t.quantity += r.quantity;
        t.tokens += r.tokens;
        t.cost_cents += r.cost_cents;
        t.failures += r.failures;
    }
    kinds.into_values().collect()
}

/// The last 30 days of usage per kind (`/api/usage/rollups`).
#[component]
fn UsagePanel() -> impl IntoView {
    let to = today_utc();
    let range = DayRange {
        from: to - chrono::Days::new(USAGE_DAYS - 1),
        to,
    };
    let rollups = LocalResource::new(move || api::usage_rollups(range));
    let table = |rows: Vec<UsageRollup>| {
        let totals = per_kind(&rows);
        if totals.is_empty() {
            return view! {
                <EmptyState title="No usage in the last 30 days" icon="▤">
                    <p>"Calls from your devices and people are counted here per day and kind."</p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-compact" id="usage-table">
                    <thead>
                        <tr>
                            <th>"Kind"</th>
                            <th class="num">"Events"</th>
                            <th class="num">"Quantity"</th>
                            <th class="num">"Tokens"</th>
                            <th class="num">"Failures"</th>
                            <th class="num">"Cost"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || totals.clone()
                            key=|t| t.kind.clone()
                            children=|t| view! {
                                <tr class="usage-row" data-kind=t.kind.clone()>
                                    <td><code>{t.kind.clone()}</code></td>
                                    <td class="num">{t.events}</td>
                                    <td class="num">{t.quantity}</td>
                                    <td class="num">{t.tokens}</td>
                                    <td class="num">{t.failures}</td>
                                    <td class="num">{money(t.cost_cents, CURRENCY)}</td>
                                </tr>
                            }
                        />
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" id="usage-panel">
            <h2 class="card-title">"Usage, last 30 days"</h2>
            <p class="text-sm text-muted">{format!("{} to {} (UTC)", range.from, range.to)}</p>
            <Loader text="Loading usage…">
                {move || Suspend::new(async move { rollups.await.map(table) })}
            </Loader>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn rollup(day: u32, kind: &str, events: i64, cost: i64) -> UsageRollup {
        UsageRollup {
            tenant_id: uuid::Uuid::nil(),
            day: NaiveDate::from_ymd_opt(2025, 11, day).unwrap(),
            kind: kind.into(),
            events,
            quantity: events,
            tokens: 10 * events,
            cost_cents: cost,
            duration_ms: 0,
            failures: 0,
        }
    }

    #[test]
    fn usage_is_summed_per_kind() {
        let rows = [
            rollup(1, "llm_call", 2, 30),
            rollup(2, "api_call", 5, 0),
            rollup(2, "llm_call", 1, 15),
        ];
        let totals = per_kind(&rows);
        assert_eq!(totals.len(), 2);
        assert_eq!(totals[0].kind, "api_call");
        assert_eq!(totals[1].events, 3);
        assert_eq!(totals[1].tokens, 30);
        assert_eq!(totals[1].cost_cents, 45);
    }

    #[test]
    fn top_ups_are_positive_dollars() {
        assert_eq!(top_up_request("25").unwrap().amount_cents, 2500);
        assert!(top_up_request("-5").is_err());
        assert!(top_up_request("0").is_err());
        assert!(top_up_request("lots").is_err());
    }

    #[test]
    fn only_web_checkout_links_are_followed() {
        assert!(safe_checkout_url("https://checkout.stripe.com/c/pay/x").is_some());
        assert!(safe_checkout_url("javascript:alert(1)").is_none());
    }
}
