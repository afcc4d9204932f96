//! The licensing pages of the built SPA against the real API in headless Chromium: a
//! super admin creates a tenant, copies its codes, generates and revokes codes, and
//! deletes the tenant after reading what deletion removes. What the pages show is
//! checked against the API.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;
use tessera_domain::code::{CODE_ALPHABET, CodeView};
use tessera_domain::device::DeviceView;
use tessera_domain::page::Paged;
use tessera_domain::plan::{PlanView, auto_code_count};
use tessera_tests::browser::{
    choose, click, find, retype, sign_in_as_admin, spawn_spa_app, wait_for_count, wait_for_path,
    wait_for_text, with_browser,
};
use tessera_tests::*;

on_both_databases!(a_super_admin_creates_a_tenant_issues_and_revokes_codes_and_deletes_it);

/// Waits up to ten seconds until an element's `attr` equals `value`.
async fn wait_for_attr(c: &Client, css: &str, attr: &str, value: &str) {
    let mut last = None;
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.attr(attr).await.ok().flatten();
            if last.as_deref() == Some(value) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}[{attr}] never became {value:?}; last was {last:?}");
}

/// Waits up to ten seconds until the element is enabled (`true`) or disabled (`false`).
async fn wait_until_enabled(c: &Client, css: &str, enabled: bool) {
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && el.is_enabled().await.ok() == Some(enabled)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{css} never became {}",
        if enabled { "enabled" } else { "disabled" }
    );
}

/// Waits up to ten seconds until no element matching `css` contains `needle`.
async fn wait_for_absence(c: &Client, css: &str, needle: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if !last.contains(needle) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} still contains {needle:?}: {last:?}");
}

async fn texts(elements: &[fantoccini::elements::Element]) -> Vec<String> {
    let mut out = Vec::new();
    for el in elements {
        out.push(el.text().await.unwrap().trim().to_owned());
    }
    out
}

