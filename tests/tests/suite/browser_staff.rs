//! Staff pages of the built SPA against the real API, in headless Chromium: the audit
//! log's "Load more" through filters; the users, tenants, codes and billing tables'
//! search, filters, sort and paging; the user and LLM project dialogs; and what a page
//! says when its subject does not exist. Each is checked against what the API holds.

use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::{Value, json};
use tessera_domain::auth::TokenResponse;
use tessera_tests::browser::{
    choose, click, find, retype, sign_in_as_admin, spawn_spa_app, wait_for_count, wait_for_path,
    wait_for_text, with_browser,
};
use tessera_tests::*;
use uuid::Uuid;

on_both_databases!(
    staff_page_through_the_audit_log_and_filter_it,
    staff_search_filter_sort_and_page_users_then_edit_one_and_set_a_password,
    staff_filter_sort_and_page_tenants,
    staff_filter_codes_by_status_tenant_and_label,
    staff_sort_and_filter_billing_accounts,
    staff_create_edit_and_delete_an_llm_project,
    what_cannot_be_loaded_is_said_with_a_way_back,
);

/// Signs in as the bootstrap super admin and opens a page of the platform's menu.
async fn admin_opens(c: &Client, app: &TestApp, href: &str) {
    sign_in_as_admin(c, &app.address).await;
    click(c, &format!("a.nav-link[href='{href}']")).await;
}

/// Creates `n` people of the role `user` in `tenant`, named "Person 01" onwards.
async fn create_people(app: &TestApp, token: &str, tenant: &str, n: usize) {
    for i in 1..=n {
        let body = json!({"email": format!("p{i:02}@{tenant}.test"), "username": format!("p{i:02}-{tenant}"),
                          "password": "correct-horse-2", "name": format!("Person {i:02}"),
                          "role": "user", "tenant": tenant});
        json_ok::<Value>(app.create_user(token, &body).await, 201).await;
    }
}

/// Empties a text input as a person does, key by key (WebDriver's clear sends no
/// input event, so the page would not notice).
async fn erase(c: &Client, css: &str) {
    let input = find(c, css).await;
    let typed = input.prop("value").await.unwrap().unwrap_or_default();
    for _ in 0..typed.chars().count() {
        input.send_keys(&Key::Backspace.to_string()).await.unwrap();
    }
}

/// The value of `attr` on every element `css` matches, in order, read in one script so
/// a list re-rendering meanwhile cannot leave a stale element in hand.
async fn attrs(c: &Client, css: &str, attr: &str) -> Vec<String> {
    let read = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]),
                 el => el.getAttribute(arguments[1]) || '');",
            vec![json!(css), json!(attr)],
        )
        .await
        .unwrap();
    serde_json::from_value(read).expect("a list of strings")
}

/// Waits up to ten seconds until `attr` of the elements `css` matches are `expected`,
/// in order (a list reloads after a click while the old one stays on screen).
async fn wait_for_attrs<S: AsRef<str> + std::fmt::Debug>(
    c: &Client,
    css: &str,
    attr: &str,
    expected: &[S],
) {
    let mut last = Vec::new();
    for _ in 0..100 {
        last = attrs(c, css, attr).await;
        if last
            .iter()
            .map(String::as_str)
            .eq(expected.iter().map(AsRef::as_ref))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{attr} of {css}: expected {expected:?}, saw {last:?}");
}

/// `field` of every item of a staff list's first page, through the API, in its order.
async fn listed(app: &TestApp, token: &str, path: &str, field: &str) -> Vec<String> {
    let page: Value = json_ok(app.get(path, Some(token)).await, 200).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[field].as_str().expect("a string").to_owned())
        .collect()
}

/// `total` of a paged staff list, through the API.
async fn total(app: &TestApp, token: &str, path: &str) -> usize {
    let page: Value = json_ok(app.get(path, Some(token)).await, 200).await;
    usize::try_from(page["total"].as_u64().expect("a total")).unwrap()
}

