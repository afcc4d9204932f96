//! Staff: every tenant's reserve for a date range, with summary cards, the accounts table
//! (status filter, sort, paging), the ledger, adjustment and threshold dialogs, and the
//! CSV export.

use chrono::NaiveDate;
use leptos::prelude::*;
use tessera_domain::billing::{AccountRow, LedgerEntry, ReserveSummary};
use tessera_domain::page::Paged;

use super::dialogs::{AdjustDialog, LedgerDialog, ThresholdDialog};
use super::{
    Audience, ReserveStatusBadge, download_csv, first_of_month, moment, money, signed_money,
    today_utc,
};
use crate::api::ApiError;
use crate::api::billing::{self as api, AccountQuery, DayRange};
use crate::components::{
    Alert, AlertKind, BusySpinner, EmptyState, Loader, PageHeader, Pager, SortHeader, Spinner,
};
use crate::page::Page;

/// Checks the picked range the way the server does: both days given, `from` not after `to`.
fn parse_range(from: &str, to: &str) -> Result<DayRange, String> {
    let day = |s: &str, which: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("Choose a complete “{which}” date."))
    };
    let (from, to) = (day(from, "From")?, day(to, "To")?);
    if from > to {
        return Err("“From” must not be after “To”.".into());
    }
    Ok(DayRange { from, to })
}

/// Staff: billing reserves of every tenant (`Page::PlatformBilling`).
#[component]
pub fn BillingAdminPage() -> impl IntoView {
    let page = Page::PlatformBilling;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Audience page=page audience="platform staff">
            <BillingAdmin/>
        </Audience>
    }
}