/// `XXXX-XXXX-XXXX-XXXX` over the code alphabet.
fn assert_code_format(code: &str) {
    let groups: Vec<&str> = code.split('-').collect();
    assert_eq!(groups.len(), 4, "{code}");
    for g in groups {
        assert_eq!(g.len(), 4, "{code}");
        assert!(g.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
    }
}

async fn a_super_admin_creates_a_tenant_issues_and_revokes_codes_and_deletes_it(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let app = &app;
    let admin = app.admin_tokens().await.access_token;
    let admin = admin.as_str();
    let slug = format!("acme-{}", unique());
    let slug = slug.as_str();
    let plans: Vec<PlanView> = json_ok(app.get("/api/plans", None).await, 200).await;
    let pro = plans
        .iter()
        .find(|p| p.code == "pro")
        .expect("the pro plan");
    let auto_codes = auto_code_count(pro.project_quota) as usize;
    // Another customer with an activated device, so every key figure is non-zero.
    let seed = app
        .create_tenant(admin, &format!("seed-{}", unique()), "enterprise")
        .await;
    let seeded = app.activate(&seed.codes[0].code, "fp-seed").await;
    assert_eq!(seeded.status().as_u16(), 201);

    with_browser(|c| async move {
        // Sign in; the staff dashboard shows the API's own figures.
        sign_in_as_admin(&c, &app.address).await;
        let figures = app.dashboard(admin).await;
        let tenants_kpi =
            wait_for_text(&c, "#kpi-tenants .kpi-value", &figures.tenants.to_string()).await;
        assert_eq!(tenants_kpi, figures.tenants.to_string());
        assert!(figures.tenants > 0 && figures.active_codes > 0 && figures.activations_today > 0);
        for (id, value) in [
            ("kpi-active-codes", figures.active_codes),
            ("kpi-devices", figures.devices),
            ("kpi-activations-today", figures.activations_today),
        ] {
            let shown = find(&c, &format!("#{id} .kpi-value"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(shown, value.to_string(), "{id}");
        }

        // The tenant list, from the navigation.
        click(&c, "nav a[href='/platform/tenants']").await;
        wait_for_path(&c, "/platform/tenants").await;
        wait_for_text(&c, "#tenants-table", "system").await;
        find(&c, "nav[aria-label='Breadcrumb']").await;

        // The form checks its fields with the server's rules before sending anything.
        click(&c, "#new-tenant").await;
        retype(&c, "#tenant-slug", "Not A Slug!").await;
        click(&c, "#tenant-create-submit").await;
        wait_for_text(&c, ".modal", "Slug may contain only lowercase letters").await;
        wait_for_text(&c, ".modal", "Plan is required").await;
        let listed: Paged<Value> = json_ok(app.list_tenants(admin, "").await, 200).await;
        assert_eq!(listed.total, 2, "an invalid form must not reach the server");

        // A valid tenant: its auto-generated codes are shown once, in plaintext.
        retype(&c, "#tenant-slug", slug).await;
        retype(&c, "#tenant-name", "Acme Browser Corp").await;
        retype(&c, "#tenant-email", "ops@acme.test").await;
        choose(&c, "#tenant-plan", "pro").await;
        click(&c, "#tenant-create-submit").await;
        wait_for_text(&c, "#tenant-created", slug).await;
        let shown = texts(&wait_for_count(&c, ".generated-code", auto_codes).await).await;
        shown.iter().for_each(|code| assert_code_format(code));
        assert_eq!(
            c.find_all(Locator::Css(".copy-code")).await.unwrap().len(),
            auto_codes
        );
        find(&c, "#copy-all-codes").await;
        find(&c, "#download-codes").await;
        let stored: Paged<CodeView> =
            json_ok(app.list_codes(admin, &format!("tenant={slug}")).await, 200).await;
        let mut stored_prefixes: Vec<String> =
            stored.items.iter().map(|c| c.prefix.clone()).collect();
        let mut shown_prefixes: Vec<String> = shown.iter().map(|c| c[..4].to_owned()).collect();
        stored_prefixes.sort();
        shown_prefixes.sort();
        assert_eq!(
            stored_prefixes, shown_prefixes,
            "the page shows the codes the API stored"
        );
        click(&c, "#tenant-created-done").await;

        // The list now has it. Sorting by name asks the server: "Acme…" before
        // "Tessera platform", then the other way round.
        wait_for_text(&c, "#tenants-table", slug).await;
        click(&c, "#sort-name").await;
        wait_for_attr(&c, ".tenant-row:first-child", "data-slug", slug).await;
        click(&c, "#sort-name").await;
        wait_for_attr(&c, ".tenant-row:first-child", "data-slug", "system").await;
        wait_for_attr(
            &c,
            "th[aria-sort='descending'] #sort-name",
            "id",
            "sort-name",
        )
        .await;
        // The debounced search narrows the table to it.
        retype(&c, "#tenant-search", slug).await;
        let rows = wait_for_count(&c, ".tenant-row", 1).await;
        assert!(rows[0].text().await.unwrap().contains("Acme Browser Corp"));
        wait_for_text(&c, ".pager", "Showing 1–1 of 1 tenants").await;
        let next = find(&c, ".pager-next").await;
        assert_eq!(next.text().await.unwrap(), "Next →");
        assert!(!next.is_enabled().await.unwrap(), "one page: nothing next");

        // Its page: details and an active subscription on its plan.
        click(&c, ".tenant-link").await;
        wait_for_path(&c, &format!("/platform/tenants/{slug}")).await;
        wait_for_text(&c, "#tenant-detail-name", "Acme Browser Corp").await;
        let period = wait_for_count(&c, ".subscription-row", 1).await;
        let period = period[0].text().await.unwrap();
        assert!(
            period.contains("Pro") && period.contains("Active") && period.contains("Current"),
            "{period}"
        );
        // Rename it: the details follow, and so does the API.
        retype(&c, "#edit-name", "Acme Renamed Corp").await;
        click(&c, "#tenant-save").await;
        wait_for_text(&c, "#tenant-edit", "Saved.").await;
        wait_for_text(&c, "#tenant-detail-name", "Acme Renamed Corp").await;
        let stored: Value = json_ok(app.get_tenant(admin, slug).await, 200).await;
        assert_eq!(stored["name"], "Acme Renamed Corp");
        // Its usage events, read through the staff endpoint: none yet.
        wait_for_text(&c, "#usage-events-panel", "No usage events yet").await;
        // Cancel the subscription: the Pro period ends and a canceled one is current.
        choose(&c, "#subscription-status", "canceled").await;
        click(&c, "#subscription-change-submit").await;
        let periods = wait_for_count(&c, ".subscription-row", 2).await;
        let current = periods[0].text().await.unwrap();
        assert!(
            current.contains("Pro") && current.contains("Canceled") && current.contains("Current"),
            "{current}"
        );
        // Back up to the header, as a person would (the top bar stays over the page).
        c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();

        // Its codes; generate two more, shown once.
        click(&c, "#tenant-codes-link").await;
        wait_for_path(&c, "/platform/codes").await;
        wait_for_count(&c, ".code-row", auto_codes).await;
        click(&c, "#generate-codes").await;
        let tenant_field = find(&c, "#codes-tenant").await.prop("value").await.unwrap();
        assert_eq!(
            tenant_field.as_deref(),
            Some(slug),
            "the dialog starts with the filtered tenant"
        );
        retype(&c, "#codes-count", "2").await;
        retype(&c, "#codes-label", "Browser batch").await;
        click(&c, "#codes-submit").await;
        let fresh = texts(&wait_for_count(&c, ".generated-code", 2).await).await;
        fresh.iter().for_each(|code| assert_code_format(code));
        // The plaintext on screen is a real code: a device activates with it.
        let activated = app.activate(&fresh[0], "fp-browser-1").await;
        assert_eq!(activated.status().as_u16(), 201);
        click(&c, "#codes-done").await;
        wait_for_count(&c, ".code-row", auto_codes + 2).await;

        // Revoke the other new code, after confirming.
        let prefix = &fresh[1][..4];
        let row = format!("tr.code-row[data-prefix='{prefix}']");
        click(&c, &format!("{row} .revoke-code")).await;
        wait_for_text(&c, ".modal", &format!("Revoke code {prefix}")).await;
        click(&c, "#confirm-revoke").await;
        wait_for_attr(&c, &row, "data-status", "revoked").await;
        wait_for_text(&c, &row, "Revoked").await;
        let revoked: Paged<CodeView> = json_ok(
            app.list_codes(admin, &format!("tenant={slug}&status=revoked"))
                .await,
            200,
        )
        .await;
        assert_eq!(revoked.total, 1);
        assert_eq!(revoked.items[0].prefix, prefix);

        // The device the code activated is listed on the devices page.
        click(&c, "nav a[href='/platform/devices']").await;
        wait_for_path(&c, "/platform/devices").await;
        retype(&c, "#devices-tenant-filter", slug).await;
        let devices = wait_for_count(&c, ".device-row", 1).await;
        assert!(
            devices[0]
                .text()
                .await
                .unwrap()
                .contains("Device fp-browser-1")
        );
        let listed: Paged<DeviceView> = json_ok(
            app.list_devices(admin, &format!("tenant={slug}")).await,
            200,
        )
        .await;
        assert_eq!(listed.total, 1);
        // Staff revoke it after confirming; the status filter finds it among the revoked
        // and not among the active.
        click(&c, ".device-row .revoke-device").await;
        click(&c, "#confirm-revoke").await;
        wait_for_text(&c, ".device-row", "Revoked").await;
        choose(&c, "#devices-status-filter", "active").await;
        wait_for_count(&c, ".device-row", 0).await;
        choose(&c, "#devices-status-filter", "revoked").await;
        wait_for_count(&c, ".device-row", 1).await;
        let revoked: Paged<DeviceView> = json_ok(
            app.list_devices(admin, &format!("tenant={slug}&status=revoked"))
                .await,
            200,
        )
        .await;
        assert_eq!(revoked.total, 1);

        // Deletion: the dialog shows exactly what the API counts, and waits for the slug.
        c.goto(&format!("{}/platform/tenants/{slug}", app.address))
            .await
            .unwrap();
        click(&c, "#delete-tenant").await;
        wait_for_text(
            &c,
            ".impact-count[data-key='activation_codes']",
            &(auto_codes + 2).to_string(),
        )
        .await;
        let impact = serde_json::to_value(app.deletion_impact(admin, slug).await).unwrap();
        let counts = c.find_all(Locator::Css(".impact-count")).await.unwrap();
        assert_eq!(
            counts.len(),
            impact.as_object().unwrap().len(),
            "every count is listed"
        );
        for el in counts {
            let key = el.attr("data-key").await.unwrap().unwrap();
            let shown = el.text().await.unwrap();
            assert_eq!(shown, impact[&key].to_string(), "{key}");
        }
        assert_eq!(impact["devices"], 1);
        assert_eq!(
            impact["subscriptions"], 2,
            "the Pro period and the canceled one"
        );
        assert_eq!(
            c.find_all(Locator::Css(".impact-steps li"))
                .await
                .unwrap()
                .len(),
            5
        );
        wait_for_text(&c, ".modal", "one transaction").await;
        wait_until_enabled(&c, "#delete-confirm-submit", false).await;
        retype(&c, "#delete-confirm-input", &slug[..slug.len() - 1]).await;
        wait_until_enabled(&c, "#delete-confirm-submit", false).await;
        find(&c, "#delete-confirm-input")
            .await
            .send_keys(&slug[slug.len() - 1..])
            .await
            .unwrap();
        wait_until_enabled(&c, "#delete-confirm-submit", true).await;
        click(&c, "#delete-confirm-submit").await;

        // Back on the list, which no longer has it.
        wait_for_path(&c, "/platform/tenants").await;
        wait_for_text(&c, ".alert-success", slug).await;
        wait_for_text(&c, "#tenants-table", "system").await;
        wait_for_absence(&c, "#tenants-table", slug).await;
        assert_eq!(app.get_tenant(admin, slug).await.status().as_u16(), 404);
        let left: Paged<CodeView> =
            json_ok(app.list_codes(admin, &format!("tenant={slug}")).await, 200).await;
        assert_eq!(left.total, 0);
    })
    .await;
}
