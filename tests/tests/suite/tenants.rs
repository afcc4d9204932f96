//! Tenants, plans, subscriptions and tenant deletion, through real HTTP on both databases.

use serde_json::{Value, json};
use tessera_domain::code::{CodeView, CreateCodesResponse};
use tessera_domain::device::DeviceView;
use tessera_domain::page::Paged;
use tessera_domain::plan::PlanView;
use tessera_domain::tenant::{
    DeletionImpact, SubscriptionStatus, SubscriptionView, TenantStatus, TenantView,
};
use tessera_tests::*;
use uuid::Uuid;

on_both_databases!(
    creating_a_tenant_opens_an_active_subscription_and_generates_its_codes,
    tenant_creation_refuses_bad_input_and_taken_slugs_and_writes_nothing,
    the_tenant_list_searches_filters_sorts_and_pages,
    page_totals_stay_exact_on_every_page_and_past_the_last,
    page_totals_stay_exact_when_more_than_a_thousand_rows_match,
    tenants_are_read_by_slug_or_id_and_patched_with_an_audit_trail,
    subscription_changes_close_the_current_period_and_open_a_new_one,
    plans_are_edited_by_super_admins_only,
    deletion_impact_counts_exactly_what_deletion_removes,
    the_system_tenant_cannot_be_deleted_suspended_or_moved,
    deleting_a_tenant_while_its_devices_activate_leaves_nothing_behind,
    staff_endpoints_refuse_org_admins_and_anonymous_callers,
);

async fn creating_a_tenant_opens_an_active_subscription_and_generates_its_codes(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    for (slug, plan, expected) in [
        ("tiny", "free", 1),
        ("mid", "pro", 3),
        ("big", "enterprise", 25),
    ] {
        let created = app.create_tenant(&admin, slug, plan).await;
        assert_eq!(created.tenant.slug, slug);
        assert_eq!(created.tenant.plan, plan);
        assert_eq!(created.tenant.status, TenantStatus::Active);
        assert_eq!(
            created.tenant.contact_email.as_deref(),
            Some(format!("ops@{slug}.test").as_str())
        );
        assert_eq!(created.subscription.status, SubscriptionStatus::Active);
        assert_eq!(created.subscription.plan, plan);
        assert!(created.subscription.ended_at.is_none());
        assert_eq!(created.codes.len(), expected, "{plan}");
        for c in &created.codes {
            assert_eq!(
                c.label.as_deref(),
                Some("Auto-generated on tenant creation")
            );
            assert_eq!(c.max_uses, 1);
            assert!(c.expires_at.is_none());
            assert!(c.code.starts_with(&c.prefix));
            let groups: Vec<&str> = c.code.split('-').collect();
            assert_eq!(groups.len(), 4, "{}", c.code);
            assert!(groups.iter().all(|g| {
                g.len() == 4
                    && g.bytes()
                        .all(|b| b"23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(&b))
            }));
        }
        // Lists show the prefix only: the plaintext was in the creation answer, once.
        let res = app
            .list_codes(&admin, &format!("tenant={slug}&per_page=200"))
            .await;
        let text = res.text().await.unwrap();
        for c in &created.codes {
            assert!(!text.contains(&c.code));
            assert!(!text.contains(&c.code.replace('-', "")));
        }
        let page: Paged<CodeView> = serde_json::from_str(&text).unwrap();
        assert_eq!(page.total, expected as u64);
    }
    let audit = app.audit_actions().await;
    assert_eq!(
        audit.iter().filter(|(a, _)| a == "tenant.create").count(),
        3
    );
}

async fn tenant_creation_refuses_bad_input_and_taken_slugs_and_writes_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let bad = app
        .create_tenant_raw(
            &admin,
            &json!({"slug": "A!", "name": " ", "contact_email": "nope", "plan": "system"}),
        )
        .await;
    let p = assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let fields: Vec<String> = p.errors.unwrap().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["slug", "name", "contact_email", "plan"]);
    let unknown_plan = app
        .create_tenant_raw(
            &admin,
            &json!({"slug": "acme", "name": "Acme", "plan": "platinum"}),
        )
        .await;
    let p = assert_problem(unknown_plan, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap()[0].field, "plan");
    let unknown_field = app
        .create_tenant_raw(
            &admin,
            &json!({"slug": "acme", "name": "Acme", "plan": "pro", "colour": "red"}),
        )
        .await;
    assert_problem(unknown_field, 422, "VALIDATION_FAILED").await;
    // Nothing of the refused attempts exists; the slug is still free.
    let page: Paged<TenantView> = json_ok(app.list_tenants(&admin, "search=acme").await, 200).await;
    assert_eq!(page.total, 0);
    app.create_tenant(&admin, "acme", "pro").await;
    let taken = app
        .create_tenant_raw(
            &admin,
            &json!({"slug": "acme", "name": "Again", "plan": "free"}),
        )
        .await;
    assert_problem(taken, 409, "SLUG_TAKEN").await;
    let codes: Paged<CodeView> = json_ok(app.list_codes(&admin, "tenant=acme").await, 200).await;
    assert_eq!(codes.total, 3, "the refused duplicate generated no codes");
}

