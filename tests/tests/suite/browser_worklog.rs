//! The worklog, users and audit pages of the built SPA against the real API, in
//! headless Chromium: what a person clicks, checked against what the API then holds.

use std::time::Duration;

use chrono::{Days, Local, NaiveDate};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tessera_domain::auth::TokenResponse;
use tessera_domain::worklog::{Worklog, WorklogPage};
use tessera_tests::browser::{
    choose, click, find, retype, sign_in, sign_in_as_admin, spawn_spa_app, wait_for_path,
    wait_for_text, with_browser,
};
use tessera_tests::*;

on_both_databases!(
    a_member_quick_adds_from_a_suggestion_then_edits_and_deletes_the_entry,
    staff_find_a_user_deactivate_them_and_see_it_in_the_audit_log,
    staff_mail_a_reset_link_and_the_person_chooses_a_new_password_once,
    a_person_pages_through_a_long_worklog_and_filters_it,
);

/// Presses one key on whatever has the focus, as a person would.
async fn press(c: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.unwrap();
}

/// Waits up to ten seconds until nothing matches `css`.
async fn wait_gone(c: &Client, css: &str) {
    for _ in 0..100 {
        if c.find_all(Locator::Css(css))
            .await
            .map(|v| v.is_empty())
            .unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still on the page");
}

/// Waits up to ten seconds until exactly `n` elements match `css`.
async fn wait_for_count(c: &Client, css: &str, n: usize) {
    let mut last = 0;
    for _ in 0..100 {
        last = c
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0);
        if last == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {n} × {css}, found {last}");
}

/// Waits up to ten seconds until `script` returns a string, and returns it.
async fn wait_for_script(c: &Client, script: &str) -> String {
    for _ in 0..100 {
        if let Ok(Value::String(s)) = c.execute(script, vec![]).await {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{script} never returned a string");
}

/// An input's current value (the property, which follows typing and binding).
async fn value_of(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn replace_text(c: &Client, css: &str, text: &str) {
    let input = find(c, css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// The caller's entries on one day, through the API.
async fn entries_on(app: &TestApp, token: &str, day: NaiveDate) -> Vec<Worklog> {
    let page: WorklogPage = json_ok(
        app.worklogs(token, &format!("from={day}&to={day}")).await,
        200,
    )
    .await;
    page.items
}

async fn a_member_quick_adds_from_a_suggestion_then_edits_and_deletes_the_entry(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let org = app.register("acme", "ada@acme.test", "ada").await;
    let member = json!({"email": "mona@acme.test", "username": "mona", "password": "correct-horse-2",
                        "name": "Mona Member", "role": "user"});
    let mona: Value = json_ok(app.create_user(&org.access_token, &member).await, 201).await;
    let mona_id = mona["id"].as_str().unwrap().to_owned();
    let mo: TokenResponse = json_ok(app.login("mona", "correct-horse-2").await, 200).await;
    let token = mo.access_token.clone();
    // Chromium and this process share the machine's time zone, so "today" agrees.
    let today = Local::now().date_naive();
    let days_ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap();
    for (n, minutes, what) in [
        (1, 15, "Daily stand-up"),
        (2, 15, "Daily stand-up"),
        (3, 45, "Code review"),
    ] {
        app.log_work(&token, &days_ago(n).to_string(), minutes, what)
            .await;
    }

    with_browser(|c| async move {
        sign_in(&c, &app.address, "mona", "correct-horse-2", "Mona Member").await;

        // The shortcut opens quick-add from the dashboard; Escape closes it again.
        press(&c, 'n').await;
        find(&c, "#quick-add").await;
        press(&c, Key::Escape.into()).await;
        wait_gone(&c, "#quick-add").await;

        // The top bar button opens it too; the recurring entry is the first suggestion.
        find(&c, "#quick-add-open").await.click().await.unwrap();
        let first = find(&c, "#quick-add .suggestion").await;
        let suggestion = first.text().await.unwrap();
        assert!(
            suggestion.contains("Daily stand-up") && suggestion.contains("15 min"),
            "{suggestion}"
        );
        assert!(suggestion.contains("2×"), "used twice: {suggestion}");
        assert_eq!(
            value_of(&c, "#worklog-date").await,
            today.to_string(),
            "dated today by default"
        );
        first.click().await.unwrap();
        assert_eq!(value_of(&c, "#worklog-description").await, "Daily stand-up");
        assert_eq!(value_of(&c, "#worklog-minutes").await, "15");
        assert_eq!(value_of(&c, "#worklog-project").await, "Tessera");
        assert_eq!(
            value_of(&c, "#worklog-date").await,
            today.to_string(),
            "the suggestion keeps today's date"
        );
        // One click filled the form and put the focus on Save: Enter logs it.
        let focused = c.active_element().await.unwrap().attr("id").await.unwrap();
        assert_eq!(focused.as_deref(), Some("worklog-save"));
        press(&c, Key::Enter.into()).await;
        wait_gone(&c, "#quick-add").await;
        wait_for_text(&c, "#quick-add-notice", "Daily stand-up").await;

        let logged = entries_on(&app, &token, today).await;
        assert_eq!(logged.len(), 1, "exactly one entry today: {logged:?}");
        let entry = &logged[0];
        assert_eq!(
            (entry.minutes, entry.description.as_str()),
            (15, "Daily stand-up")
        );
        assert_eq!(entry.project.as_deref(), Some("Tessera"));
        assert_eq!(entry.tags, ["dev"]);

        // The timeline shows it under today, with the day's total, above the earlier days.
        find(&c, "a.nav-link[href='/worklog']")
            .await
            .click()
            .await
            .unwrap();
        let today_css = format!(".worklog-day[data-date='{today}']");
        wait_for_text(&c, &format!("{today_css} .worklog-entry"), "Daily stand-up").await;
        wait_for_text(&c, &format!("{today_css} .day-total"), "15 min · 1 entry").await;
        wait_for_text(
            &c,
            &format!(".worklog-day[data-date='{}'] .day-total", days_ago(3)),
            "45 min",
        )
        .await;
        wait_for_count(&c, ".worklog-day", 4).await;
        let first_day = find(&c, ".worklog-day")
            .await
            .attr("data-date")
            .await
            .unwrap();
        assert_eq!(first_day, Some(today.to_string()), "newest day first");

        // Edit the minutes on the entry's page; a value the rules refuse is caught inline.
        find(&c, &format!("{today_css} .edit-worklog"))
            .await
            .click()
            .await
            .unwrap();
        wait_for_path(&c, &format!("/worklog/{}", entry.id)).await;
        wait_for_text(&c, "#meta-id", &entry.id.to_string()).await;
        wait_for_text(&c, "#meta-owner", "You (Mona Member)").await;
        replace_text(&c, "#worklog-minutes", "2000").await;
        find(&c, "#worklog-save").await.click().await.unwrap();
        wait_for_text(&c, "#worklog-edit-form .field-error", "between 1 and 1440").await;
        let still: Worklog = json_ok(
            app.get(&format!("/api/worklogs/{}", entry.id), Some(&token))
                .await,
            200,
        )
        .await;
        assert_eq!(
            still.minutes, 15,
            "nothing was sent while the form was invalid"
        );
        replace_text(&c, "#worklog-minutes", "50").await;
        find(&c, "#worklog-save").await.click().await.unwrap();
        wait_for_path(&c, "/worklog").await;
        wait_for_text(&c, &format!("{today_css} .day-total"), "50 min · 1 entry").await;
        wait_for_text(&c, &format!("{today_css} .worklog-minutes"), "50 min").await;
        let edited: Worklog = json_ok(
            app.get(&format!("/api/worklogs/{}", entry.id), Some(&token))
                .await,
            200,
        )
        .await;
        assert_eq!(edited.minutes, 50);
        assert_eq!(
            edited.description, "Daily stand-up",
            "only the minutes changed"
        );

        // The CSV export fetches with the session's token and hands the file to the
        // browser; catch the file on its way to the download.
        c.execute(
            "window.__csv = null; const make = URL.createObjectURL;
             URL.createObjectURL = (blob) => { blob.text().then(t => { window.__csv = t; }); return make(blob); };",
            vec![],
        )
        .await
        .unwrap();
        find(&c, "#worklog-export").await.click().await.unwrap();
        let csv = wait_for_script(&c, "return window.__csv;").await;
        assert!(csv.starts_with("date,minutes,hours,project,description,tags,billable\n"), "{csv}");
        assert!(csv.contains(&format!("{today},50,0.83,Tessera,Daily stand-up,dev,true")), "{csv}");
        assert_eq!(csv.lines().count(), 5, "a header and the four entries of the last month: {csv}");

        // Delete, after confirming; the day disappears from the timeline and the API.
        find(&c, &format!("{today_css} .delete-worklog"))
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(&c, ".modal", "Daily stand-up").await;
        find(&c, "#confirm-delete").await.click().await.unwrap();
        wait_gone(&c, &today_css).await;
        wait_for_count(&c, ".worklog-day", 3).await;
        let gone = app
            .get(&format!("/api/worklogs/{}", entry.id), Some(&token))
            .await;
        assert_problem(gone, 404, "WORKLOG_NOT_FOUND").await;
        let all: WorklogPage = json_ok(app.worklogs(&token, "").await, 200).await;
        assert_eq!(all.items.len(), 3, "the earlier entries are untouched");

        // Her org admin chooses her on the same page and reads her entries, read-only.
        c.execute("localStorage.clear();", vec![]).await.unwrap();
        sign_in(&c, &app.address, "ada", "correct-horse-1", "Org acme").await;
        find(&c, "a.nav-link[href='/worklog']")
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(&c, "main", "No time logged yet").await;
        find(&c, &format!("#filter-user option[value='{mona_id}']")).await;
        choose(&c, "#filter-user", &mona_id).await;
        find(&c, "#filter-apply").await.click().await.unwrap();
        wait_for_count(&c, ".worklog-entry", 3).await;
        wait_for_text(&c, "#worklog-timeline", "Code review").await;
        let actions = c
            .find_all(Locator::Css(".edit-worklog, .delete-worklog"))
            .await
            .unwrap();
        assert!(actions.is_empty(), "another person's entries are read-only");
    })
    .await;
}

async fn staff_find_a_user_deactivate_them_and_see_it_in_the_audit_log(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    for (email, username, name) in [
        ("mona@acme.test", "mona", "Mona Member"),
        ("noor@acme.test", "noor", "Noor Nadel"),
    ] {
        let body = json!({"email": email, "username": username, "password": "correct-horse-2",
                          "name": name, "role": "user", "tenant": "acme"});
        json_ok::<Value>(app.create_user(&admin.access_token, &body).await, 201).await;
    }
    let noor: TokenResponse = json_ok(app.login("noor", "correct-horse-2").await, 200).await;
    let noor_id = noor.user.id.to_string();

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        find(&c, "a.nav-link[href='/platform/users']")
            .await
            .click()
            .await
            .unwrap();
        wait_for_count(&c, ".user-row", 4).await;

        // Search narrows the table to the one person, shown with initials and role.
        find(&c, "#user-search")
            .await
            .send_keys("NOOR")
            .await
            .unwrap();
        wait_for_count(&c, ".user-row", 1).await;
        let row_css = format!(".user-row[data-id='{noor_id}']");
        wait_for_text(&c, &row_css, "noor@acme.test").await;
        assert_eq!(
            find(&c, &format!("{row_css} .avatar"))
                .await
                .text()
                .await
                .unwrap(),
            "NN"
        );
        wait_for_text(&c, &format!("{row_css} .badge-role"), "User").await;
        wait_for_text(&c, &format!("{row_css} .user-tenant"), "acme").await;

        // Deactivate, after confirming.
        find(&c, &format!("{row_css} .deactivate-user"))
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(&c, ".modal", "can no longer sign in").await;
        find(&c, "#confirm-deactivate").await.click().await.unwrap();
        wait_gone(&c, "#confirm-deactivate").await;
        wait_for_text(&c, &format!("{row_css} .user-status"), "Inactive").await;
        find(&c, &format!("{row_css} .activate-user")).await;

        let user: Value = json_ok(
            app.get(
                &format!("/admin/api/users/{noor_id}"),
                Some(&admin.access_token),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(user["status"], "inactive");
        let refused = app.login("noor", "correct-horse-2").await;
        assert_ne!(
            refused.status().as_u16(),
            200,
            "a deactivated user cannot sign in"
        );
        assert_eq!(
            app.refresh(&noor.refresh_token).await.status().as_u16(),
            401,
            "their session ended"
        );

        // The audit log shows the change first, by whom, with the before/after state.
        find(&c, "a.nav-link[href='/platform/audit']")
            .await
            .click()
            .await
            .unwrap();
        let first = wait_for_text(&c, ".audit-row", "user.update").await;
        assert!(first.contains(ADMIN_EMAIL), "the actor is shown: {first}");
        find(&c, ".audit-row .audit-expand")
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(&c, ".audit-detail .audit-changes", "active").await;
        wait_for_text(&c, ".audit-detail .audit-after", "\"active\": false").await;
        wait_for_text(&c, ".audit-detail .audit-before", "\"active\": true").await;
        wait_for_text(&c, ".audit-detail", &noor_id).await;

        // Filtering by action keeps only user updates.
        find(&c, "#audit-action")
            .await
            .send_keys("user.update")
            .await
            .unwrap();
        find(&c, "#audit-apply").await.click().await.unwrap();
        wait_for_count(&c, ".audit-row", 1).await;
        let trail = app.audit(&admin.access_token, "action=user.update").await;
        let items = trail["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{trail}");
        assert_eq!(items[0]["target_id"], noor_id.as_str());
        assert_eq!(items[0]["after"]["active"], false);
        assert_eq!(items[0]["actor_email"], ADMIN_EMAIL);

        // A new person for acme through the dialog: listed, and able to sign in.
        click(&c, "a.nav-link[href='/platform/users']").await;
        wait_for_count(&c, ".user-row", 4).await;
        click(&c, "#new-user").await;
        retype(&c, "#new-user-name", "Rita Reader").await;
        retype(&c, "#new-user-email", "rita@acme.test").await;
        retype(&c, "#new-user-username", "rita").await;
        retype(&c, "#new-user-password", "correct-horse-3").await;
        retype(&c, "#new-user-tenant", "acme").await;
        click(&c, "#new-user-submit").await;
        wait_gone(&c, "#new-user-form").await;
        wait_for_count(&c, ".user-row", 5).await;
        wait_for_text(&c, "#users-table", "rita@acme.test").await;
        let rita: TokenResponse = json_ok(app.login("rita", "correct-horse-3").await, 200).await;
        assert_eq!(rita.user.name, "Rita Reader");
        assert_eq!(rita.user.tenant_id, noor.user.tenant_id, "in acme");
    })
    .await;
}

async fn staff_mail_a_reset_link_and_the_person_chooses_a_new_password_once(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let body = json!({"email": "mona@acme.test", "username": "mona", "password": "correct-horse-2",
                      "name": "Mona Member", "role": "user", "tenant": "acme"});
    let mona: Value = json_ok(app.create_user(&admin.access_token, &body).await, 201).await;
    let row_css = format!(".user-row[data-id='{}']", mona["id"].as_str().unwrap());

    with_browser(|c| async move {
        sign_in_as_admin(&c, &app.address).await;
        find(&c, "a.nav-link[href='/platform/users']")
            .await
            .click()
            .await
            .unwrap();
        find(&c, &format!("{row_css} .reset-user-password"))
            .await
            .click()
            .await
            .unwrap();
        // Mailing a link is the default: nobody but the person learns the password.
        find(&c, "#reset-password-submit")
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(&c, "#reset-password-result", "mona@acme.test").await;
        find(&c, "#reset-password-done")
            .await
            .click()
            .await
            .unwrap();
        find(&c, "#logout").await.click().await.unwrap();
        wait_for_path(&c, "/login").await;

        let mail = app.outbox_for("mona@acme.test").await;
        let text = mail
            .first()
            .and_then(|m| m["body"].as_str())
            .expect("a reset mail")
            .to_owned();
        let start = text
            .find("/reset-password?token=")
            .expect("a reset link in the mail");
        let link = text[start..].split_whitespace().next().unwrap().to_owned();
        c.goto(&format!("{}{link}", app.address)).await.unwrap();

        // A typo in the repetition is caught before the one-time link is spent.
        find(&c, "#new-password")
            .await
            .send_keys("brand-new-horse-3")
            .await
            .unwrap();
        find(&c, "#confirm-password")
            .await
            .send_keys("brand-new-horse-4")
            .await
            .unwrap();
        find(&c, "#reset-submit").await.click().await.unwrap();
        wait_for_text(&c, ".field-error", "does not match").await;
        replace_text(&c, "#confirm-password", "brand-new-horse-3").await;
        find(&c, "#reset-submit").await.click().await.unwrap();
        wait_for_text(&c, "#reset-done", "Sign in with your new password").await;
        assert_eq!(
            app.login("mona", "brand-new-horse-3")
                .await
                .status()
                .as_u16(),
            200
        );
        assert_eq!(
            app.login("mona", "correct-horse-2").await.status().as_u16(),
            401
        );

        // The link works once: a second use shows the server's explanation.
        c.goto(&format!("{}{link}", app.address)).await.unwrap();
        find(&c, "#new-password")
            .await
            .send_keys("another-horse-5")
            .await
            .unwrap();
        find(&c, "#confirm-password")
            .await
            .send_keys("another-horse-5")
            .await
            .unwrap();
        find(&c, "#reset-submit").await.click().await.unwrap();
        wait_for_text(&c, ".alert-error", "used or expired").await;
        assert_eq!(
            app.login("mona", "brand-new-horse-3")
                .await
                .status()
                .as_u16(),
            200
        );
    })
    .await;
}

async fn a_person_pages_through_a_long_worklog_and_filters_it(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let ada = app.register("acme", "ada@acme.test", "ada").await;
    let today = Local::now().date_naive();
    // One entry a day for 60 days, more than a slice of 50; every third a code review.
    for n in 0..60u64 {
        let what = if n % 3 == 0 {
            "Code review"
        } else {
            "Support call"
        };
        let day = today.checked_sub_days(Days::new(n)).unwrap().to_string();
        app.log_work(&ada.access_token, &day, 30, what).await;
    }
    let app = &app;

    with_browser(|c| async move {
        sign_in(&c, &app.address, "ada", "correct-horse-1", "Org acme").await;
        click(&c, "a.nav-link[href='/worklog']").await;
        wait_for_count(&c, ".worklog-entry", 50).await;
        click(&c, "#worklog-load-more").await;
        wait_for_count(&c, ".worklog-entry", 60).await;
        wait_for_text(&c, "#worklog-end", "That is everything.").await;

        // Words in the description: the 20 reviews, in one slice. (Applying a filter
        // under a list with "Load more" used to panic in the page and change nothing.)
        retype(&c, "#filter-search", "code REVIEW").await;
        click(&c, "#filter-apply").await;
        wait_for_count(&c, ".worklog-entry", 20).await;
        wait_for_text(&c, "#worklog-end", "That is everything.").await;
        // And a week, both ends included: 7 days, 3 of them reviews.
        let from = today.checked_sub_days(Days::new(6)).unwrap();
        c.execute(
            "const set = (id, v) => { const el = document.getElementById(id); el.value = v;
                 el.dispatchEvent(new Event('input', { bubbles: true })); };
             set('filter-from', arguments[0]); set('filter-to', arguments[1]);",
            vec![json!(from.to_string()), json!(today.to_string())],
        )
        .await
        .unwrap();
        click(&c, "#filter-apply").await;
        wait_for_count(&c, ".worklog-entry", 3).await;
        // Emptied as a person does (WebDriver's clear sends no input event).
        let search = find(&c, "#filter-search").await;
        for _ in 0.."code REVIEW".len() {
            search.send_keys(&Key::Backspace.to_string()).await.unwrap();
        }
        click(&c, "#filter-apply").await;
        wait_for_count(&c, ".worklog-entry", 7).await;
        wait_for_count(&c, ".worklog-day", 7).await;

        // Clear shows everything again, a slice at a time.
        click(&c, "#filter-clear").await;
        wait_for_count(&c, ".worklog-entry", 50).await;
        click(&c, "#worklog-load-more").await;
        wait_for_count(&c, ".worklog-entry", 60).await;
        wait_for_text(&c, "#worklog-end", "That is everything.").await;
    })
    .await;
}