async fn staff_page_through_the_audit_log_and_filter_it(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    // Three tenants and 55 people: more events than one slice of 50.
    for slug in ["initech", "umbrella", "hooli"] {
        app.create_tenant(&admin.access_token, slug, "pro").await;
    }
    create_people(&app, &admin.access_token, "acme", 55).await;
    let count = |query: &'static str| {
        let (app, token) = (&app, admin.access_token.clone());
        async move {
            app.audit(&token, query).await["items"]
                .as_array()
                .expect("items")
                .len()
        }
    };
    let (all, tenants) = (count("limit=200").await, count("action=tenant").await);
    assert_eq!((all, tenants), (58, 3), "the sign-up itself is not audited");
    let app = &app;

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/audit").await;
        wait_for_count(&c, ".audit-row", 50).await;
        click(&c, "#audit-load-more").await;
        wait_for_count(&c, ".audit-row", all).await;
        wait_for_text(&c, "#audit-end", "That is everything.").await;

        // The tenants' events: one slice, and the end of the list.
        retype(&c, "#audit-action", "tenant").await;
        click(&c, "#audit-apply").await;
        wait_for_count(&c, ".audit-row", tenants).await;
        wait_for_text(&c, "#audit-end", "That is everything.").await;

        // Clear: the whole log again, a slice at a time, and "Load more" still works.
        click(&c, "#audit-clear").await;
        wait_for_count(&c, ".audit-row", 50).await;
        click(&c, "#audit-load-more").await;
        wait_for_count(&c, ".audit-row", all).await;
        wait_for_text(&c, "#audit-end", "That is everything.").await;
    })
    .await;
}

async fn staff_search_filter_sort_and_page_users_then_edit_one_and_set_a_password(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let ada = app.register("acme", "ada@acme.test", "ada").await;
    let hank = app.register("globex", "hank@globex.test", "hank").await;
    let admin = app.admin_tokens().await;
    create_people(&app, &admin.access_token, "acme", 28).await;
    // The super admin, two org admins and 28 people: two pages of 25.
    let app = &app;
    let ada_id = ada.user.id.to_string();
    let ada_id = &ada_id;

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/users").await;
        wait_for_count(&c, ".user-row", 25).await;
        wait_for_text(&c, ".pager-range", "Showing 1–25 of 31 users").await;
        click(&c, ".pager-next").await;
        wait_for_count(&c, ".user-row", 6).await;
        wait_for_text(&c, ".pager-status", "Page 2 of 2").await;

        // A search runs when typing pauses, from page 1.
        find(&c, "#user-search")
            .await
            .send_keys("hank")
            .await
            .unwrap();
        wait_for_count(&c, ".user-row", 1).await;
        wait_for_attrs(&c, ".user-row", "data-username", &["hank"]).await;
        erase(&c, "#user-search").await;
        wait_for_count(&c, ".user-row", 25).await;

        // A tenant: acme's org admin and 28 people.
        retype(&c, "#user-tenant", "acme").await;
        click(&c, "#user-search-submit").await;
        wait_for_text(&c, ".pager-range", "of 29 users").await;
        erase(&c, "#user-tenant").await;
        click(&c, "#user-search-submit").await;
        wait_for_text(&c, ".pager-range", "of 31 users").await;

        // Org admins, sorted by name both ways.
        choose(&c, "#user-role", "org_admin").await;
        wait_for_count(&c, ".user-row", 2).await;
        click(&c, "button.sort-button[data-sort='name']").await;
        find(
            &c,
            "th[aria-sort='ascending'] button.sort-button[data-sort='name']",
        )
        .await;
        wait_for_attrs(&c, ".user-row", "data-username", &["ada", "hank"]).await;
        click(&c, "button.sort-button[data-sort='name']").await;
        find(
            &c,
            "th[aria-sort='descending'] button.sort-button[data-sort='name']",
        )
        .await;
        wait_for_attrs(&c, ".user-row", "data-username", &["hank", "ada"]).await;

        // Nobody is inactive yet.
        choose(&c, "#user-status", "inactive").await;
        wait_for_text(&c, ".empty-state", "Nobody matches these filters").await;
        choose(&c, "#user-status", "").await;
        wait_for_count(&c, ".user-row", 2).await;

        // Edit ada: a new name and a note, which the API then holds.
        click(&c, ".user-row[data-username='ada'] .edit-user").await;
        retype(&c, "#edit-user-name", "Ada King").await;
        retype(&c, "#edit-user-notes", "Pays on the 5th").await;
        click(&c, "#edit-user-save").await;
        wait_for_text(&c, ".user-row[data-username='ada'] .user-name", "Ada King").await;
        find(&c, ".user-row[data-username='ada'] .note-mark").await;
        let listed: Value = json_ok(
            app.get("/admin/api/users?search=ada", Some(&admin.access_token))
                .await,
            200,
        )
        .await;
        let row = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|u| u["id"] == ada_id.as_str())
            .expect("ada is listed")
            .clone();
        assert_eq!(row["name"], "Ada King", "{row}");
        assert_eq!(row["notes"], "Pays on the 5th", "{row}");

        // Set hank's password now: the new one signs in, the old one and his session end.
        click(&c, ".user-row[data-username='hank'] .reset-user-password").await;
        click(&c, "#reset-mode-set").await;
        retype(&c, "#reset-password-input", "short").await;
        click(&c, "#reset-password-submit").await;
        wait_for_text(&c, "#reset-password-form .field-error", "10").await;
        retype(&c, "#reset-password-input", "a-new-horse-42").await;
        click(&c, "#reset-password-submit").await;
        wait_for_text(&c, "#reset-password-result", "The new password is set").await;
        click(&c, "#reset-password-done").await;
        assert_eq!(
            app.login("hank", "correct-horse-1").await.status().as_u16(),
            401
        );
        let again: TokenResponse = json_ok(app.login("hank", "a-new-horse-42").await, 200).await;
        assert_eq!(again.user.id, hank.user.id);
        assert_eq!(
            app.refresh(&hank.refresh_token).await.status().as_u16(),
            401
        );
    })
    .await;
}