async fn the_tenant_list_searches_filters_sorts_and_pages(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    for (slug, plan) in [
        ("alpha", "free"),
        ("bravo", "pro"),
        ("charlie", "pro"),
        ("delta", "enterprise"),
        ("echo", "free"),
    ] {
        app.create_tenant(&admin, slug, plan).await;
    }
    let rename = app
        .update_tenant(&admin, "charlie", &json!({"name": "Charlie 100% Widgets"}))
        .await;
    assert_eq!(rename.status().as_u16(), 200);
    let slugs = |p: &Paged<TenantView>| p.items.iter().map(|t| t.slug.clone()).collect::<Vec<_>>();

    let page: Paged<TenantView> = json_ok(app.list_tenants(&admin, "search=BRAV").await, 200).await;
    assert_eq!(slugs(&page), ["bravo"]);
    // Contact e-mail is searched too; LIKE wildcards are literal.
    let page: Paged<TenantView> =
        json_ok(app.list_tenants(&admin, "search=ops%40delta").await, 200).await;
    assert_eq!(slugs(&page), ["delta"]);
    let page: Paged<TenantView> =
        json_ok(app.list_tenants(&admin, "search=100%25").await, 200).await;
    assert_eq!(slugs(&page), ["charlie"]);
    let page: Paged<TenantView> = json_ok(app.list_tenants(&admin, "search=_").await, 200).await;
    assert_eq!(page.total, 0);

    let page: Paged<TenantView> =
        json_ok(app.list_tenants(&admin, "plan=pro&sort=slug").await, 200).await;
    assert_eq!(slugs(&page), ["bravo", "charlie"]);
    app.update_tenant(&admin, "echo", &json!({"status": "suspended"}))
        .await;
    let page: Paged<TenantView> =
        json_ok(app.list_tenants(&admin, "status=suspended").await, 200).await;
    assert_eq!(slugs(&page), ["echo"]);

    // Six tenants with `system`; page 2 of 2-per-page in slug order.
    let page: Paged<TenantView> = json_ok(
        app.list_tenants(&admin, "sort=slug&per_page=2&page=2")
            .await,
        200,
    )
    .await;
    assert_eq!((page.total, page.page, page.per_page), (6, 2, 2));
    assert_eq!(slugs(&page), ["charlie", "delta"]);
    let page: Paged<TenantView> =
        json_ok(app.list_tenants(&admin, "sort=-slug&per_page=1").await, 200).await;
    assert_eq!(slugs(&page), ["system"]);
    let page: Paged<TenantView> = json_ok(app.list_tenants(&admin, "").await, 200).await;
    assert_eq!((page.page, page.per_page, page.total), (1, 50, 6));

    let p = assert_problem(
        app.list_tenants(&admin, "sort=password").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "sort");
    let p = assert_problem(
        app.list_tenants(&admin, "per_page=201").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "per_page");
    assert_problem(
        app.list_tenants(&admin, "status=deleted").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.list_tenants(&admin, "page=0").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
}

async fn page_totals_stay_exact_on_every_page_and_past_the_last(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    for slug in ["alpha", "bravo", "charlie", "delta", "echo"] {
        app.create_tenant(&admin, slug, "pro").await;
    }
    let list = |query: String| {
        let app = &app;
        let admin = &admin;
        async move { json_ok::<Paged<TenantView>>(app.list_tenants(admin, &query).await, 200).await }
    };
    let everyone = list("sort=slug&per_page=200".into()).await;
    assert_eq!(everyone.total, 6, "five tenants and `system`");

    // Pages of 4: full, partial, then past the end; each knows the total, and together
    // they are the whole list once.
    let mut seen = Vec::new();
    for (page, rows) in [(1, 4), (2, 2), (3, 0), (1_000_000, 0)] {
        let p = list(format!("sort=slug&per_page=4&page={page}")).await;
        assert_eq!(
            (p.page, p.per_page, p.total, p.items.len()),
            (page, 4, 6, rows),
            "page {page}"
        );
        seen.extend(p.items);
    }
    assert_eq!(seen, everyone.items);

    // The same with a search and a filter: `l` is in alpha, charlie and delta.
    let p = list("search=l&plan=pro&sort=-slug&per_page=2".into()).await;
    assert_eq!(
        p.items.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(),
        ["delta", "charlie"]
    );
    assert_eq!(p.total, 3);
    let p = list("search=l&plan=pro&sort=-slug&per_page=2&page=2".into()).await;
    assert_eq!((p.total, p.items.len()), (3, 1));
    let p = list("search=l&plan=pro&sort=-slug&per_page=2&page=3".into()).await;
    assert_eq!((p.total, p.items.len()), (3, 0));
    // Nothing matches: the first page is empty and so is the total.
    for page in [1, 2] {
        let p = list(format!("search=zulu&page={page}")).await;
        assert_eq!((p.total, p.items.len()), (0, 0), "page {page}");
    }
}

/// More rows than the list counts along with its page (1,000): the total then comes from a
/// separate count, on every page, past the last, and with a search.
async fn page_totals_stay_exact_when_more_than_a_thousand_rows_match(b: Backend) {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    use tessera_domain::entity::tenant;

    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let db = app.db().await;
    let now = chrono::Utc::now();
    let bulk: Vec<tenant::ActiveModel> = (0..1200)
        .map(|i| tenant::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(format!("bulk-{i:04}")),
            name: Set(format!("Bulk {i}")),
            contact_email: Set(None),
            plan: Set("pro".into()),
            status: Set("active".into()),
            active_devices: Set(0),
            project_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in bulk.chunks(300) {
        tenant::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .expect("insert tenants");
    }
    let list = |query: String| {
        let app = &app;
        let admin = &admin;
        async move { json_ok::<Paged<TenantView>>(app.list_tenants(admin, &query).await, 200).await }
    };

    // 1,201 with `system`, in pages of 50: the first, the last full one, the last, past it.
    for (page, rows) in [(1, 50), (24, 50), (25, 1), (26, 0)] {
        let p = list(format!("sort=slug&per_page=50&page={page}")).await;
        assert_eq!((p.total, p.items.len()), (1201, rows), "page {page}");
    }
    // Every page of 200, in order, once.
    let mut slugs = Vec::new();
    for page in 1..=7 {
        let p = list(format!("sort=slug&per_page=200&page={page}")).await;
        assert_eq!(p.total, 1201, "page {page}");
        slugs.extend(p.items.into_iter().map(|t| t.slug));
    }
    let mut expected: Vec<String> = (0..1200).map(|i| format!("bulk-{i:04}")).collect();
    expected.push("system".into());
    assert_eq!(slugs, expected);

    // A search matching all of them, and one matching a hundred.
    let p = list("search=bulk&per_page=10&page=3".into()).await;
    assert_eq!((p.total, p.items.len()), (1200, 10));
    let p = list("search=bulk-01&sort=-slug&per_page=30&page=4".into()).await;
    assert_eq!((p.total, p.items.len()), (100, 10));
    assert_eq!(p.items[9].slug, "bulk-0100");
}

async fn tenants_are_read_by_slug_or_id_and_patched_with_an_audit_trail(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let by_slug: TenantView = json_ok(app.get_tenant(&admin, "acme").await, 200).await;
    let by_id: TenantView =
        json_ok(app.get_tenant(&admin, &by_slug.id.to_string()).await, 200).await;
    assert_eq!(by_slug, by_id);
    assert_problem(
        app.get_tenant(&admin, "nowhere").await,
        404,
        "TENANT_NOT_FOUND",
    )
    .await;

    let patched: TenantView = json_ok(
        app.update_tenant(
            &admin,
            "acme",
            &json!({"name": "Acme Ltd", "contact_email": "Billing@Acme.test"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched.name, "Acme Ltd");
    assert_eq!(patched.contact_email.as_deref(), Some("billing@acme.test"));
    let cleared: TenantView = json_ok(
        app.update_tenant(&admin, "acme", &json!({"contact_email": ""}))
            .await,
        200,
    )
    .await;
    assert!(cleared.contact_email.is_none());

    // Suspension refuses the members' sign-in; reactivation restores it.
    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "suspended"}))
            .await,
        200,
    )
    .await;
    assert_problem(
        app.login("ada", "correct-horse-1").await,
        403,
        "TENANT_SUSPENDED",
    )
    .await;
    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "active"}))
            .await,
        200,
    )
    .await;
    json_ok::<Value>(app.login("ada", "correct-horse-1").await, 200).await;

    // A plan change through PATCH follows the subscription rule.
    let moved: TenantView = json_ok(
        app.update_tenant(&admin, "acme", &json!({"plan": "pro"}))
            .await,
        200,
    )
    .await;
    assert_eq!(moved.plan, "pro");
    let history: Paged<SubscriptionView> =
        json_ok(app.list_subscriptions(&admin, "acme", "").await, 200).await;
    assert_eq!(history.total, 2);
    assert_eq!(history.items[0].plan, "pro");
    assert_eq!(
        history.items[0].status,
        SubscriptionStatus::Trialing,
        "the status is kept"
    );
    assert!(history.items[0].ended_at.is_none());
    assert_eq!(history.items[1].plan, "free");
    assert!(history.items[1].ended_at.is_some());

    let bad = app
        .update_tenant(&admin, "acme", &json!({"status": "deleted", "name": ""}))
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let bad = app
        .update_tenant(&admin, "acme", &json!({"plan": "platinum"}))
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let org = app
        .update_tenant(&owner.access_token, "acme", &json!({"name": "Mine"}))
        .await;
    assert_problem(org, 403, "FORBIDDEN").await;
    // A no-op patch changes nothing and is not audited.
    app.update_tenant(&admin, "acme", &json!({"name": "Acme Ltd"}))
        .await;

    let tid = by_slug.id;
    let updates = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(a, t)| a == "tenant.update" && *t == Some(tid))
        .count();
    assert_eq!(updates, 5);
}

