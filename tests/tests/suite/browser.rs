//! The built SPA against the real API in headless Chromium.

use fantoccini::Locator;
use tessera_tests::browser::{find, spawn_spa_app, wait_for_path, wait_for_text, with_browser};
use tessera_tests::{Backend, on_both_databases};

on_both_databases!(a_person_signs_in_sees_their_name_and_signs_out);

async fn a_person_signs_in_sees_their_name_and_signs_out(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    with_browser(|c| async move {
        c.goto(&format!("{}/login", app.address)).await.unwrap();
        // A wrong password shows the server's explanation.
        find(&c, "#login").await.send_keys("ada").await.unwrap();
        find(&c, "#password")
            .await
            .send_keys("wrong-password")
            .await
            .unwrap();
        find(&c, "#login-submit").await.click().await.unwrap();
        wait_for_text(&c, ".alert-error", "wrong").await;
        // The right one signs in and shows the shell with the person's name.
        let pw = find(&c, "#password").await;
        pw.clear().await.unwrap();
        pw.send_keys("correct-horse-1").await.unwrap();
        find(&c, "#login-submit").await.click().await.unwrap();
        wait_for_text(&c, "#current-user-name", "Org acme").await;
        // Staff sections are hidden from an org admin.
        let nav = find(&c, "nav").await.text().await.unwrap();
        assert!(
            !nav.contains("Tenants"),
            "org admin sees staff navigation: {nav}"
        );
        // Typing a staff address explains instead of showing the page.
        c.goto(&format!("{}/platform/tenants", app.address))
            .await
            .unwrap();
        let refused = wait_for_text(&c, ".alert", "Not available to you").await;
        assert!(refused.contains("for platform staff only"), "{refused}");
        assert!(
            c.find_all(Locator::Css(".tenant-row"))
                .await
                .unwrap()
                .is_empty()
        );
        // An address that names no page says so, and names the address.
        c.goto(&format!("{}/no/such/page", app.address))
            .await
            .unwrap();
        let missing = wait_for_text(&c, ".not-found", "There is no page here").await;
        assert!(missing.contains("/no/such/page"), "{missing}");
        c.find(Locator::Css("#logout"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&c, "/login").await;
        find(&c, "#login-submit").await;
    })
    .await;
}
