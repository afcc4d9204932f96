use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use tessera_domain::page::Paged;
use tessera_domain::plan::{PlanView, SYSTEM_TENANT};
use tessera_domain::tenant::{
    ChangeSubscriptionRequest, DeletionImpact, SubscriptionStatus, SubscriptionView, TenantStatus,
    TenantView, UpdateTenantRequest,
};

use super::{StaffOnly, count, moment, money, refusal_fields};
use crate::api::ApiError;
use crate::api::licensing as api;
use crate::components::{
    Alert, AlertKind, Badge, BusySpinner, Crumb, EmptyState, Loader, Loading, Modal, PageHeader,
    Pager, SelectField, StatusBadge, SubmitButton, TextField, Tone, capitalize,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::billing::UsageEventList;
use crate::pages::login::failure_alert;

type SaveAction = Action<UpdateTenantRequest, Result<TenantView, ApiError>>;

/// Staff: one tenant — its details, an edit form (name, contact, status, plan), its
/// subscription history, and its deletion.
#[component]
pub fn TenantDetailPage() -> impl IntoView {
    view! {
        <StaffOnly page=Page::TenantDetail>
            <TenantDetail/>
        </StaffOnly>
    }
}

/// `Home / Platform / Tenants / <slug>`.
fn crumbs(slug: &str) -> Vec<Crumb> {
    let mut crumbs = Page::Tenants.crumbs();
    crumbs.pop();
    crumbs.push(Crumb::link(Page::Tenants.title(), Page::Tenants.path()));
    crumbs.push(Crumb::text(slug));
    crumbs
}

#[component]
fn TenantDetail() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let tenant = LocalResource::new(move || {
        let slug = slug.get();
        async move { api::get_tenant(&slug).await }
    });
    let plans = LocalResource::new(api::list_plans);
    let history_page = RwSignal::new(1u64);
    let history = LocalResource::new(move || {
        let (slug, page) = (slug.get(), history_page.get());
        async move { api::list_subscriptions(&slug, page).await }
    });
    let save: SaveAction = Action::new_local(move |req: &UpdateTenantRequest| {
        let (req, slug) = (req.clone(), slug.get_untracked());
        async move {
            let saved = api::update_tenant(&slug, &req).await;
            if saved.is_ok() {
                // A plan change opened a new subscription period: show it too.
                tenant.refetch();
                history.refetch();
            }
            saved
        }
    });
    let deleting = RwSignal::new(false);

    let title = move || match tenant.get() {
        Some(Ok(t)) => t.name,
        _ => slug.get(),
    };
    let header = move || {
        let slug = slug.get();
        view! {
            <PageHeader title=title() crumbs=crumbs(&slug)>
                <A href=format!("{}?tenant={slug}", Page::ActivationCodes.path()) attr:class="btn btn-secondary" attr:id="tenant-codes-link">
                    "Activation codes"
                </A>
                <A href=format!("{}?tenant={slug}", Page::Devices.path()) attr:class="btn btn-secondary" attr:id="tenant-devices-link">
                    "Devices"
                </A>
            </PageHeader>
        }
    };
    let body = move |t: TenantView| {
        let plans = plans.get();
        let is_system = t.slug == SYSTEM_TENANT;
        let delete_slug = t.slug.clone();
        let usage_slug = t.slug.clone();
        let change = (!is_system).then(|| {
            let on_changed = Callback::new(move |()| {
                tenant.refetch();
                history.refetch();
            });
            view! { <SubscriptionChange slug=t.slug.clone() plan=t.plan.clone() on_changed=on_changed/> }
        });
        let facts = details(t.clone(), plans.as_ref().and_then(|p| p.as_ref().ok()));
        view! {
            <div class="grid grid-2">
                {facts}
                <EditTenant tenant=t plans=plans save=save/>
            </div>
            <section class="card" id="subscription-history">
                <h2 class="card-title">"Subscription history"</h2>
                {change}
                <Loader text="Loading the subscription history…">
                    {move || Suspend::new(async move {
                        history.await.map(|page| subscriptions(page, history_page))
                    })}
                </Loader>
            </section>
            <UsageEventList tenant=usage_slug/>
            <section class="card danger-zone">
                <h2 class="card-title">"Delete this tenant"</h2>
                {if is_system {
                    view! {
                        <p class="text-muted">"The platform's own system tenant cannot be deleted."</p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p>
                            "Revokes its codes and devices and deletes everything it owns: users, worklogs, subscriptions, usage and billing records. You will see exactly what before confirming."
                        </p>
                        <button type="button" class="btn btn-danger" id="delete-tenant" on:click=move |_| deleting.set(true)>
                            "Delete tenant…"
                        </button>
                        <DeleteTenantModal slug=delete_slug.clone() open=deleting/>
                    }
                    .into_any()
                }}
            </section>
        }
    };
    view! {
        {header}
        <Loader text="Loading the tenant…" on_error=|| view! {
            <p class="card-actions">
                <A href=Page::Tenants.path() attr:class="btn btn-secondary btn-sm">"Back to tenants"</A>
            </p>
        }>
            {move || Suspend::new(async move {
                // The plan list only decorates the page; the tenant decides whether it shows.
                let _ = plans.await;
                tenant.await.map(body)
            })}
        </Loader>
    }
}

