//! Staff licensing pages: tenants (list, detail, deletion), activation codes, devices, and
//! the dashboard's key figures.
//!
//! The pieces the pages share live here: the staff-only guard, the filter toolbar's
//! inputs, sortable headers, and how dates, money and counts read.

mod codes;
mod devices;
mod issued_codes;
mod kpis;
mod tenant_detail;
mod tenants;

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::leptos_dom::helpers::debounce;
use leptos::prelude::*;
use tessera_domain::FieldError;
use uuid::Uuid;

pub use codes::CodesPage;
pub use devices::DevicesPage;
pub use kpis::StaffKpis;
pub use tenant_detail::TenantDetailPage;
pub use tenants::TenantsPage;

use crate::api::ApiError;
use crate::api::licensing::{CodeQuery, DeviceQuery, TenantQuery};
use crate::components::{Alert, AlertKind, PageHeader, Spinner};
use crate::page::Page;
use crate::session::Session;

/// Renders `children` only for people `page` admits; others see why not, and no request
/// is sent on their behalf.
#[component]
fn StaffOnly(
    /// The page being guarded.
    page: Page,
    /// The page's content.
    children: ChildrenFn,
) -> impl IntoView {
    let user = Session::get().user;
    let admitted = move || user.with(|u| u.as_ref().is_some_and(|u| page.admits(u.role)));
    view! {
        <Show
            when=admitted
            fallback=move || view! {
                <PageHeader title=page.title() crumbs=page.crumbs()/>
                <Alert kind=AlertKind::Warning title="Not available to you">
                    {format!("{} is for platform staff only.", page.title())}
                </Alert>
            }
        >
            {children()}
        </Show>
    }
}

/// A labelled text input in a filter toolbar that hands over what was typed once typing
/// pauses, so a list reloads once per search instead of once per keystroke.
#[component]
fn SearchInput(
    /// The input's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// Placeholder text.
    #[prop(optional, into)]
    placeholder: Option<String>,
    /// The text in the box; owned by the page so "Clear filters" can empty it.
    text: RwSignal<String>,
    /// Receives the trimmed text after a pause in typing.
    on_commit: Callback<String>,
) -> impl IntoView {
    let mut commit = debounce(Duration::from_millis(300), move |()| {
        on_commit.run(text.get_untracked().trim().to_owned());
    });
    view! {
        <label class="toolbar-field">
            <span class="toolbar-label">{label}</span>
            <input
                class="input"
                type="search"
                id=id
                placeholder=placeholder
                autocomplete="off"
                bind:value=text
                on:input=move |_| commit(())
            />
        </label>
    }
}

/// A labelled drop-down in a filter toolbar; its first option ("All") means no filter.
#[component]
fn FilterSelect(
    /// The select's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The value currently filtered by; empty for all.
    #[prop(into)]
    value: Signal<String>,
    /// `(value, text)` of every option after "All".
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// Receives the chosen value (empty for all).
    on_change: Callback<String>,
) -> impl IntoView {
    view! {
        <label class="toolbar-field">
            <span class="toolbar-label">{label}</span>
            <select class="select" id=id on:change=move |ev| on_change.run(event_target_value(&ev))>
                <option value="" prop:selected=move || value.with(String::is_empty)>"All"</option>
                <For
                    each=move || options.get()
                    key=|(v, t)| (v.clone(), t.clone())
                    children=move |(v, t)| {
                        view! { <option value=v.clone() prop:selected=move || value.with(|x| *x == v)>{t}</option> }
                    }
                />
            </select>
        </label>
    }
}

/// A list query with a 1-based page, so that a new filter starts over at page 1.
trait Paging {
    /// Goes back to the first page.
    fn first_page(&mut self);
}

impl Paging for TenantQuery {
    fn first_page(&mut self) {
        self.page = 1;
    }
}

impl Paging for CodeQuery {
    fn first_page(&mut self) {
        self.page = 1;
    }
}

impl Paging for DeviceQuery {
    fn first_page(&mut self) {
        self.page = 1;
    }
}