#[component]
fn BillingAdmin() -> impl IntoView {
    let today = today_utc();
    let from = RwSignal::new(first_of_month(today).to_string());
    let to = RwSignal::new(today.to_string());
    let checked = Memo::new(move |_| parse_range(&from.get(), &to.get()));
    // While a date is half-typed or the range is backwards, everything keeps showing the
    // last valid range (and says why the new one is not used) instead of going blank.
    let range = Memo::new(move |last: Option<&DayRange>| {
        checked.get().ok().or(last.copied()).unwrap_or(DayRange {
            from: first_of_month(today),
            to: today,
        })
    });
    let status = RwSignal::new(String::new());
    let sort = RwSignal::new("tenant".to_owned());
    let page = RwSignal::new(1u64);

    let summary = LocalResource::new(move || api::summary(range.get()));
    let accounts = LocalResource::new(move || {
        api::accounts(AccountQuery {
            range: range.get(),
            status: status.get(),
            sort: sort.get(),
            page: page.get(),
        })
    });

    let ledger_for = RwSignal::new(None::<AccountRow>);
    let adjust_for = RwSignal::new(None::<AccountRow>);
    let threshold_for = RwSignal::new(None::<AccountRow>);
    let ledger_version = RwSignal::new(0u64);
    let notice = RwSignal::new(None::<String>);

    let reload = move || {
        summary.refetch();
        accounts.refetch();
    };
    let on_adjusted = Callback::new(move |(account, entry): (AccountRow, LedgerEntry)| {
        notice.set(Some(format!(
            "Adjusted {} by {}. New balance: {}.",
            account.tenant_name,
            signed_money(entry.amount_cents, &entry.currency),
            money(entry.balance_after_cents, &entry.currency),
        )));
        ledger_version.update(|v| *v += 1);
        reload();
    });
    let on_threshold = Callback::new(move |row: AccountRow| {
        notice.set(Some(format!(
            "{}'s low-balance threshold is now {}.",
            row.tenant_name,
            money(row.low_balance_threshold_cents, &row.currency),
        )));
        reload();
    });

    let export = Action::new_local(move |range: &DayRange| {
        let range = *range;
        async move {
            let csv = api::export_csv(range).await?;
            let name = format!("reserves-{}-to-{}.csv", range.from, range.to);
            download_csv(&name, &csv).map_err(ApiError::Network)?;
            // The header line does not count as an account.
            Ok::<_, ApiError>((name, csv.lines().count().saturating_sub(1)))
        }
    });
    let exporting = export.pending();

    let on_sort = Callback::new(move |field: String| {
        sort.set(field);
        page.set(1);
    });
    let on_page = Callback::new(move |p: u64| page.set(p));
    let (updating, set_updating) = signal(false);

    let date_input = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label class="billing-field">
                <span class="billing-field-label">{label}</span>
                <input
                    class="input"
                    type="date"
                    id=id
                    bind:value=value
                    on:input=move |_| page.set(1)
                    aria-invalid=move || if checked.with(Result::is_err) { "true" } else { "false" }
                />
            </label>
        }
    };

    view! {
        <div class="billing-page">
        <div class="billing-toolbar" role="group" aria-label="Date range and filters">
            {date_input("billing-from", "From", from)}
            {date_input("billing-to", "To", to)}
            <label class="billing-field">
                <span class="billing-field-label">"Status"</span>
                <select
                    class="select"
                    id="billing-status"
                    on:change=move |ev| {
                        status.set(event_target_value(&ev));
                        page.set(1);
                    }
                >
                    <option value="" selected=true>"All"</option>
                    <option value="active">"Active"</option>
                    <option value="low_balance">"Low balance"</option>
                    <option value="delinquent">"Delinquent"</option>
                </select>
            </label>
            <button
                type="button"
                class="btn btn-secondary"
                id="export-csv"
                disabled=move || exporting.get()
                on:click=move |_| {
                    export.dispatch(range.get_untracked());
                }
            >
                <BusySpinner when=exporting/>
                {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
            </button>
            {move || updating.get().then(|| view! { <Spinner label="Updating the accounts"/> })}
        </div>
        {move || checked.get().err().map(|e| view! {
            <p class="field-error billing-range-error" id="billing-range-error" role="alert">
                {e} " Showing " {range.get().from.to_string()} " to " {range.get().to.to_string()} "."
            </p>
        })}
        {move || export.value().get().map(|r| match r {
            Ok((name, rows)) => view! {
                <Alert kind=AlertKind::Success>
                    <span id="export-result">{format!("Exported {rows} accounts to {name}.")}</span>
                </Alert>
            }.into_any(),
            Err(e) => view! {
                <Alert kind=AlertKind::Error title="The export failed">
                    <span id="export-error">{e.to_string()}</span>
                </Alert>
            }.into_any(),
        })}
        {move || notice.get().map(|n| view! {
            <Alert kind=AlertKind::Success><span id="billing-notice">{n}</span></Alert>
        })}
        <Loader text="Loading the summary…">
            {move || Suspend::new(async move { summary.await.map(summary_cards) })}
        </Loader>
        <section class="billing-accounts" aria-label="Accounts">
            <Loader text="Loading the accounts…" set_pending=set_updating>
                {move || Suspend::new(async move {
                    accounts.await.map(|rows| AccountsTable {
                        rows,
                        filtered: !status.get_untracked().is_empty(),
                        sort: sort.into(),
                        on_sort,
                        on_page,
                        ledger_for,
                        adjust_for,
                        threshold_for,
                    }.view())
                })}
            </Loader>
        </section>
        // The ledger comes first so that Escape, heard by both open dialogs in creation
        // order, reaches it while the adjustment dialog on top is still open (it then
        // stays), and only closes the adjustment dialog.
        <LedgerDialog target=ledger_for version=ledger_version adjust=adjust_for/>
        <AdjustDialog target=adjust_for on_done=on_adjusted/>
        <ThresholdDialog target=threshold_for on_done=on_threshold/>
        </div>
    }
}

/// The five totals of the range as `.summary-card`s.
fn summary_cards(s: ReserveSummary) -> impl IntoView {
    let alarm_if = |count: i64, alarm: &'static str| if count > 0 { alarm } else { "kpi-ok" };
    let card = |key: &'static str, label: &'static str, value: String, tone: &'static str| {
        view! {
            <div class=format!("card kpi-card summary-card {tone}") data-metric=key>
                <div class="kpi-label">{label}</div>
                <div class="kpi-value">{value}</div>
            </div>
        }
    };
    view! {
        <div class="grid grid-kpi billing-summary" id="billing-summary">
            {card("total_accounts", "Accounts", s.total_accounts.to_string(), "")}
            {card("total_reserves", "Total reserves", money(s.total_reserves_cents, &s.currency), "")}
            {card("low_balance", "Low balance", s.low_balance_count.to_string(), alarm_if(s.low_balance_count, "kpi-warning"))}
            {card("delinquent", "Delinquent", s.delinquent_count.to_string(), alarm_if(s.delinquent_count, "kpi-critical"))}
            {card("spend", "Spend in range", money(s.spend_in_range_cents, &s.currency), "")}
        </div>
    }
}

