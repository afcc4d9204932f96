use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tessera_domain::FieldError;
use tessera_domain::code::{CodeStatus, CodeView, CreateCodesRequest};
use tessera_domain::page::Paged;

use super::issued_codes::IssuedCodes;
use super::{StaffOnly, TenantFilters, day, refilter, refusal_fields, revocation};
use crate::api::licensing::{self as api, CodeQuery};
use crate::components::{
    CancelButton, EmptyState, Loader, Modal, PageHeader, Pager, PickButton, StatusBadge,
    SubmitButton, TargetConfirm, TextField, capitalize,
};
use crate::forms::FormErrors;
use crate::page::Page;
use crate::pages::login::failure_alert;

/// Staff: activation codes of every tenant, with tenant, status and search filters; the
/// "Generate codes" dialog; revocation.
///
/// `?tenant=<slug>` starts the list filtered to that tenant (the tenant page links here).
#[component]
pub fn CodesPage() -> impl IntoView {
    view! {
        <StaffOnly page=Page::ActivationCodes>
            <CodeList/>
        </StaffOnly>
    }
}

fn status_str(s: CodeStatus) -> &'static str {
    match s {
        CodeStatus::Active => "active",
        CodeStatus::Used => "used",
        CodeStatus::Expired => "expired",
        CodeStatus::Revoked => "revoked",
    }
}

