use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tessera_domain::page::Paged;
use tessera_domain::plan::{PlanView, SYSTEM_PLAN};
use tessera_domain::tenant::{CreateTenantRequest, CreateTenantResponse, TenantStatus, TenantView};

use super::issued_codes::IssuedCodes;
use super::{FilterSelect, SearchInput, StaffOnly, day, money, refilter, refusal_fields};
use crate::api::ApiError;
use crate::api::licensing::{self as api, TenantQuery};
use crate::components::{
    Alert, AlertKind, Badge, CancelButton, EmptyState, Loader, Modal, PageHeader, Pager,
    SelectField, SortHeader, Spinner, StatusBadge, SubmitButton, TextField, Tone, capitalize,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::failure_alert;

type Plans = LocalResource<Result<Vec<PlanView>, ApiError>>;

/// Staff: every tenant, with search, plan and status filters, sorting and paging, and
/// the "New tenant" dialog.
#[component]
pub fn TenantsPage() -> impl IntoView {
    view! {
        <StaffOnly page=Page::Tenants>
            <TenantList/>
        </StaffOnly>
    }
}

/// `(code, "Name")` of the plans a tenant may be put on (not the platform's own).
fn plan_options(plans: &[PlanView]) -> Vec<(String, String)> {
    plans
        .iter()
        .filter(|p| p.code != SYSTEM_PLAN)
        .map(|p| {
            let text = format!(
                "{} — {}/month, {} devices",
                p.name,
                money(p.monthly_price_cents, Some(&p.currency)),
                p.device_quota
            );
            (p.code.clone(), text)
        })
        .collect()
}

#[component]
fn TenantList() -> impl IntoView {
    let query = RwSignal::new(TenantQuery {
        page: 1,
        ..TenantQuery::default()
    });
    let tenants = LocalResource::new(move || {
        let q = query.get();
        async move { api::list_tenants(&q).await }
    });
    let plans: Plans = LocalResource::new(api::list_plans);
    let (updating, set_updating) = signal(false);
    let creating = RwSignal::new(false);
    let search_text = RwSignal::new(String::new());
    // The detail page sends people here after a deletion, naming what it deleted.
    let deleted = use_query_map();
    let deleted = move || deleted.with(|q| q.get("deleted")).filter(|s| !s.is_empty());

    let plan_filter_options = Signal::derive(move || {
        plans
            .get()
            .and_then(Result::ok)
            .map(|p| p.iter().map(|p| (p.code.clone(), p.name.clone())).collect())
            .unwrap_or_default()
    });
    let status_options = Signal::derive(|| {
        vec![
            ("active".to_owned(), "Active".to_owned()),
            ("suspended".to_owned(), "Suspended".to_owned()),
        ]
    });
    let set = |change| refilter(query, change);
    let on_search = set(|q, v| q.search = v);
    let on_plan = set(|q, v| q.plan = v);
    let on_status = set(|q, v| {
        q.status = match v.as_str() {
            "active" => Some(TenantStatus::Active),
            "suspended" => Some(TenantStatus::Suspended),
            _ => None,
        }
    });
    let on_sort = set(|q, v| q.sort = v);
    let on_page = Callback::new(move |page: u64| query.update(|q| q.page = page));
    let clear_filters = move |_| {
        search_text.set(String::new());
        query.set(TenantQuery {
            page: 1,
            sort: query.with_untracked(|q| q.sort.clone()),
            ..TenantQuery::default()
        });
    };

    let table = move |page: Paged<TenantView>| {
        if page.total == 0 {
            let filtered = query.with_untracked(|q| {
                !q.search.is_empty() || !q.plan.is_empty() || q.status.is_some()
            });
            return if filtered {
                view! {
                    <EmptyState title="No tenants match these filters" icon="⌕">
                        <p>"Try another search, or show every plan and status."</p>
                    </EmptyState>
                }
                .into_any()
            } else {
                view! {
                    <EmptyState title="No tenants yet" icon="▦">
                        <p>"Create the first tenant to issue its activation codes."</p>
                    </EmptyState>
                }
                .into_any()
            };
        }
        let sort = Signal::derive(move || query.with(|q| q.sort.clone()));
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="tenants-table">
                    <thead>
                        <tr>
                            <SortHeader label="Slug" field="slug" sort=sort on_sort=on_sort/>
                            <SortHeader label="Name" field="name" sort=sort on_sort=on_sort/>
                            <SortHeader label="Plan" field="plan" sort=sort on_sort=on_sort/>
                            <SortHeader label="Status" field="status" sort=sort on_sort=on_sort/>
                            <th class="num">"Devices"</th>
                            <SortHeader label="Created" field="created_at" sort=sort on_sort=on_sort/>
                        </tr>
                    </thead>
                    <tbody>
                        // Rows are rebuilt with each loaded page (the Suspend above re-runs),
                        // so a plain list is enough: nothing here updates in place.
                        {page.items.into_iter().map(|t| {
                            let href = Page::tenant(&t.slug);
                            let slug = t.slug.clone();
                            view! {
                                <tr class="tenant-row" data-slug=t.slug>
                                    <td>
                                        <A href=href attr:class="tenant-link">
                                            <code>{slug.clone()}</code>
                                        </A>
                                    </td>
                                    <td>
                                        <div class="tenant-name">{t.name}</div>
                                        <div class="text-muted text-sm">{t.contact_email}</div>
                                    </td>
                                    <td><Badge tone=Tone::Brand>{capitalize(&t.plan)}</Badge></td>
                                    <td><StatusBadge status=t.status.as_str().to_owned()/></td>
                                    <td class="num">{t.active_devices}</td>
                                    <td class="date">{day(t.created_at)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page per_page=page.per_page total=page.total noun="tenants" on_page=on_page/>
        }
        .into_any()
    };

    view! {
        <PageHeader title=Page::Tenants.title() crumbs=Page::Tenants.crumbs()>
            <button type="button" class="btn btn-primary" id="new-tenant" on:click=move |_| creating.set(true)>
                "New tenant"
            </button>
        </PageHeader>
        {move || deleted().map(|slug| view! {
            <Alert kind=AlertKind::Success>
                "Tenant " <code>{slug}</code> " and everything it owned were deleted."
            </Alert>
        })}
        <div class="toolbar">
            <SearchInput id="tenant-search" label="Search" placeholder="Slug, name or e-mail" text=search_text on_commit=on_search/>
            <FilterSelect
                id="tenant-plan-filter"
                label="Plan"
                value=Signal::derive(move || query.with(|q| q.plan.clone()))
                options=plan_filter_options
                on_change=on_plan
            />
            <FilterSelect
                id="tenant-status-filter"
                label="Status"
                value=Signal::derive(move || query.with(|q| q.status.map(|s| s.as_str().to_owned()).unwrap_or_default()))
                options=status_options
                on_change=on_status
            />
            <button type="button" id="tenants-clear" class="btn btn-ghost btn-sm" on:click=clear_filters>"Clear filters"</button>
            {move || updating.get().then(|| view! { <Spinner label="Updating the list"/> })}
        </div>
        <Loader text="Loading tenants…" set_pending=set_updating>
            {move || Suspend::new(async move { tenants.await.map(table) })}
        </Loader>
        <NewTenantModal open=creating plans=plans on_created=Callback::new(move |()| tenants.refetch())/>
    }
}

/// The "New tenant" dialog: the form with inline validation (the shared rules), then,
/// once created, the tenant's auto-generated codes in plaintext, shown this once.
#[component]
fn NewTenantModal(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    /// The plans to choose from.
    plans: Plans,
    /// Told when a tenant was created, so the list reloads.
    on_created: Callback<()>,
) -> impl IntoView {
    let slug = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let plan = RwSignal::new(String::new());
    let request = move || CreateTenantRequest {
        slug: slug.get().trim().to_owned(),
        name: name.get().trim().to_owned(),
        contact_email: Some(email.get().trim().to_owned()).filter(|e| !e.is_empty()),
        plan: plan.get(),
    };
    let create = Action::new_local(move |req: &CreateTenantRequest| {
        let req = req.clone();
        async move {
            let created = api::create_tenant(&req).await;
            if created.is_ok() {
                on_created.run(());
            }
            created
        }
    });
    let pending = create.pending();
    let form = FormErrors::new(move || request().validate(), refusal_fields(create));
    let created = move || create.value().with(|v| matches!(v, Some(Ok(_))));

    // Closing forgets the form and the codes (which were shown once), so the next
    // opening starts blank.
    let close = Callback::new(move |()| {
        if pending.get_untracked() {
            return;
        }
        open.set(false);
        for field in [slug, name, email, plan] {
            field.set(String::new());
        }
        create.value().set(None);
        form.reset();
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            create.dispatch(request());
        }
    };
    let plan_choices = Signal::derive(move || {
        plans
            .get()
            .and_then(Result::ok)
            .map(|p| plan_options(&p))
            .unwrap_or_default()
    });
    let plan_hint = move || match plans.get() {
        None => "Loading plans…".to_owned(),
        Some(Err(e)) => format!("Plans could not be loaded: {e}"),
        Some(Ok(_)) => {
            "New tenants get 10% of the plan's project quota as single-use codes.".to_owned()
        }
    };

    let form_view = move || {
        view! {
            {failure_alert(create)}
            <form class="form" id="new-tenant-form" on:submit=on_submit novalidate>
                <TextField
                    id="tenant-slug"
                    label="Slug"
                    value=slug
                    error=form.error("slug")
                    on_blur=form.touch("slug")
                    hint="3 to 48 lowercase letters, digits and dashes; used in URLs and the OTP sign-in. It cannot be changed later."
                    autocomplete="off"
                    autofocus=true
                />
                <TextField
                    id="tenant-name"
                    label="Name"
                    value=name
                    error=form.error("name")
                    on_blur=form.touch("name")
                    autocomplete="organization"
                />
                <TextField
                    id="tenant-email"
                    label="Contact e-mail"
                    value=email
                    error=form.error("contact_email")
                    on_blur=form.touch("contact_email")
                    input_type="email"
                    autocomplete="email"
                    hint="Optional."
                />
                {move || view! {
                    <SelectField
                        id="tenant-plan"
                        label="Plan"
                        value=plan
                        options=plan_choices
                        placeholder="Choose a plan…"
                        error=form.error("plan")
                        on_blur=form.touch("plan")
                        hint=plan_hint()
                    />
                }}
            </form>
        }
    };
    let created_view = move || {
        create.value().get().and_then(Result::ok).map(
            |CreateTenantResponse { tenant, codes, .. }| {
                view! {
                    <p id="tenant-created">
                        <strong>{tenant.name.clone()}</strong> " (" <code>{tenant.slug.clone()}</code>
                        ") is active on the " <strong>{capitalize(&tenant.plan)}</strong>
                        " plan. Its first activation codes:"
                    </p>
                    <IssuedCodes codes=codes tenant_slug=tenant.slug/>
                }
            },
        )
    };
    // Its own reactive scope: the dialog's frame does not re-render when the step changes.
    let footer = move || {
        move || {
            if created() {
                let href = create
                    .value()
                    .with(|v| match v {
                        Some(Ok(r)) => Some(Page::tenant(&r.tenant.slug)),
                        _ => None,
                    })
                    .unwrap_or_else(|| Page::Tenants.path().to_owned());
                view! {
                <A href=href attr:class="btn btn-secondary" attr:id="tenant-created-open">"Open tenant"</A>
                <button type="button" class="btn btn-primary" id="tenant-created-done" on:click=move |_| close.run(())>
                    "Done"
                </button>
            }
            .into_any()
            } else {
                view! {
                <CancelButton on_cancel=close/>
                <SubmitButton form="new-tenant-form" id="tenant-create-submit" pending=pending label="Create tenant" busy="Creating…"/>
            }
            .into_any()
            }
        }
    };
    let title = Signal::derive(move || {
        if created() {
            "Tenant created"
        } else {
            "New tenant"
        }
        .to_owned()
    });
    view! {
        <Modal open=open on_close=close title=title footer=footer>
            <Show when=created fallback=form_view>
                {created_view}
            </Show>
        </Modal>
    }
}
