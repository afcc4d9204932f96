//! The billing pages of the built SPA against the real API in headless Chromium.

use chrono::{Datelike, Utc};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tessera_tests::billing::{FakeProvider, WEBHOOK_SECRET, stripe_signature};
use tessera_tests::browser::{
    click, find, sign_in, spawn_spa_app, wait_for_count, wait_for_path, wait_for_text, with_browser,
};
use tessera_tests::*;

on_both_databases!(
    staff_adjust_a_low_reserve_see_the_ledger_and_badge_change_and_export_csv,
    an_org_admin_sees_the_reserve_and_opens_a_pending_top_up,
    with_a_provider_a_top_up_links_to_checkout_and_shows_completed_once_paid,
);

/// Waits up to ten seconds until no element matches `css`.
async fn wait_for_none(c: &Client, css: &str) {
    for _ in 0..100 {
        if c.find_all(Locator::Css(css)).await.unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never went away");
}

/// Sets a date input the way a person's pick does: the value, then an `input` event.
async fn pick_date(c: &Client, css: &str, day: &str) {
    c.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(css), json!(day)],
    )
    .await
    .unwrap();
}

async fn staff_adjust_a_low_reserve_see_the_ledger_and_badge_change_and_export_csv(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "gus@globex.test", "gus").await;
    let admin = app.admin_tokens().await;
    let token = admin.access_token.clone();
    let reason = "Goodwill credit for the outage";
    let acme = r#".account-row[data-tenant="acme"]"#;
    let address = app.address.clone();
    // The platform's own tenant has a reserve too: count from the API, not by hand.
    let summary: Value = json_ok(
        app.get("/api/billing/admin/reserve/summary", Some(&token))
            .await,
        200,
    )
    .await;
    let low = summary["low_balance_count"].as_i64().unwrap();
    assert!(low >= 2, "{summary}");

    with_browser(|c| async move {
        sign_in(&c, &address, ADMIN_EMAIL, ADMIN_PASSWORD, "").await;
        find(&c, r#"a.nav-link[href="/platform/billing"]"#)
            .await
            .click()
            .await
            .unwrap();
        wait_for_path(&c, "/platform/billing").await;
        wait_for_text(&c, ".breadcrumbs", "Billing").await;

        // The range defaults to this month (UTC) and drives every figure on the page.
        let today = Utc::now().date_naive();
        let first = today.with_day(1).unwrap().to_string();
        let from = find(&c, "#billing-from").await.prop("value").await.unwrap();
        assert_eq!(from.as_deref(), Some(first.as_str()));
        let to = find(&c, "#billing-to").await.prop("value").await.unwrap();
        assert_eq!(to, Some(today.to_string()));

        // Five summary cards, as the API counts them: acme and globex are both low.
        let low_card = r#".summary-card[data-metric="low_balance"] .kpi-value"#;
        wait_for_text(&c, low_card, &low.to_string()).await;
        let cards = c.find_all(Locator::Css(".summary-card")).await.unwrap();
        assert_eq!(cards.len(), 5);
        wait_for_text(&c, r#".summary-card[data-metric="total_reserves"]"#, "0.00 USD").await;

        // A backwards range is refused inline, like the server would.
        pick_date(&c, "#billing-from", "2999-01-01").await;
        wait_for_text(&c, "#billing-range-error", "must not be after").await;
        pick_date(&c, "#billing-from", &first).await;
        wait_for_none(&c, "#billing-range-error").await;

        // acme's fresh reserve is below the default threshold.
        wait_for_text(&c, &format!("{acme} .account-status"), "Low balance").await;
        let status = find(&c, &format!("{acme} .account-status")).await;
        assert_eq!(status.attr("data-status").await.unwrap().as_deref(), Some("low_balance"));

        // Adjust: the shared rules answer inline before anything is sent.
        find(&c, &format!("{acme} .open-adjust")).await.click().await.unwrap();
        find(&c, "#adjust-submit").await.click().await.unwrap();
        wait_for_text(&c, ".modal .field-error", "Amount is required").await;
        wait_for_text(&c, ".modal", "Reason is required").await;
        find(&c, "#adjust-amount").await.send_keys("+50.00").await.unwrap();
        find(&c, "#adjust-reason").await.send_keys(reason).await.unwrap();
        wait_for_text(&c, "#adjust-preview", "the balance becomes 50.00 USD").await;
        // Two submits in the same instant (a double click) still make one entry.
        c.execute(
            "const f = document.querySelector('#adjust-form'); f.requestSubmit(); f.requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
        wait_for_text(&c, "#billing-notice", "New balance: 50.00 USD").await;
        wait_for_none(&c, "#adjust-form").await;

        // The row's badge turns active, and the summary follows.
        wait_for_text(&c, &format!("{acme} .account-status"), "Active").await;
        wait_for_text(&c, &format!("{acme} .account-balance"), "50.00 USD").await;
        wait_for_text(&c, low_card, &(low - 1).to_string()).await;

        // The ledger dialog lists the entry.
        find(&c, &format!("{acme} .open-ledger")).await.click().await.unwrap();
        let entry = wait_for_text(&c, ".ledger-entry", "+50.00 USD").await;
        assert!(entry.contains(reason), "{entry}");
        assert!(entry.contains("Adjustment"), "{entry}");
        let entries = c.find_all(Locator::Css(".ledger-entry")).await.unwrap();
        assert_eq!(entries.len(), 1);
        wait_for_text(&c, "#ledger-balance", "50.00 USD").await;
        find(&c, ".modal-footer .btn-secondary").await.click().await.unwrap();
        wait_for_none(&c, ".ledger-entry").await;

        // A threshold above the 50.00 USD balance makes acme's reserve low again.
        find(&c, &format!("{acme} .edit-threshold")).await.click().await.unwrap();
        let amount = find(&c, "#threshold-amount").await;
        amount.clear().await.unwrap();
        amount.send_keys("75.00").await.unwrap();
        find(&c, "#threshold-submit").await.click().await.unwrap();
        wait_for_text(&c, "#billing-notice", "threshold is now 75.00 USD").await;
        wait_for_none(&c, "#threshold-form").await;
        wait_for_text(&c, &format!("{acme} .account-status"), "Low balance").await;
        wait_for_text(&c, low_card, &low.to_string()).await;

        // The export works through the authorised client and reports no error.
        find(&c, "#export-csv").await.click().await.unwrap();
        wait_for_text(&c, "#export-result", "Exported").await;
        assert!(
            c.find_all(Locator::Css("#export-error, .alert-error")).await.unwrap().is_empty(),
            "the export showed an error"
        );
    })
    .await;

    // The API agrees: one adjustment by the admin, and the CSV holds the new balance.
    let ledger = app.whole_ledger(&token, "acme").await;
    assert_eq!(
        ledger.len(),
        1,
        "a double submit wrote two entries: {ledger:?}"
    );
    let entry = &ledger[0];
    assert_eq!(entry["kind"], "adjustment");
    assert_eq!(entry["amount_cents"], 5000);
    assert_eq!(entry["balance_after_cents"], 5000);
    assert_eq!(entry["reason"], reason);
    assert_eq!(entry["actor_id"], json!(admin.user.id));
    assert!(app.whole_ledger(&token, "globex").await.is_empty());

    let res = app
        .get("/api/billing/admin/accounts/export.csv", Some(&token))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let csv = res.text().await.unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("acme,"))
        .unwrap_or_else(|| panic!("no acme row in {csv}"));
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields[2], "5000", "{row}");
    assert_eq!(
        fields[5], "low_balance",
        "below its 75.00 USD threshold: {row}"
    );
}