/// The tenant's facts, with its plan's quota beside its device count.
fn details(t: TenantView, plans: Option<&Vec<PlanView>>) -> impl IntoView + use<> {
    let plan = plans.and_then(|ps| ps.iter().find(|p| p.code == t.plan));
    let devices = match plan {
        Some(p) => format!("{} of {}", t.active_devices, p.device_quota),
        None => t.active_devices.to_string(),
    };
    let plan_name = capitalize(&t.plan);
    view! {
        <section class="card" id="tenant-details">
            <h2 class="card-title">"Details"</h2>
            <dl class="details">
                <dt>"Slug"</dt>
                <dd id="tenant-detail-slug"><code>{t.slug.clone()}</code></dd>
                <dt>"Name"</dt>
                <dd id="tenant-detail-name">{t.name.clone()}</dd>
                <dt>"Contact"</dt>
                <dd>{t.contact_email.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Plan"</dt>
                <dd><Badge tone=Tone::Brand>{plan_name}</Badge></dd>
                <dt>"Status"</dt>
                <dd><StatusBadge status=t.status.as_str().to_owned()/></dd>
                <dt>"Active devices"</dt>
                <dd>{devices}</dd>
                <dt>"Created"</dt>
                <dd>{moment(t.created_at)}</dd>
                <dt>"Updated"</dt>
                <dd>{moment(t.updated_at)}</dd>
                <dt>"Id"</dt>
                <dd><code>{t.id.to_string()}</code></dd>
            </dl>
        </section>
    }
}

/// Name, contact, status and plan; sends only what changed, checked with the shared rules.
#[component]
fn EditTenant(
    /// The tenant as loaded.
    tenant: TenantView,
    /// The plans, when they loaded.
    plans: Option<Result<Vec<PlanView>, ApiError>>,
    /// Saves the change (owned by the page, so its outcome outlives this form's reload).
    save: SaveAction,
) -> impl IntoView {
    let is_system = tenant.slug == SYSTEM_TENANT;
    let original = StoredValue::new(tenant.clone());
    let name = RwSignal::new(tenant.name.clone());
    let email = RwSignal::new(tenant.contact_email.clone().unwrap_or_default());
    let status = RwSignal::new(tenant.status.as_str().to_owned());
    let plan = RwSignal::new(tenant.plan.clone());
    let request = move || {
        let t = original.get_value();
        let (n, e) = (name.get().trim().to_owned(), email.get().trim().to_owned());
        let s = if status.get() == "suspended" {
            TenantStatus::Suspended
        } else {
            TenantStatus::Active
        };
        UpdateTenantRequest {
            name: (n != t.name).then_some(n),
            contact_email: (e != t.contact_email.unwrap_or_default()).then_some(e),
            status: (s != t.status).then_some(s),
            plan: Some(plan.get()).filter(|p| *p != t.plan),
        }
    };
    let changed = move || request() != UpdateTenantRequest::default();
    let form = FormErrors::new(move || request().validate(), refusal_fields(save));
    let pending = save.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() && changed() {
            save.dispatch(request());
        }
    };

    let (plan_choices, plan_hint) = match &plans {
        Some(Ok(ps)) => (
            ps.iter()
                .filter(|p| is_system || p.code != tessera_domain::plan::SYSTEM_PLAN)
                .map(|p| {
                    let price = money(p.monthly_price_cents, Some(&p.currency));
                    (p.code.clone(), format!("{} — {price}/month", p.name))
                })
                .collect::<Vec<_>>(),
            "Changing the plan closes the current subscription period and opens one on the new plan."
                .to_owned(),
        ),
        Some(Err(e)) => (
            vec![(tenant.plan.clone(), capitalize(&tenant.plan))],
            format!("Plans could not be loaded: {e}"),
        ),
        None => (
            vec![(tenant.plan.clone(), capitalize(&tenant.plan))],
            "Loading plans…".to_owned(),
        ),
    };
    let (plan_hint, status_hint) = if is_system {
        (
            "The platform's own tenant stays on the system plan.".to_owned(),
            "The platform's own tenant is always active.".to_owned(),
        )
    } else {
        (
            plan_hint,
            "Suspending refuses its members' sign-in and its devices' activation and license checks."
                .to_owned(),
        )
    };
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    view! {
        <section class="card" id="tenant-edit">
            <h2 class="card-title">"Edit"</h2>
            {failure_alert(save)}
            {move || saved().then(|| view! { <Alert kind=AlertKind::Success>"Saved."</Alert> })}
            <form class="form" on:submit=on_submit novalidate>
                <TextField id="edit-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name")/>
                <TextField
                    id="edit-email"
                    label="Contact e-mail"
                    value=email
                    error=form.error("contact_email")
                    on_blur=form.touch("contact_email")
                    input_type="email"
                    hint="Leave empty to remove it."
                />
                <SelectField
                    id="edit-status"
                    label="Status"
                    value=status
                    options=vec![
                        ("active".to_owned(), "Active".to_owned()),
                        ("suspended".to_owned(), "Suspended".to_owned()),
                    ]
                    hint=status_hint
                    disabled=is_system
                />
                <SelectField
                    id="edit-plan"
                    label="Plan"
                    value=plan
                    options=plan_choices
                    error=form.error("plan")
                    hint=plan_hint
                    disabled=is_system
                />
                <div>
                    <SubmitButton id="tenant-save" pending=pending label="Save changes" busy="Saving…"
                        idle=Signal::derive(move || !changed())/>
                </div>
            </form>
        </section>
    }
}