async fn staff_filter_sort_and_page_tenants(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let admin = app.admin_tokens().await;
    let token = admin.access_token.as_str();
    // 54 tenants, a third on each plan, two of them suspended: more than a page of 50.
    for i in 1..=54 {
        let plan = ["enterprise", "free", "pro"][i % 3];
        app.create_tenant(token, &format!("t{i:02}"), plan).await;
    }
    for slug in ["t05", "t10"] {
        let res = app
            .update_tenant(token, slug, &json!({"status": "suspended"}))
            .await;
        assert_eq!(res.status().as_u16(), 200);
    }
    let all = total(&app, token, "/admin/api/tenants").await;
    assert_eq!(all, 55, "the 54 and the platform's own");
    let enterprise = total(&app, token, "/admin/api/tenants?plan=enterprise").await;
    assert_eq!(enterprise, 18);
    let app = &app;

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/tenants").await;
        wait_for_count(&c, ".tenant-row", 50).await;
        wait_for_text(&c, ".pager-range", "Showing 1–50 of 55 tenants").await;
        click(&c, ".pager-next").await;
        wait_for_count(&c, ".tenant-row", 5).await;
        wait_for_text(&c, ".pager-status", "Page 2 of 2").await;

        // A filter starts again from page 1.
        choose(&c, "#tenant-plan-filter", "enterprise").await;
        wait_for_count(&c, ".tenant-row", enterprise).await;
        wait_for_text(&c, ".pager-status", "Page 1 of 1").await;
        choose(&c, "#tenant-status-filter", "suspended").await;
        // Both suspended tenants are on other plans (t05 pro, t10 free).
        wait_for_text(&c, ".empty-state", "No tenants match these filters").await;
        choose(&c, "#tenant-plan-filter", "").await;
        wait_for_count(&c, ".tenant-row", 2).await;
        click(&c, "#sort-slug").await;
        find(&c, "th[aria-sort='ascending'] #sort-slug").await;
        wait_for_attrs(&c, ".tenant-row", "data-slug", &["t05", "t10"]).await;
        click(&c, "#sort-slug").await;
        find(&c, "th[aria-sort='descending'] #sort-slug").await;
        wait_for_attrs(&c, ".tenant-row", "data-slug", &["t10", "t05"]).await;

        // Search (it runs when typing pauses) within the suspended, then clear everything.
        find(&c, "#tenant-search")
            .await
            .send_keys("t10")
            .await
            .unwrap();
        wait_for_attrs(&c, ".tenant-row", "data-slug", &["t10"]).await;
        click(&c, "#tenants-clear").await;
        wait_for_count(&c, ".tenant-row", 50).await;
        assert_eq!(
            find(&c, "#tenant-search")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("")
        );
    })
    .await;
}

