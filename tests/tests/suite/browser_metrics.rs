//! The metrics pages and the dashboard's live feed of the built SPA against the real API
//! in headless Chromium: a super admin reads the executive KPIs and cohort table, adds an
//! alert rule and sees its alert, then watches an activation made through the API arrive
//! on the dashboard — also after the stream broke once its access token had expired. The
//! metrics page shows a snapshot taken elsewhere without being asked.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tessera_tests::browser::{
    choose, click, find, sign_in_as_admin, spawn_spa_app, wait_for_path, wait_for_text,
    with_browser,
};
use tessera_tests::process::TcpProxy;
use tessera_tests::*;

on_both_databases!(
    staff_read_the_metrics_and_see_an_activation_arrive_live,
    the_live_feed_reconnects_with_a_fresh_token_after_its_token_expired,
    the_metrics_page_reloads_a_newer_snapshot_by_itself,
);

async fn type_into(c: &Client, css: &str, text: &str) {
    find(c, css).await.send_keys(text).await.unwrap();
}

async fn staff_read_the_metrics_and_see_an_activation_arrive_live(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let app = &app;
    // A tenant signed up this month, so there is a cohort to show.
    let slug = format!("acme-{}", unique());
    let slug = slug.as_str();
    app.register(slug, &format!("ada@{slug}.test"), &format!("ada-{slug}"))
        .await;
    let admin = app.admin_tokens().await.access_token;
    let code = app.one_code(&admin, slug, 3).await;
    // The snapshot taken at start-up predates the sign-up: take a new one.
    let recomputed = app
        .post(
            "/api/system/metrics/recompute",
            &serde_json::json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(recomputed.status().as_u16(), 200);
    let fingerprint = format!("fp-live-{}", unique());
    let fingerprint = fingerprint.as_str();

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        wait_for_path(&c, "/").await;

        // Executive metrics: every KPI card, the cohort heat map and when it was computed.
        click(&c, "nav a[href='/platform/metrics']").await;
        wait_for_path(&c, "/platform/metrics").await;
        let mrr = find(&c, ".kpi-card[data-metric='mrr_cents']").await;
        assert!(mrr.text().await.unwrap().contains("MRR"));
        let cards = c
            .find_all(Locator::Css(".kpi-card[data-metric]"))
            .await
            .unwrap();
        assert_eq!(cards.len(), 12, "one card per business KPI");
        find(&c, "#cohort-table").await;
        let cells = c.find_all(Locator::Css(".cohort-cell")).await.unwrap();
        assert!(!cells.is_empty(), "the new tenant's cohort has a cell");
        let computed = find(&c, "#metrics-computed-at").await.text().await.unwrap();
        assert!(computed.ends_with("UTC"), "computed at {computed:?}");
        // Refresh recomputes and reloads without an error.
        click(&c, "#metrics-refresh").await;
        wait_for_text(&c, "#metrics-refresh", "Refresh").await;
        find(&c, ".kpi-card[data-metric='mrr_cents']").await;
        // An earlier month shows its own figures, then back to this month.
        let this_month = chrono::Utc::now().format("%Y-%m").to_string();
        wait_for_text(&c, ".metrics-meta", &format!("Period {this_month}")).await;
        let earlier = find(&c, "#metrics-period option:nth-child(2)")
            .await
            .attr("value")
            .await
            .unwrap()
            .expect("a month");
        let picker = find(&c, "#metrics-period").await;
        picker.select_by_value(&earlier).await.unwrap();
        wait_for_text(&c, ".metrics-meta", &format!("Period {earlier}")).await;
        find(&c, ".kpi-card[data-metric='mrr_cents']").await;
        let refresh = find(&c, "#metrics-refresh").await;
        assert!(
            !refresh.is_enabled().await.unwrap(),
            "only this month recomputes"
        );
        choose(&c, "#metrics-period", "").await;
        wait_for_text(&c, ".metrics-meta", &format!("Period {this_month}")).await;

        // The rule editor: the shared rule refuses a row without a value before any
        // request; `requests_total > 0` always breaches, so its alert appears on saving.
        find(&c, "#thresholds-empty").await;
        click(&c, "#add-threshold").await;
        choose(
            &c,
            ".threshold-row:last-child .threshold-metric",
            "requests_total",
        )
        .await;
        let row = ".threshold-row[data-metric='requests_total']";
        choose(&c, &format!("{row} .threshold-severity"), "critical").await;
        click(&c, "#save-thresholds").await;
        wait_for_text(&c, ".threshold-error", "Value must be a number").await;
        type_into(&c, &format!("{row} .threshold-value"), "0").await;
        click(&c, "#save-thresholds").await;
        wait_for_text(&c, "#thresholds-result", "Saved 1 rule").await;
        let alert = wait_for_text(
            &c,
            "#metrics-alerts .metric-alert[data-metric='requests_total']",
            "critical",
        )
        .await;
        assert!(alert.contains("> 0"), "the alert names its rule: {alert}");
        assert!(
            c.find_all(Locator::Css(".threshold-error"))
                .await
                .unwrap()
                .is_empty(),
            "no error is left after a save"
        );

        // The analytics page draws both charts.
        click(&c, "nav a[href='/platform/analytics']").await;
        wait_for_path(&c, "/platform/analytics").await;
        find(&c, "#analytics-from").await;
        find(&c, "#activations-chart").await;
        find(&c, "#plans-chart").await;

        // The dashboard's live feed shows an activation made while it is open.
        click(&c, "nav a[href='/']").await;
        wait_for_path(&c, "/").await;
        find(&c, "#live-feed").await;
        wait_for_text(&c, "#live-state", "Live").await;
        let activated = app.activate(&code, fingerprint).await;
        assert_eq!(activated.status().as_u16(), 201);
        let feed = wait_for_text(&c, "#live-feed", fingerprint).await;
        assert!(feed.contains(slug), "the feed names the tenant: {feed}");
        let first = find(&c, "#live-feed .live-event").await;
        assert_eq!(
            first.attr("data-kind").await.unwrap().as_deref(),
            Some("activation")
        );
    })
    .await;

    let rules: Value = json_ok(
        app.get("/api/system/metrics/thresholds", Some(&admin))
            .await,
        200,
    )
    .await;
    assert_eq!(
        rules,
        json!([{"metric": "requests_total", "operator": "gt", "value": 0.0, "severity": "critical"}])
    );
}