/// The subscription periods, newest first; the open one is marked current.
fn subscriptions(page: Paged<SubscriptionView>, page_signal: RwSignal<u64>) -> AnyView {
    if page.total == 0 {
        return view! {
            <EmptyState title="No subscription periods">
                <p>"This tenant has never had a subscription."</p>
            </EmptyState>
        }
        .into_any();
    }
    let rows = page
        .items
        .iter()
        .map(|s| {
            let ended = match s.ended_at {
                Some(at) => moment(at).into_any(),
                None => view! { <Badge tone=Tone::Info>"Current"</Badge> }.into_any(),
            };
            view! {
                <tr class="subscription-row">
                    <td>{capitalize(&s.plan)}</td>
                    <td><StatusBadge status=s.status.as_str().to_owned()/></td>
                    <td class="num">{money(s.monthly_price_cents, None)}</td>
                    <td class="date">{moment(s.started_at)}</td>
                    <td>{ended}</td>
                </tr>
            }
        })
        .collect_view();
    let on_page = Callback::new(move |p: u64| page_signal.set(p));
    view! {
        <div class="table-wrap">
            <table class="table table-compact" id="subscriptions-table">
                <thead>
                    <tr>
                        <th>"Plan"</th>
                        <th>"Status"</th>
                        <th class="num">"Price / month"</th>
                        <th>"Started"</th>
                        <th>"Ended"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=page.page per_page=page.per_page total=page.total noun="periods" on_page=on_page/>
    }
    .into_any()
}