async fn staff_filter_codes_by_status_tenant_and_label(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let admin = app.admin_tokens().await;
    let token = admin.access_token.as_str();
    app.create_tenant(token, "acme", "pro").await;
    app.create_tenant(token, "globex", "pro").await;
    // acme: a batch of four, then one used, one revoked and one expired.
    let batch = app.create_codes(token, "acme", 4, 1).await.codes;
    let activated = app.activate(&batch[0].code, "fp-used").await;
    assert_eq!(activated.status().as_u16(), 201);
    assert_eq!(
        app.revoke_code(token, batch[1].id).await.status().as_u16(),
        200
    );
    app.expire_code(batch[2].id).await;
    let acme = total(&app, token, "/admin/api/codes?tenant=acme").await;
    let mut by_status = Vec::new();
    for status in ["active", "used", "revoked", "expired"] {
        let path = format!("/admin/api/codes?tenant=acme&status={status}");
        by_status.push((status, listed(&app, token, &path, "id").await));
    }
    let one = |id: Uuid| vec![id.to_string()];
    assert_eq!(by_status[1].1, one(batch[0].id), "used");
    assert_eq!(by_status[2].1, one(batch[1].id), "revoked");
    assert_eq!(by_status[3].1, one(batch[2].id), "expired");
    let all_active = listed(&app, token, "/admin/api/codes?status=active", "id").await;
    assert!(
        all_active.len() > by_status[0].1.len(),
        "globex has active codes too"
    );
    let app = &app;
    let (batch, by_status, all_active) = (&batch, &by_status, &all_active);

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/codes").await;
        retype(&c, "#codes-tenant-filter", "acme").await;
        wait_for_count(&c, ".code-row", acme).await;
        for (status, ids) in by_status {
            choose(&c, "#codes-status-filter", status).await;
            wait_for_attrs(&c, ".code-row", "data-code-id", ids).await;
            let shown = attrs(&c, ".code-row", "data-status").await;
            assert!(shown.iter().all(|s| s == status), "{status}: {shown:?}");
        }

        // Every tenant's active codes, then only the batch by its label.
        choose(&c, "#codes-status-filter", "active").await;
        erase(&c, "#codes-tenant-filter").await;
        wait_for_attrs(&c, ".code-row", "data-code-id", all_active).await;
        retype(&c, "#codes-search", "test batch").await;
        wait_for_attrs(&c, ".code-row", "data-code-id", &one(batch[3].id)).await;
    })
    .await;
}

async fn staff_sort_and_filter_billing_accounts(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let admin = app.admin_tokens().await;
    let token = admin.access_token.as_str();
    // One account of each status, by balance: healthy, below the threshold, overdrawn.
    for (slug, cents) in [("acme", 50_000), ("globex", 1), ("initech", -2_500)] {
        app.create_tenant(token, slug, "pro").await;
        let res = app
            .adjust(token, slug, cents, "opening balance", None)
            .await;
        assert_eq!(res.status().as_u16(), 201, "{slug}");
    }
    let statuses: Value = json_ok(
        app.get("/api/billing/admin/accounts?sort=tenant", Some(token))
            .await,
        200,
    )
    .await;
    let of = |slug: &str| {
        statuses["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|a| a["tenant_slug"] == slug)
            .map(|a| a["status"].clone())
    };
    assert_eq!(of("acme"), Some(json!("active")));
    assert_eq!(of("globex"), Some(json!("low_balance")));
    assert_eq!(of("initech"), Some(json!("delinquent")));
    let accounts = total(&app, token, "/api/billing/admin/accounts").await;
    let slugs = |query: &'static str| {
        let path = format!("/api/billing/admin/accounts?{query}");
        let app = &app;
        async move { listed(app, token, &path, "tenant_slug").await }
    };
    let ascending = slugs("sort=balance").await;
    let descending = slugs("sort=-balance").await;
    assert_eq!(
        ascending.first().map(String::as_str),
        Some("initech"),
        "{ascending:?}"
    );
    assert_eq!(
        descending.first().map(String::as_str),
        Some("acme"),
        "{descending:?}"
    );
    let mut by_status = Vec::new();
    for status in ["delinquent", "active", "low_balance"] {
        let query = format!("/api/billing/admin/accounts?status={status}&sort=-balance");
        by_status.push((status, listed(&app, token, &query, "tenant_slug").await));
    }
    assert_eq!(by_status[0].1, ["initech"]);
    assert!(
        by_status[2].1.contains(&"globex".to_owned()),
        "{by_status:?}"
    );
    let app = &app;
    let (ascending, descending, by_status) = (&ascending, &descending, &by_status);

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/billing").await;
        wait_for_count(&c, ".account-row", accounts).await;

        // By balance, lowest first and then highest first, as the API orders them.
        click(&c, "#billing-sort-balance").await;
        find(&c, "th[aria-sort='ascending'] #billing-sort-balance").await;
        wait_for_attrs(&c, ".account-row", "data-tenant", ascending).await;
        click(&c, "#billing-sort-balance").await;
        find(&c, "th[aria-sort='descending'] #billing-sort-balance").await;
        wait_for_attrs(&c, ".account-row", "data-tenant", descending).await;

        // Each status keeps only its accounts.
        for (status, slugs) in by_status {
            choose(&c, "#billing-status", status).await;
            wait_for_attrs(&c, ".account-row", "data-tenant", slugs).await;
            let shown = attrs(&c, ".account-row .account-status", "data-status").await;
            assert!(shown.iter().all(|s| s == status), "{status}: {shown:?}");
        }
    })
    .await;
}