async fn an_org_admin_sees_the_reserve_and_opens_a_pending_top_up(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let credited: Value = json_ok(
        app.adjust(&admin.access_token, "acme", 250, "Welcome credit", None)
            .await,
        201,
    )
    .await;
    assert_eq!(credited["balance_after_cents"], 250);
    let address = app.address.clone();
    let app = std::sync::Arc::new(app);
    let reporter = app.clone();
    let owner_token = owner.access_token.clone();

    with_browser(|c| async move {
        sign_in(&c, &address, "ada", "correct-horse-1", "Org acme").await;
        find(&c, r#"a.nav-link[href="/org/billing"]"#)
            .await
            .click()
            .await
            .unwrap();
        wait_for_path(&c, "/org/billing").await;
        wait_for_text(&c, "#reserve-balance", "2.50 USD").await;
        wait_for_text(&c, "#reserve-status", "Low balance").await;
        wait_for_text(&c, ".reserve-entry", "Welcome credit").await;
        wait_for_text(&c, "#usage-panel", "No usage in the last 30 days").await;
        wait_for_text(&c, "#usage-events-panel", "No usage events yet").await;

        // The shared rule refuses a negative amount before anything is sent.
        find(&c, "#topup-amount")
            .await
            .send_keys("-5")
            .await
            .unwrap();
        find(&c, "#topup-submit").await.click().await.unwrap();
        wait_for_text(&c, "#topup .field-error", "must be positive").await;

        let amount = find(&c, "#topup-amount").await;
        amount.clear().await.unwrap();
        amount.send_keys("25.00").await.unwrap();
        find(&c, "#topup-submit").await.click().await.unwrap();
        let result = wait_for_text(&c, "#topup-result", "25.00 USD").await;
        assert!(result.contains("Pending"), "{result}");
        assert!(
            result.contains("Online payment is not configured"),
            "{result}"
        );
        assert!(
            c.find_all(Locator::Css("#topup-checkout"))
                .await
                .unwrap()
                .is_empty()
        );

        // Reported usage: summed per kind, and listed one by one, a slice at a time.
        let now = Utc::now().to_rfc3339();
        let events: Vec<Value> = (0..25)
            .map(|i| {
                json!({"event_id": format!("ev-{i}"), "kind": "llm_call", "tokens": 4,
                            "duration_ms": 40, "success": i != 24, "occurred_at": now})
            })
            .collect();
        json_ok::<Value>(reporter.send_usage(&owner_token, &json!(events)).await, 200).await;
        c.goto(&format!("{address}/org/billing")).await.unwrap();
        wait_for_text(&c, r#".usage-row[data-kind="llm_call"]"#, "100").await;
        wait_for_count(&c, ".usage-event", 20).await;
        click(&c, "#usage-events-load-more").await;
        wait_for_count(&c, ".usage-event", 25).await;
        wait_for_text(&c, "#usage-events-end", "That is everything.").await;
        let failed = find(&c, r#".usage-event[data-event-id="ev-24"]"#).await;
        let text = failed.text().await.unwrap();
        assert!(text.contains("Failed") && text.contains("40 ms"), "{text}");
    })
    .await;

    // A pending top-up credits nothing until the provider confirms it.
    let reserve: Value = json_ok(
        app.get("/api/billing/reserve", Some(&owner.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(reserve["balance_cents"], 250);
    assert_eq!(reserve["online_payment"], false);
}

async fn with_a_provider_a_top_up_links_to_checkout_and_shows_completed_once_paid(b: Backend) {
    let provider = FakeProvider::start(200).await;
    let app = spawn_spa_app(
        b,
        &[
            ("TESSERA_STRIPE_SECRET_KEY", "sk_test_tessera"),
            ("TESSERA_STRIPE_API_BASE", provider.url.as_str()),
            ("TESSERA_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ],
    )
    .await;
    app.register("acme", "ada@acme.test", "ada").await;
    let address = app.address.clone();
    let app = std::sync::Arc::new(app);
    let hooks = app.clone();

    with_browser(|c| async move {
        sign_in(&c, &address, "ada", "correct-horse-1", "Org acme").await;
        c.goto(&format!("{address}/org/billing")).await.unwrap();
        wait_for_text(&c, "#top-up-list", "No top-ups yet").await;
        assert!(
            c.find_all(Locator::Css("#topup-offline-note"))
                .await
                .unwrap()
                .is_empty(),
            "payment is online"
        );
        find(&c, "#topup-amount")
            .await
            .send_keys("40")
            .await
            .unwrap();
        find(&c, "#topup-submit").await.click().await.unwrap();
        let link = find(&c, "#topup-checkout").await;
        assert_eq!(
            link.attr("href").await.unwrap().as_deref(),
            Some("https://checkout.test/pay/cs_test_1")
        );
        wait_for_text(&c, "tr.top-up[data-status=pending]", "40.00 USD").await;

        // The provider confirms; back from checkout, the page says so and lists it paid.
        let id = provider.calls()[0]
            .field("metadata[top_up_id]")
            .expect("the top-up id in the session metadata")
            .to_owned();
        let payload = json!({"id": "evt_b1", "type": "checkout.session.completed",
            "data": {"object": {"metadata": {"top_up_id": id}}}})
        .to_string();
        let sig = stripe_signature(WEBHOOK_SECRET, Utc::now().timestamp(), &payload);
        json_ok::<Value>(hooks.webhook(&payload, &sig).await, 200).await;
        c.goto(&format!("{address}/org/billing?top_up={id}&checkout=done"))
            .await
            .unwrap();
        wait_for_text(&c, "#checkout-returned", "Payment sent").await;
        wait_for_text(&c, "tr.top-up[data-status=completed]", "40.00 USD").await;
        wait_for_text(&c, "#reserve-balance", "40.00 USD").await;
    })
    .await;
}