/// A new status on the current plan (trialing, active, past due, canceled): closes the
/// current period and opens one, as SPEC's subscription change does. Plan changes go
/// through the edit form.
#[component]
fn SubscriptionChange(
    /// The tenant's slug.
    slug: String,
    /// The tenant's current plan, kept by the new period.
    plan: String,
    /// Runs after a change, to reload the tenant and its history.
    on_changed: Callback<()>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let change = Action::new_local(move |request: &ChangeSubscriptionRequest| {
        let (request, slug) = (request.clone(), slug.clone());
        async move {
            let changed = api::change_subscription(&slug, &request).await;
            if changed.is_ok() {
                on_changed.run(());
            }
            changed
        }
    });
    let options: Vec<(String, String)> = SubscriptionStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                capitalize(&s.as_str().replace('_', " ")),
            )
        })
        .collect();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(s) = SubscriptionStatus::parse(&status.get_untracked()) {
            change.dispatch(ChangeSubscriptionRequest {
                plan: plan.clone(),
                status: s,
            });
        }
    };
    view! {
        {failure_alert(change)}
        <form class="filter-bar" id="subscription-change" on:submit=on_submit novalidate>
            <SelectField id="subscription-status" label="New status on this plan" value=status
                options=options placeholder="Choose a status…"/>
            <div class="filter-actions">
                <SubmitButton id="subscription-change-submit" pending=change.pending()
                    label="Change status" busy="Changing…"
                    idle=Signal::derive(move || status.with(String::is_empty))/>
            </div>
        </form>
    }
}