async fn staff_create_edit_and_delete_an_llm_project(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let admin = app.admin_tokens().await;
    let token = admin.access_token.clone();
    app.create_tenant(&token, "acme", "pro").await;
    let app = &app;
    let token = &token;

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/llm").await;
        find(&c, "#llm-projects").await;
        click(&c, "#new-llm-project").await;
        // The shared rules answer before anything is sent.
        click(&c, "#create-llm-project").await;
        find(&c, ".modal .field-error").await;
        retype(&c, "#new-project-tenant", "acme").await;
        retype(&c, "#new-project-name", "Support bot").await;
        retype(&c, "#new-project-description", "Answers tickets").await;
        retype(&c, "#new-project-prompt", "Be brief.").await;
        click(&c, "#create-llm-project").await;

        // The new project's page opens.
        wait_for_text(&c, "#project-title", "Support bot").await;
        wait_for_text(&c, "#project-tenant", "acme").await;
        let url = c.current_url().await.unwrap();
        let id = url.path().rsplit('/').next().unwrap().to_owned();
        let path = format!("/admin/api/llm/projects/{id}");
        let held: Value = json_ok(app.get(&path, Some(token)).await, 200).await;
        assert_eq!(held["prompt"], "Be brief.", "{held}");
        assert_eq!(held["status"], "active", "{held}");

        // Rename and pause it.
        retype(&c, "#project-name", "Support assistant").await;
        choose(&c, "#project-status", "paused").await;
        click(&c, "#save-project").await;
        wait_for_text(&c, "#project-details", "Support assistant").await;
        wait_for_text(&c, ".alert", "Project saved.").await;
        let held: Value = json_ok(app.get(&path, Some(token)).await, 200).await;
        assert_eq!(held["name"], "Support assistant", "{held}");
        assert_eq!(held["status"], "paused", "{held}");

        // An agent prompt, listed and held.
        retype(&c, "#agent-type", "triage").await;
        retype(&c, "#agent-content", "Sort tickets by urgency.").await;
        click(&c, "#save-agent").await;
        find(&c, ".agent-row[data-agent-type='triage']").await;
        let agents: Value =
            json_ok(app.get(&format!("{path}/agents"), Some(token)).await, 200).await;
        assert!(
            agents.to_string().contains("Sort tickets by urgency."),
            "{agents}"
        );

        // The list finds it among paused projects; then delete it from its page.
        click(&c, "a.nav-link[href='/platform/llm']").await;
        choose(&c, "#llm-projects-status", "paused").await;
        wait_for_count(&c, ".project-row", 1).await;
        wait_for_text(&c, ".project-row", "Support assistant").await;
        click(&c, ".project-row a").await;
        click(&c, "#delete-project").await;
        click(&c, "#confirm-delete-project").await;
        find(&c, "#llm-projects").await;
        assert_eq!(app.get(&path, Some(token)).await.status().as_u16(), 404);
    })
    .await;
}

async fn what_cannot_be_loaded_is_said_with_a_way_back(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let admin = app.admin_tokens().await;
    let missing = Uuid::new_v4();
    let token = admin.access_token.as_str();
    assert_eq!(app.get_tenant(token, "nobody").await.status().as_u16(), 404);
    let project = format!("/admin/api/llm/projects/{missing}");
    assert_eq!(app.get(&project, Some(token)).await.status().as_u16(), 404);
    let app = &app;

    with_browser(|c| async move {
        admin_opens(&c, app, "/platform/tenants").await;
        find(&c, "#tenants-table").await;
        // Typed addresses of things that do not exist: the failure, and the way back.
        c.goto(&format!("{}/platform/tenants/nobody", app.address))
            .await
            .unwrap();
        wait_for_text(&c, ".alert-title", "This could not be loaded").await;
        let said = find(&c, ".alert-body").await.text().await.unwrap();
        assert!(!said.trim().is_empty(), "the reason is given");
        click(&c, "a[href='/platform/tenants'].btn").await;
        wait_for_path(&c, "/platform/tenants").await;
        find(&c, "#tenants-table").await;

        c.goto(&format!("{}/platform/llm/projects/{missing}", app.address))
            .await
            .unwrap();
        wait_for_text(&c, ".alert-title", "This could not be loaded").await;
        click(&c, ".back-link a").await;
        wait_for_path(&c, "/platform/llm").await;
        find(&c, "#llm-projects").await;
    })
    .await;
}