#[component]
fn CodeList() -> impl IntoView {
    let from_url = use_query_map().with_untracked(|q| q.get("tenant").unwrap_or_default());
    let query = RwSignal::new(CodeQuery {
        tenant: from_url.clone(),
        page: 1,
        ..CodeQuery::default()
    });
    let codes = LocalResource::new(move || {
        let q = query.get();
        async move { api::list_codes(&q).await }
    });
    let (updating, set_updating) = signal(false);
    let generating = RwSignal::new(false);
    // The dialog's tenant field; opening it from a filtered list starts with that tenant.
    let generate_for = RwSignal::new(String::new());
    let (revoking, revoke) =
        revocation::<CodeView, _, _>(api::revoke_code, move || codes.refetch());

    let on_tenant = refilter(query, |q, v| q.tenant = v);
    let on_search = refilter(query, |q, v| q.search = v);
    let on_status = refilter(query, |q, v| {
        q.status = [
            CodeStatus::Active,
            CodeStatus::Used,
            CodeStatus::Expired,
            CodeStatus::Revoked,
        ]
        .into_iter()
        .find(|s| status_str(*s) == v);
    });
    let on_page = Callback::new(move |page: u64| query.update(|q| q.page = page));
    let status_options = Signal::derive(|| {
        ["active", "used", "expired", "revoked"]
            .map(|s| (s.to_owned(), capitalize(s)))
            .to_vec()
    });

    let table = move |page: Paged<CodeView>| {
        if page.total == 0 {
            let filtered = query.with_untracked(|q| {
                !q.tenant.is_empty() || !q.search.is_empty() || q.status.is_some()
            });
            return view! {
                <EmptyState title=if filtered { "No codes match these filters" } else { "No activation codes yet" } icon="⌗">
                    <p>
                        {if filtered {
                            "Check the tenant's slug, or show every status."
                        } else {
                            "Codes appear here when a tenant is created or when you generate them."
                        }}
                    </p>
                </EmptyState>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover" id="codes-table">
                    <thead>
                        <tr>
                            <th>"Code"</th>
                            <th>"Tenant"</th>
                            <th>"Label"</th>
                            <th class="num">"Uses"</th>
                            <th>"Expires"</th>
                            <th>"Created"</th>
                            <th>"Status"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        // Rows are rebuilt with each loaded page (the Suspend above re-runs),
                        // so a plain list is enough: nothing here updates in place.
                        {page.items.into_iter().map(move |c| {
                            let status = status_str(c.status);
                            let row = c.clone();
                            let revocable = c.status != CodeStatus::Revoked;
                            let prefix = c.prefix.clone();
                            view! {
                                <tr class="code-row" data-code-id=c.id.to_string() data-prefix=prefix.clone() data-status=status>
                                    <td><code class="code-prefix">{format!("{prefix}-…")}</code></td>
                                    <td>
                                        <A href=Page::tenant(&c.tenant_slug)>{c.tenant_slug.clone()}</A>
                                    </td>
                                    <td>{c.label.clone().unwrap_or_default()}</td>
                                    <td class="num">{format!("{} / {}", c.use_count, c.max_uses)}</td>
                                    <td class="date">{c.expires_at.map(day).unwrap_or_else(|| "Never".into())}</td>
                                    <td class="date">{day(c.created_at)}</td>
                                    <td><StatusBadge status=status.to_owned()/></td>
                                    <td class="table-actions">
                                        {revocable.then(|| view! {
                                            <PickButton class="btn btn-ghost btn-sm revoke-code" label="Revoke" aria_label=format!("Revoke code {prefix}-…") row=row target=revoking action=revoke/>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=page.page per_page=page.per_page total=page.total noun="codes" on_page=on_page/>
        }
        .into_any()
    };

    view! {
        <PageHeader title=Page::ActivationCodes.title() crumbs=Page::ActivationCodes.crumbs()>
            <button type="button" class="btn btn-primary" id="generate-codes" on:click=move |_| {
                generate_for.set(query.with_untracked(|q| q.tenant.clone()));
                generating.set(true);
            }>
                "Generate codes"
            </button>
        </PageHeader>
        <TenantFilters
            prefix="codes"
            tenant=from_url
            on_tenant=on_tenant
            status=Signal::derive(move || query.with(|q| q.status.map(status_str).unwrap_or_default().to_owned()))
            status_options=status_options
            on_status=on_status
            search_placeholder="Label or first four symbols"
            on_search=on_search
            updating=updating
        />
        <Loader text="Loading activation codes…" set_pending=set_updating>
            {move || Suspend::new(async move { codes.await.map(table) })}
        </Loader>
        <GenerateCodesModal
            open=generating
            tenant=generate_for
            on_generated=Callback::new(move |()| codes.refetch())
        />
        <TargetConfirm
            target=revoking
            action=revoke
            title=|c| format!("Revoke code {}-…?", c.prefix)
            confirm_label="Revoke code"
            confirm_id="confirm-revoke"
            key=|c| c.id
            body=|c| view! {
                <p>
                    "Code " <code>{format!("{}-…", c.prefix)}</code> " of " <strong>{c.tenant_slug}</strong>
                    {c.label.map(|l| format!(" (“{l}”)"))} " has activated "
                    {format!("{} of {}", c.use_count, c.max_uses)} " devices."
                </p>
                <p>
                    "Once revoked it activates no further devices. Devices it already activated keep working until they are revoked themselves."
                </p>
            }.into_any()
        />
    }
}

/// Parses a whole-number field; blank is `None`.
fn whole(text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(drop)
    }
}

/// The request the form describes, and the fields that are not numbers at all (the
/// shared rules can only judge numbers).
fn codes_request(
    tenant: &str,
    count: &str,
    label: &str,
    max_uses: &str,
    ttl_days: &str,
) -> (CreateCodesRequest, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut number = |field: &str, text: &str| match whole(text) {
        Ok(n) => n,
        Err(()) => {
            errors.push(FieldError::new(field, "must be a whole number"));
            None
        }
    };
    let count = number("count", count);
    let max_uses = number("max_uses", max_uses);
    let ttl_days = number("ttl_days", ttl_days);
    if count.is_none() && !errors.iter().any(|e| e.field == "count") {
        errors.push(FieldError::new("count", "is required"));
    }
    let request = CreateCodesRequest {
        tenant: tenant.trim().to_owned(),
        // A placeholder that passes the rules, so only the real problem is reported.
        count: count.unwrap_or(1),
        label: Some(label.trim().to_owned()).filter(|l| !l.is_empty()),
        max_uses,
        ttl_days,
    };
    (request, errors)
}

/// The "Generate codes" dialog: tenant, count, label, max uses and TTL, checked with the
/// shared rules; then the plaintext codes, shown this once.
#[component]
fn GenerateCodesModal(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    /// The tenant field (its slug); the opener sets where it starts.
    tenant: RwSignal<String>,
    /// Told when codes were generated, so the list reloads.
    on_generated: Callback<()>,
) -> impl IntoView {
    let tenant_field = tenant;
    let count = RwSignal::new("1".to_owned());
    let label = RwSignal::new(String::new());
    let max_uses = RwSignal::new("1".to_owned());
    let ttl = RwSignal::new(String::new());
    let build = move || {
        codes_request(
            &tenant_field.get(),
            &count.get(),
            &label.get(),
            &max_uses.get(),
            &ttl.get(),
        )
    };
    let rules = move || {
        let (request, mut errors) = build();
        if let Err(more) = request.validate() {
            let known: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(more.into_iter().filter(|e| !known.contains(&e.field)));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    };
    let generate = Action::new_local(move |req: &CreateCodesRequest| {
        let req = req.clone();
        async move {
            let generated = api::create_codes(&req).await;
            if generated.is_ok() {
                on_generated.run(());
            }
            generated
        }
    });
    let pending = generate.pending();
    let form = FormErrors::new(rules, refusal_fields(generate));
    let generated = move || generate.value().with(|v| matches!(v, Some(Ok(_))));

    let reset = move || {
        count.set("1".into());
        label.set(String::new());
        max_uses.set("1".into());
        ttl.set(String::new());
        generate.value().set(None);
        form.reset();
    };
    let close = Callback::new(move |()| {
        if !pending.get_untracked() {
            open.set(false);
            reset();
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            generate.dispatch(build().0);
        }
    };

    let form_view = move || {
        view! {
            {failure_alert(generate)}
            <form class="form" id="generate-codes-form" on:submit=on_submit novalidate>
                <TextField
                    id="codes-tenant"
                    label="Tenant"
                    value=tenant_field
                    error=form.error("tenant")
                    on_blur=form.touch("tenant")
                    hint="The tenant's slug."
                    autocomplete="off"
                    autofocus=true
                />
                <div class="form-row">
                    <TextField
                        id="codes-count"
                        label="Count"
                        value=count
                        error=form.error("count")
                        on_blur=form.touch("count")
                        input_type="number"
                        inputmode="numeric"
                        hint="1 to 1000 codes."
                    />
                    <TextField
                        id="codes-max-uses"
                        label="Max uses"
                        value=max_uses
                        error=form.error("max_uses")
                        on_blur=form.touch("max_uses")
                        input_type="number"
                        inputmode="numeric"
                        hint="Devices each code may activate."
                    />
                    <TextField
                        id="codes-ttl"
                        label="Valid for (days)"
                        value=ttl
                        error=form.error("ttl_days")
                        on_blur=form.touch("ttl_days")
                        input_type="number"
                        inputmode="numeric"
                        hint="Empty: never expires."
                    />
                </div>
                <TextField
                    id="codes-label"
                    label="Label"
                    value=label
                    error=form.error("label")
                    on_blur=form.touch("label")
                    hint="Optional, e.g. an order number; shown in the list."
                />
            </form>
        }
    };
    let generated_view = move || {
        generate.value().get().and_then(Result::ok).map(|r| {
            let n = r.codes.len();
            view! {
                <p id="codes-generated">
                    {format!("{n} {} for ", if n == 1 { "code" } else { "codes" })}
                    <strong>{r.tenant_slug.clone()}</strong> ":"
                </p>
                <IssuedCodes codes=r.codes tenant_slug=r.tenant_slug/>
            }
        })
    };
    // Its own reactive scope: the dialog's frame does not re-render when the step changes.
    let footer = move || {
        move || {
            if generated() {
                view! {
                <button type="button" class="btn btn-primary" id="codes-done" on:click=move |_| close.run(())>
                    "Done"
                </button>
            }
            .into_any()
            } else {
                view! {
                <CancelButton on_cancel=close/>
                <SubmitButton form="generate-codes-form" id="codes-submit" pending=pending label="Generate" busy="Generating…"/>
            }
            .into_any()
            }
        }
    };
    let title = Signal::derive(move || {
        if generated() {
            "Codes generated"
        } else {
            "Generate activation codes"
        }
        .to_owned()
    });
    view! {
        <Modal open=open on_close=close title=title footer=footer>
            <Show when=generated fallback=form_view>
                {generated_view}
            </Show>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reports_non_numbers_and_a_missing_count() {
        let (req, errors) = codes_request(" acme ", "3", " batch ", "", "30");
        assert!(errors.is_empty());
        assert_eq!(req.tenant, "acme");
        assert_eq!((req.count, req.max_uses, req.ttl_days), (3, None, Some(30)));
        assert_eq!(req.label.as_deref(), Some("batch"));
        let (_, errors) = codes_request("acme", "", "", "x", "1.5");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["max_uses", "ttl_days", "count"]);
    }
}