/// The counts the deletion preview shows: `(impact key, singular, plural, count)`.
fn impact_rows(i: &DeletionImpact) -> [(&'static str, &'static str, &'static str, u64); 10] {
    [
        (
            "activation_codes",
            "activation code",
            "activation codes",
            i.activation_codes,
        ),
        ("devices", "device", "devices", i.devices),
        (
            "subscriptions",
            "subscription period",
            "subscription periods",
            i.subscriptions,
        ),
        (
            "usage_events",
            "usage event",
            "usage events",
            i.usage_events,
        ),
        (
            "usage_rollups",
            "daily usage rollup",
            "daily usage rollups",
            i.usage_rollups,
        ),
        ("projects", "LLM project", "LLM projects", i.projects),
        (
            "agent_prompts",
            "agent prompt",
            "agent prompts",
            i.agent_prompts,
        ),
        ("users", "user", "users", i.users),
        ("worklogs", "worklog entry", "worklog entries", i.worklogs),
        (
            "ledger_entries",
            "ledger entry",
            "ledger entries",
            i.ledger_entries,
        ),
    ]
}

/// What deleting removes, count by count, and the steps it takes.
fn impact_view(i: DeletionImpact) -> impl IntoView {
    let items = impact_rows(&i)
        .into_iter()
        .map(|(key, one, many, n)| {
            view! {
                <li class="impact-item" data-key=key>
                    <span class="impact-count" data-key=key>{n}</span>
                    " "
                    <span class="impact-label">{if n == 1 { one } else { many }}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <h3 class="impact-heading">"What will be deleted"</h3>
        <ul class="impact-list" id="deletion-impact">{items}</ul>
        <h3 class="impact-heading">"What happens"</h3>
        <ol class="impact-steps">
            <li>
                "Its " {count(i.activation_codes, "activation code", "activation codes")} " and "
                {count(i.devices, "device", "devices")}
                " are revoked: no device activates with them and no license of theirs validates any more."
            </li>
            <li>
                "Its usage (" {count(i.usage_events, "event", "events")} ", "
                {count(i.usage_rollups, "daily rollup", "daily rollups")} ") and "
                {count(i.subscriptions, "subscription period", "subscription periods")}
                " are deleted, with the codes and devices."
            </li>
            <li>
                "Its " {count(i.projects, "LLM project", "LLM projects")} " (with "
                {count(i.agent_prompts, "agent prompt", "agent prompts")} ") and "
                {count(i.worklogs, "worklog entry", "worklog entries")} " are deleted."
            </li>
            <li>
                "Its " {count(i.users, "user", "users")}
                " lose access and are deleted, with their sessions."
            </li>
            <li>
                "Its billing reserve (" {count(i.ledger_entries, "ledger entry", "ledger entries")}
                ") is deleted, and finally the tenant itself."
            </li>
        </ol>
        <p class="text-muted text-sm">
            "All of it happens in one transaction: if any step fails, nothing is deleted. The audit log keeps a record of the deletion with these counts."
        </p>
    }
}

/// The deletion dialog: loads the exact impact each time it opens, lists every count
/// and step, and enables "Delete" only once the slug is typed exactly.
#[component]
fn DeleteTenantModal(
    /// The tenant's slug.
    slug: String,
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let typed = RwSignal::new(String::new());
    // Fetched on every opening: counts from an earlier look may be stale.
    let impact = LocalResource::new(move || {
        let (open, slug) = (open.get(), slug.get_value());
        async move {
            if open {
                Some(api::deletion_impact(&slug).await)
            } else {
                None
            }
        }
    });
    let navigate = use_navigate();
    let delete = Action::new_local(move |slug: &String| {
        let (slug, navigate) = (slug.clone(), navigate.clone());
        async move {
            let deleted = api::delete_tenant(&slug).await;
            if deleted.is_ok() {
                open.set(false);
                navigate(
                    &format!("{}?deleted={slug}", Page::Tenants.path()),
                    Default::default(),
                );
            }
            deleted
        }
    });
    let pending = delete.pending();
    let loaded = move || impact.get().flatten().is_some_and(|r| r.is_ok());
    let confirmed = move || slug.with_value(|s| typed.with(|t| t == s));
    let close = Callback::new(move |()| {
        if !pending.get_untracked() {
            open.set(false);
            typed.set(String::new());
            delete.value().set(None);
        }
    });
    let title = Signal::derive(move || format!("Delete tenant {}?", slug.get_value()));
    let footer = move || {
        view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>"Cancel"</button>
            <button
                type="button"
                class="btn btn-danger"
                id="delete-confirm-submit"
                disabled=move || !(confirmed() && loaded()) || pending.get()
                on:click=move |_| {
                    delete.dispatch(slug.get_value());
                }
            >
                <BusySpinner when=pending/>
                {move || if pending.get() { "Deleting…" } else { "Delete tenant and its data" }}
            </button>
        }
    };
    view! {
        <Modal open=open on_close=close title=title footer=footer wide=true>
            <Alert kind=AlertKind::Warning title="This cannot be undone">
                "Deleting " <code>{slug.get_value()}</code> " removes the tenant and everything it owns."
            </Alert>
            <Transition fallback=|| view! { <Loading text="Counting what deletion removes…"/> }>
                {move || Suspend::new(async move {
                    match impact.await {
                        Some(Ok(i)) => impact_view(i).into_any(),
                        Some(Err(e)) => view! {
                            <Alert kind=AlertKind::Error title="The impact could not be loaded">
                                {e.to_string()}
                            </Alert>
                        }
                        .into_any(),
                        None => ().into_any(),
                    }
                })}
            </Transition>
            <form class="form delete-confirm" on:submit=|ev: SubmitEvent| ev.prevent_default()>
                <TextField
                    id="delete-confirm-input"
                    label=format!("Type {} to confirm", slug.get_value())
                    value=typed
                    autocomplete="off"
                />
            </form>
            {failure_alert(delete)}
        </Modal>
    }
}
