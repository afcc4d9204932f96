//! The mail outbox page of the built SPA against the real API in headless Chromium: a
//! super admin finds a one-time code mail by its recipient and reads the code in it, and
//! pages through more mail than one slice holds.

use fantoccini::Locator;
use tessera_tests::browser::{
    click, find, retype, sign_in_as_admin, spawn_spa_app, wait_for_count, wait_for_path,
    wait_for_text, with_browser,
};
use tessera_tests::*;

on_both_databases!(
    a_super_admin_reads_a_one_time_code_in_the_outbox,
    a_super_admin_pages_through_the_outbox_and_filters_it,
);

async fn a_super_admin_reads_a_one_time_code_in_the_outbox(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let app = &app;
    // Two organisations ask for a code; the filter must keep only one recipient's mail.
    let slug = format!("acme-{}", unique());
    let email = format!("ada@{slug}.test");
    let other_slug = format!("globex-{}", unique());
    let other = format!("hank@{other_slug}.test");
    for (slug, email, name) in [(&slug, &email, "ada"), (&other_slug, &other, "hank")] {
        app.register(slug, email, &format!("{name}-{slug}")).await;
        let asked = app.otp_request(slug, email).await;
        assert_eq!(asked.status().as_u16(), 202);
    }
    let mails = app.outbox_for(&email).await;
    let subject = mails[0]["subject"].as_str().expect("a subject").to_owned();
    assert_eq!(mails[0]["status"], "outbox_only", "no SMTP server in tests");
    let code = app.latest_otp(&email).await;
    let (email, other, subject, code) = (&email, &other, &subject, &code);

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        wait_for_path(&c, "/").await;

        // The super admin reaches the outbox from the navigation; unfiltered it holds
        // both organisations' mail.
        click(&c, "nav a[href='/outbox']").await;
        wait_for_path(&c, "/outbox").await;
        wait_for_text(&c, "#outbox-table", other).await;
        wait_for_text(&c, "#outbox-table", email).await;

        // Filtered by recipient: that address's mail only, newest (the code) first.
        retype(&c, "#outbox-to", &email.to_uppercase()).await;
        click(&c, "#outbox-apply").await;
        wait_for_count(&c, ".outbox-row", mails.len()).await;
        let table = find(&c, "#outbox-table").await.text().await.unwrap();
        assert!(!table.contains(other.as_str()), "{table}");
        let row = ".outbox-row:first-child";
        wait_for_text(&c, &format!("{row} .outbox-to"), email).await;
        wait_for_text(&c, &format!("{row} .outbox-subject"), subject).await;
        let status = wait_for_text(&c, &format!("{row} .outbox-status"), "Outbox only").await;
        assert_eq!(status.trim(), "Outbox only");
        let attr = find(&c, row).await.attr("data-status").await.unwrap();
        assert_eq!(attr.as_deref(), Some("outbox_only"));

        // The body stays folded until asked for; then it shows the six-digit code.
        assert!(
            c.find_all(Locator::Css(".outbox-body"))
                .await
                .unwrap()
                .is_empty()
        );
        click(&c, &format!("{row} .outbox-show")).await;
        let body = wait_for_text(&c, ".outbox-body", code).await;
        assert_eq!(code.len(), 6);
        assert!(body.contains(code.as_str()), "{body}");
        wait_for_text(&c, &format!("{row} .outbox-show"), "Hide").await;
        click(&c, &format!("{row} .outbox-show")).await;
        wait_for_count(&c, ".outbox-body", 0).await;
    })
    .await;
}

async fn a_super_admin_pages_through_the_outbox_and_filters_it(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let ada = app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "hank@globex.test", "hank").await;
    let admin = app.admin_tokens().await;
    // 55 reset links for ada and one code for hank: more mail than a slice of 50.
    let reset = format!("/admin/api/users/{}/reset-password", ada.user.id);
    for _ in 0..55 {
        let res = app
            .post(&reset, &serde_json::json!({}), Some(&admin.access_token))
            .await;
        assert_eq!(res.status().as_u16(), 200);
    }
    assert_eq!(
        app.otp_request("globex", "hank@globex.test")
            .await
            .status()
            .as_u16(),
        202
    );
    let all: serde_json::Value = json_ok(
        app.get("/admin/api/outbox?limit=200", Some(&admin.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(56), "{all}");
    assert_eq!(app.outbox_for("hank@globex.test").await.len(), 1);
    let app = &app;

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        wait_for_path(&c, "/").await;
        click(&c, "nav a[href='/outbox']").await;
        wait_for_count(&c, ".outbox-row", 50).await;
        click(&c, "#outbox-load-more").await;
        wait_for_count(&c, ".outbox-row", 56).await;
        wait_for_text(&c, "#outbox-end", "That is everything.").await;

        retype(&c, "#outbox-to", "hank@globex.test").await;
        click(&c, "#outbox-apply").await;
        wait_for_count(&c, ".outbox-row", 1).await;
        wait_for_text(&c, "#outbox-end", "That is everything.").await;

        click(&c, "#outbox-clear").await;
        wait_for_count(&c, ".outbox-row", 50).await;
        click(&c, "#outbox-load-more").await;
        wait_for_count(&c, ".outbox-row", 56).await;
    })
    .await;
}