async fn subscription_changes_close_the_current_period_and_open_a_new_one(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    app.register("acme", "ada@acme.test", "ada").await;
    let history: Paged<SubscriptionView> =
        json_ok(app.list_subscriptions(&admin, "acme", "").await, 200).await;
    assert_eq!(history.total, 1);
    assert_eq!(history.items[0].status, SubscriptionStatus::Trialing);
    assert_eq!(history.items[0].plan, "free");

    let upgraded: SubscriptionView = json_ok(
        app.change_subscription(&admin, "acme", &json!({"plan": "pro", "status": "active"}))
            .await,
        201,
    )
    .await;
    assert_eq!(upgraded.monthly_price_cents, 4900);
    assert!(upgraded.ended_at.is_none());
    let tenant: TenantView = json_ok(app.get_tenant(&admin, "acme").await, 200).await;
    assert_eq!(tenant.plan, "pro");

    let again = app
        .change_subscription(&admin, "acme", &json!({"plan": "pro", "status": "active"}))
        .await;
    assert_problem(again, 409, "SUBSCRIPTION_UNCHANGED").await;
    let canceled: SubscriptionView = json_ok(
        app.change_subscription(
            &admin,
            &tenant.id.to_string(),
            &json!({"plan": "pro", "status": "canceled"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(canceled.status, SubscriptionStatus::Canceled);

    let history: Paged<SubscriptionView> = json_ok(
        app.list_subscriptions(&admin, "acme", "sort=started_at")
            .await,
        200,
    )
    .await;
    let rows: Vec<(String, SubscriptionStatus, bool)> = history
        .items
        .iter()
        .map(|s| (s.plan.clone(), s.status, s.ended_at.is_none()))
        .collect();
    assert_eq!(
        rows,
        [
            ("free".to_owned(), SubscriptionStatus::Trialing, false),
            ("pro".to_owned(), SubscriptionStatus::Active, false),
            ("pro".to_owned(), SubscriptionStatus::Canceled, true),
        ]
    );
    // Each closed period ends exactly when the next one starts.
    assert_eq!(history.items[0].ended_at, Some(history.items[1].started_at));
    assert_eq!(history.items[1].ended_at, Some(history.items[2].started_at));

    let bad = app
        .change_subscription(&admin, "acme", &json!({"plan": "pro", "status": "paused"}))
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let bad = app
        .change_subscription(
            &admin,
            "acme",
            &json!({"plan": "system", "status": "active"}),
        )
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let missing = app
        .change_subscription(
            &admin,
            "nowhere",
            &json!({"plan": "pro", "status": "active"}),
        )
        .await;
    assert_problem(missing, 404, "TENANT_NOT_FOUND").await;
    assert_problem(
        app.list_subscriptions(&admin, "acme", "sort=price").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let changes = app
        .audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "subscription.change")
        .count();
    assert_eq!(changes, 2);
}

async fn plans_are_edited_by_super_admins_only(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let org = app
        .register("acme", "ada@acme.test", "ada")
        .await
        .access_token;
    let edited: PlanView = json_ok(
        app.update_plan(&admin, "pro", &json!({"name": "Pro 2", "monthly_price_cents": 5900, "project_quota": 30, "device_quota": 120})).await,
        200,
    )
    .await;
    assert_eq!(
        (
            edited.name.as_str(),
            edited.monthly_price_cents,
            edited.project_quota,
            edited.device_quota
        ),
        ("Pro 2", 5900, 30, 120)
    );
    let plans: Vec<PlanView> = json_ok(app.get("/api/plans", None).await, 200).await;
    assert!(plans.contains(&edited));
    // New tenants use the edited quota: ceil(30 / 10) codes.
    assert_eq!(
        app.create_tenant(&admin, "newco", "pro").await.codes.len(),
        3
    );

    let bad = app
        .update_plan(
            &admin,
            "pro",
            &json!({"monthly_price_cents": -1, "device_quota": 2_000_000, "name": ""}),
        )
        .await;
    let p = assert_problem(bad, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap().len(), 3);
    assert_problem(
        app.update_plan(&admin, "gold", &json!({"name": "Gold"}))
            .await,
        404,
        "PLAN_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.update_plan(&org, "pro", &json!({"name": "Mine"})).await,
        403,
        "FORBIDDEN",
    )
    .await;
    let updates = app
        .audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "plan.update")
        .count();
    assert_eq!(updates, 1);
}

async fn deletion_impact_counts_exactly_what_deletion_removes(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "gus@globex.test", "gus").await;
    let tid = owner.user.tenant_id.unwrap();
    let batch: CreateCodesResponse = app.create_codes(&admin, "acme", 4, 2).await;
    let mut licenses = Vec::new();
    for (i, fp) in ["fp-1", "fp-2", "fp-3"].iter().enumerate() {
        let res: Value = json_ok(app.activate(&batch.codes[i % 2].code, fp).await, 201).await;
        licenses.push(res["license"].as_str().unwrap().to_owned());
    }
    app.change_subscription(&admin, "acme", &json!({"plan": "pro", "status": "active"}))
        .await;
    let other_codes = app.create_codes(&admin, "globex", 2, 1).await;
    app.activate(&other_codes.codes[0].code, "globex-fp").await;
    // Worklogs reference their user: deletion must remove them before the users.
    let today = chrono::Utc::now().date_naive().to_string();
    for minutes in [30, 45] {
        let body = json!({"work_date": today, "minutes": minutes, "description": "Support call"});
        let res = app
            .post("/api/worklogs", &body, Some(&owner.access_token))
            .await;
        assert_eq!(res.status().as_u16(), 201);
    }
    // Usage (sent with a device license) and a reserve adjustment: billing rows too.
    let events = json!({"events": [
        {"event_id": "e-1", "kind": "llm_call", "tokens": 10, "occurred_at": chrono::Utc::now()},
        {"event_id": "e-2", "kind": "api_call", "occurred_at": chrono::Utc::now()},
    ]});
    let res = app
        .client
        .post(format!("{}/api/usage", app.address))
        .header("authorization", format!("License {}", licenses[0]))
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = app
        .post(
            "/api/billing/admin/accounts/acme/adjustments",
            &json!({"amount_cents": 1000, "reason": "Goodwill credit"}),
            Some(&admin),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());

    let impact = app.deletion_impact(&admin, "acme").await;
    assert_eq!(
        impact,
        DeletionImpact {
            activation_codes: 4,
            devices: 3,
            subscriptions: 2,
            users: 1,
            worklogs: 2,
            usage_events: 2,
            usage_rollups: 2,
            ledger_entries: 1,
            ..Default::default()
        }
    );
    let json_keys: Value =
        json_ok(app.deletion_impact_raw(&admin, &tid.to_string()).await, 200).await;
    let mut keys: Vec<&String> = json_keys.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "activation_codes",
            "agent_prompts",
            "devices",
            "ledger_entries",
            "projects",
            "subscriptions",
            "usage_events",
            "usage_rollups",
            "users",
            "worklogs"
        ]
    );

    let p = assert_problem(
        app.delete_tenant(&admin, "acme", None).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "confirm");
    assert_problem(
        app.delete_tenant(&admin, "acme", Some("globex")).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.delete_tenant(&owner.access_token, "acme", Some("acme"))
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_eq!(
        app.deletion_impact(&admin, "acme").await,
        impact,
        "refusals deleted nothing"
    );

    let res = app
        .delete_tenant(&admin, &tid.to_string(), Some("acme"))
        .await;
    assert_eq!(res.status().as_u16(), 204);

    assert_problem(
        app.get_tenant(&admin, "acme").await,
        404,
        "TENANT_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.deletion_impact_raw(&admin, "acme").await,
        404,
        "TENANT_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.login("ada", "correct-horse-1").await,
        401,
        "INVALID_CREDENTIALS",
    )
    .await;
    assert_problem(
        app.refresh(&owner.refresh_token).await,
        401,
        "INVALID_REFRESH_TOKEN",
    )
    .await;
    let codes: Paged<CodeView> = json_ok(app.list_codes(&admin, "").await, 200).await;
    assert!(codes.items.iter().all(|c| c.tenant_id != tid));
    assert_eq!(codes.total, 2, "globex's codes remain");
    let devices: Paged<DeviceView> = json_ok(app.list_devices(&admin, "").await, 200).await;
    assert_eq!(devices.total, 1);
    assert_eq!(devices.items[0].tenant_slug, "globex");
    let verdict: Value = json_ok(app.validate_license(&licenses[0]).await, 200).await;
    assert_eq!(verdict["code"], "DEVICE_NOT_FOUND");
    // Nothing of the tenant is left in any table it owned.
    for table in [
        "activation_codes",
        "devices",
        "subscriptions",
        "users",
        "refresh_tokens",
        "worklogs",
        "usage_events",
        "usage_rollups",
        "ledger_entries",
        "reserve_accounts",
    ] {
        assert_eq!(app.rows_of_tenant(table, tid).await, 0, "{table}");
    }
    // The slug is free again, and the audit trail kept the deletion.
    app.create_tenant(&admin, "acme", "free").await;
    let audit = app.audit_actions().await;
    assert!(
        audit
            .iter()
            .any(|(a, t)| a == "tenant.delete" && *t == Some(tid))
    );
}

async fn the_system_tenant_cannot_be_deleted_suspended_or_moved(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let res = app.delete_tenant(&admin, "system", Some("system")).await;
    assert_problem(res, 409, "SYSTEM_TENANT_PROTECTED").await;
    let res = app
        .update_tenant(&admin, "system", &json!({"status": "suspended"}))
        .await;
    assert_problem(res, 409, "SYSTEM_TENANT_PROTECTED").await;
    let res = app
        .update_tenant(&admin, "system", &json!({"plan": "pro"}))
        .await;
    assert_problem(res, 409, "SYSTEM_TENANT_PROTECTED").await;
    let res = app
        .change_subscription(
            &admin,
            "system",
            &json!({"plan": "free", "status": "active"}),
        )
        .await;
    assert_problem(res, 409, "SYSTEM_TENANT_PROTECTED").await;
    let system: TenantView = json_ok(app.get_tenant(&admin, "system").await, 200).await;
    assert_eq!(
        (system.plan.as_str(), system.status),
        ("system", TenantStatus::Active)
    );
    // Its name may still change.
    json_ok::<TenantView>(
        app.update_tenant(&admin, "system", &json!({"name": "Platform"}))
            .await,
        200,
    )
    .await;
}

async fn staff_endpoints_refuse_org_admins_and_anonymous_callers(b: Backend) {
    let app = spawn_app(b).await;
    let org = app
        .register("acme", "ada@acme.test", "ada")
        .await
        .access_token;
    let tid = "00000000-0000-0000-0000-000000000000";
    let gets = [
        "/admin/api/tenants".to_owned(),
        "/admin/api/tenants/acme".to_owned(),
        "/admin/api/tenants/acme/deletion-impact".to_owned(),
        "/admin/api/tenants/acme/subscriptions".to_owned(),
        "/admin/api/codes".to_owned(),
        "/admin/api/devices".to_owned(),
        "/admin/api/dashboard".to_owned(),
    ];
    for path in &gets {
        assert_problem(app.get(path, Some(&org)).await, 403, "FORBIDDEN").await;
        assert_problem(app.get(path, None).await, 401, "UNAUTHENTICATED").await;
    }
    let posts = [
        (
            "/admin/api/tenants".to_owned(),
            json!({"slug": "x-corp", "name": "X", "plan": "free"}),
        ),
        (
            "/admin/api/codes".to_owned(),
            json!({"tenant": "acme", "count": 1}),
        ),
        (format!("/admin/api/codes/{tid}/revoke"), json!({})),
        (format!("/admin/api/devices/{tid}/revoke"), json!({})),
        (
            "/admin/api/tenants/acme/subscriptions".to_owned(),
            json!({"plan": "pro", "status": "active"}),
        ),
    ];
    for (path, body) in &posts {
        assert_problem(app.post(path, body, Some(&org)).await, 403, "FORBIDDEN").await;
    }
    assert_problem(
        app.delete_tenant(&org, "acme", Some("acme")).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

async fn deleting_a_tenant_while_its_devices_activate_leaves_nothing_behind(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    // Room for every device, so only the deletion stops the activations.
    let res = app
        .patch(
            "/admin/api/plans/free",
            &json!({"device_quota": 10000}),
            tok,
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    app.register("acme", "ada@acme.test", "ada").await;
    let tid: Uuid = json_ok::<TenantView>(app.get_tenant(tok, "acme").await, 200)
        .await
        .id;
    let code = app.one_code(tok, "acme", 10000).await;
    let done = std::sync::atomic::AtomicBool::new(false);
    let activated = std::sync::atomic::AtomicUsize::new(0);
    // Four devices activate one after another until the code is gone with its tenant.
    let activators = (0..4).map(|w| {
        let (app, code, done, activated) = (&app, code.clone(), &done, &activated);
        async move {
            let mut seen = Vec::new();
            for i in 0.. {
                let status = app
                    .activate(&code, &format!("fp-{w}-{i}"))
                    .await
                    .status()
                    .as_u16();
                seen.push(status);
                if status == 201 {
                    activated.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                if status != 201 && done.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                if i > 2000 {
                    panic!("activations never stopped");
                }
            }
            seen
        }
    });
    let deletion = async {
        // Delete once activations are flowing, however slow the machine is.
        while activated.load(std::sync::atomic::Ordering::SeqCst) < 8 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let status = app
            .delete_tenant(tok, "acme", Some("acme"))
            .await
            .status()
            .as_u16();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        status
    };
    let (seen, deleted) = tokio::join!(futures_util::future::join_all(activators), deletion);
    assert_eq!(deleted, 204);
    let seen: Vec<u16> = seen.into_iter().flatten().collect();
    // Each activation either finished before the deletion (and went with it) or found the
    // code gone: never a 5xx, never a device left behind.
    assert!(seen.contains(&201), "no activation ran before the deletion");
    assert!(
        seen.iter().all(|s| *s == 201 || *s == 404),
        "unexpected answers: {seen:?}"
    );
    for table in ["activation_codes", "devices", "subscriptions", "users"] {
        assert_eq!(app.rows_of_tenant(table, tid).await, 0, "{table}");
    }
    assert_problem(app.get_tenant(tok, "acme").await, 404, "TENANT_NOT_FOUND").await;
}