/// A callback that applies one filter's new value to `query` and goes back to page 1.
fn refilter<Q: Paging + Send + Sync + 'static>(
    query: RwSignal<Q>,
    change: fn(&mut Q, String),
) -> Callback<String> {
    Callback::new(move |value: String| {
        query.update(|q| {
            change(q, value);
            q.first_page();
        })
    })
}

/// The toolbar of the codes and devices lists: tenant, status and search filters, with
/// ids `<prefix>-tenant-filter`, `<prefix>-status-filter` and `<prefix>-search`, and a
/// spinner while the list reloads.
#[component]
fn TenantFilters(
    /// `codes` or `devices`.
    prefix: &'static str,
    /// The tenant filter's starting text (from `?tenant=`).
    tenant: String,
    /// Receives the tenant slug typed.
    on_tenant: Callback<String>,
    /// The status filtered by; empty for all.
    status: Signal<String>,
    /// `(value, text)` of each status.
    status_options: Signal<Vec<(String, String)>>,
    /// Receives the chosen status.
    on_status: Callback<String>,
    /// The search box's placeholder.
    search_placeholder: &'static str,
    /// Receives the search text.
    on_search: Callback<String>,
    /// Whether the list is reloading.
    updating: ReadSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="toolbar">
            <SearchInput id=format!("{prefix}-tenant-filter") label="Tenant" placeholder="Slug" text=RwSignal::new(tenant) on_commit=on_tenant/>
            <FilterSelect
                id=format!("{prefix}-status-filter")
                label="Status"
                value=status
                options=status_options
                on_change=on_status
            />
            <SearchInput id=format!("{prefix}-search") label="Search" placeholder=search_placeholder text=RwSignal::new(String::new()) on_commit=on_search/>
            {move || updating.get().then(|| view! { <Spinner label="Updating the list"/> })}
        </div>
    }
}

/// The action that revokes a row by id.
type Revoke = Action<Uuid, Result<(), ApiError>>;

/// The row picked for revocation, and the action that revokes it, then closes the dialog
/// and reloads the list.
fn revocation<T, V, F>(
    revoke: fn(Uuid) -> F,
    reload: impl Fn() + Copy + 'static,
) -> (RwSignal<Option<T>>, Revoke)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<V, ApiError>> + 'static,
{
    let target = RwSignal::new(None::<T>);
    let action = Action::new_local(move |id: &Uuid| {
        let revoked = revoke(*id);
        async move {
            revoked.await?;
            target.set(None);
            reload();
            Ok(())
        }
    });
    (target, action)
}

/// The field errors of an action's last refusal, with stable refusal codes that concern
/// one field mapped onto it (so "slug taken" shows under the slug).
fn refusal_fields<I: 'static, T: 'static>(
    action: Action<I, Result<T, ApiError>>,
) -> impl Fn() -> Vec<FieldError> + Send + Sync + 'static {
    move || {
        action.value().with(|r| match r {
            Some(Err(e)) if e.code() == Some("SLUG_TAKEN") => {
                vec![FieldError::new("slug", "is already taken")]
            }
            Some(Err(e)) => e.field_errors().to_vec(),
            _ => Vec::new(),
        })
    }
}

/// `2025-11-25`.
fn day(at: DateTime<Utc>) -> String {
    crate::format::day(at)
}

use crate::format::moment;

/// `4900` → `49.00`, with the currency when known: money is integer cents in the API.
fn money(cents: i64, currency: Option<&str>) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let amount = format!("{sign}{}.{:02}", abs / 100, abs % 100);
    match currency {
        Some(c) => format!("{amount} {c}"),
        None => amount,
    }
}

/// `1 device`, `3 devices`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_counts_read_naturally() {
        assert_eq!(money(4900, Some("USD")), "49.00 USD");
        assert_eq!(money(5, None), "0.05");
        assert_eq!(money(-150, None), "-1.50");
        assert_eq!(count(1, "code", "codes"), "1 code");
        assert_eq!(count(0, "code", "codes"), "0 codes");
    }
}