/// The stream carries its access token in the URL. Once that token has expired, a broken
/// connection cannot come back by the browser's own retry (the server refuses the stale
/// token): the feed renews the session and reopens the stream itself.
async fn the_live_feed_reconnects_with_a_fresh_token_after_its_token_expired(b: Backend) {
    // Two seconds, plus the server's five seconds of leeway.
    let app = spawn_spa_app(b, &[("TESSERA_ACCESS_TOKEN_TTL_SECS", "2")]).await;
    let app = &app;
    // The browser reaches the server through a relay that can drop its connections.
    let proxy = TcpProxy::start(&format!("127.0.0.1:{}", app.port)).await;
    let proxy = &proxy;
    let slug = format!("live-{}", unique());
    let slug = slug.as_str();
    app.register(slug, &format!("ada@{slug}.test"), &format!("ada-{slug}"))
        .await;
    let admin = app.admin_tokens().await.access_token;
    let code = app.one_code(&admin, slug, 1).await;
    let code = code.as_str();

    with_browser(|c| async move {
        sign_in_as_admin(&c, &format!("http://{}", proxy.addr)).await;
        wait_for_path(&c, "/").await;
        wait_for_text(&c, "#live-state", "Live").await;

        tokio::time::sleep(Duration::from_secs(8)).await;
        proxy.cut();
        wait_for_text(&c, "#live-state", "Reconnecting").await;
        proxy.restore().await;
        wait_for_text(&c, "#live-state", "Live").await;

        let fingerprint = format!("fp-again-{}", unique());
        let activated = app.activate(code, &fingerprint).await;
        assert_eq!(activated.status().as_u16(), 201);
        wait_for_text(&c, "#live-feed", &fingerprint).await;
        // The session went on: the page still shows the signed-in person.
        find(&c, "#current-user-name").await;
    })
    .await;
}

async fn the_metrics_page_reloads_a_newer_snapshot_by_itself(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let app = &app;
    let admin = app.admin_tokens().await.access_token;
    let admin = admin.as_str();
    let computed_at = |c: Client| async move {
        find(&c, "#metrics-computed-at")
            .await
            .attr("datetime")
            .await
            .unwrap()
            .expect("a datetime")
    };

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        wait_for_path(&c, "/").await;
        // The page reloads every minute. The app stays loaded across its own navigation,
        // so a minute timer started from here on fires every half second instead: what is
        // tested is that the page reloads by itself, not how long a minute is.
        c.execute(
            "const start = window.setInterval.bind(window);
             window.setInterval = (f, ms, ...rest) => start(f, ms === 60000 ? 500 : ms, ...rest);",
            vec![],
        )
        .await
        .unwrap();
        click(&c, "nav a[href='/platform/metrics']").await;
        wait_for_path(&c, "/platform/metrics").await;
        let shown = computed_at(c.clone()).await;

        // Another staff member recomputes; nobody touches this page.
        let res = app
            .post("/api/system/metrics/recompute", &json!({}), Some(admin))
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let summary: Value = json_ok(
            app.get("/api/system/metrics/summary", Some(admin)).await,
            200,
        )
        .await;
        let newer = summary["computed_at"]
            .as_str()
            .expect("computed_at")
            .to_owned();
        assert_ne!(newer, shown, "the recomputation took a new snapshot");
        let mut seen = shown.clone();
        for _ in 0..100 {
            seen = computed_at(c.clone()).await;
            if seen != shown {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).expect("RFC 3339");
        assert_eq!(parse(&seen), parse(&newer), "the newer snapshot is shown");
    })
    .await;
}