/// What the accounts table needs from the page.
struct AccountsTable {
    rows: Paged<AccountRow>,
    filtered: bool,
    sort: Signal<String>,
    on_sort: Callback<String>,
    on_page: Callback<u64>,
    ledger_for: RwSignal<Option<AccountRow>>,
    adjust_for: RwSignal<Option<AccountRow>>,
    threshold_for: RwSignal<Option<AccountRow>>,
}

impl AccountsTable {
    fn view(self) -> AnyView {
        let AccountsTable {
            rows,
            filtered,
            sort,
            on_sort,
            on_page,
            ledger_for,
            adjust_for,
            threshold_for,
        } = self;
        if rows.total == 0 {
            return if filtered {
                view! {
                    <section class="card">
                        <EmptyState title="No accounts with this status" icon="⌕">
                            <p>"Choose “All” to see every reserve."</p>
                        </EmptyState>
                    </section>
                }
                .into_any()
            } else {
                view! {
                    <section class="card">
                        <EmptyState title="No reserves yet" icon="¤">
                            <p>"Every tenant has a reserve; they appear here once the first tenant exists."</p>
                        </EmptyState>
                    </section>
                }
                .into_any()
            };
        }
        let Paged {
            items,
            page,
            per_page,
            total,
        } = rows;
        let header = move |label: &'static str, field: &'static str, numeric: bool| {
            view! { <SortHeader label=label field=field sort=sort on_sort=on_sort numeric=numeric billing=true/> }
        };
        let row = move |a: AccountRow| {
            let (for_ledger, for_adjust, for_threshold) = (a.clone(), a.clone(), a.clone());
            let slug = a.tenant_slug.clone();
            view! {
                <tr class="account-row" data-tenant=slug.clone()>
                    <td>
                        <div class="billing-tenant-name">{a.tenant_name.clone()}</div>
                        <code class="text-sm">{slug.clone()}</code>
                    </td>
                    <td><ReserveStatusBadge status=a.status.clone() class="account-status"/></td>
                    <td class="num account-balance">{money(a.balance_cents, &a.currency)}</td>
                    <td class="num">{money(a.spend_in_range_cents, &a.currency)}</td>
                    <td class="text-sm billing-nowrap">
                        {a.last_top_up_at.map(moment).unwrap_or_else(|| "Never".into())}
                    </td>
                    <td class="num">
                        {money(a.low_balance_threshold_cents, &a.currency)} " "
                        <button
                            type="button"
                            class="btn btn-ghost btn-sm edit-threshold"
                            aria-label=format!("Edit the threshold of {}", a.tenant_name)
                            on:click=move |_| threshold_for.set(Some(for_threshold.clone()))
                        >
                            "Edit"
                        </button>
                    </td>
                    <td>
                        <div class="billing-row-actions">
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm open-ledger"
                                on:click=move |_| ledger_for.set(Some(for_ledger.clone()))
                            >
                                "Ledger"
                            </button>
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm open-adjust"
                                on:click=move |_| adjust_for.set(Some(for_adjust.clone()))
                            >
                                "Adjust"
                            </button>
                        </div>
                    </td>
                </tr>
            }
        };
        view! {
            <div class="table-wrap">
                <table class="table table-hover table-compact" id="accounts-table">
                    <thead>
                        <tr>
                            {header("Tenant", "tenant", false)}
                            {header("Status", "status", false)}
                            {header("Balance", "balance", true)}
                            {header("Spend", "spend", true)}
                            {header("Last top-up", "last_top_up", false)}
                            <th class="num" title="Low-balance threshold">"Threshold"</th>
                            <th>"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || items.clone() key=|a| a.tenant_id children=row/>
                    </tbody>
                </table>
            </div>
            <Pager page=page per_page=per_page total=total noun="accounts" on_page=on_page/>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_like_the_server_does() {
        let r = parse_range("2025-11-01", "2025-11-30").unwrap();
        assert_eq!(r.from.to_string(), "2025-11-01");
        assert!(parse_range("2025-11-02", "2025-11-01").is_err());
        assert!(parse_range("", "2025-11-01").is_err());
        assert!(parse_range("2025-11-01", "2025-11-01").is_ok());
    }
}
