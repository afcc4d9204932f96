//! The tenant portal and the staff LLM page of the built SPA against the real API in
//! headless Chromium (issue 7).

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tessera_tests::browser::{
    click, find, retype, sign_in, sign_in_as_admin, spawn_spa_app, wait_for_path, wait_for_text,
    with_browser,
};
use tessera_tests::*;

on_both_databases!(
    a_member_activates_a_project_with_a_code_and_staff_restore_a_system_prompt,
    a_member_reads_the_agent_prompts_and_what_each_agent_runs_with,
    an_org_admin_reads_its_codes_and_revokes_a_device,
);

const SLUG: &str = "portal7";
const EMAIL: &str = "ada@portal7.test";

/// Waits up to ten seconds until an input's or textarea's current value is `expected`
/// (`value` is a property, not text, so `wait_for_text` cannot see it).
async fn wait_for_value(c: &Client, css: &str, expected: &str) {
    let mut last = None;
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            last = el.prop("value").await.unwrap_or_default();
            if last.as_deref() == Some(expected) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never had the value {expected:?}; last was {last:?}");
}

/// The six-digit code of an OTP mail newer than the `before` mails already sent to
/// `to`: the browser asked for it, so it may land a moment after the page moved on.
async fn fresh_otp(app: &TestApp, to: &str, before: usize) -> String {
    for _ in 0..100 {
        if app.outbox_for(to).await.len() > before {
            return app.latest_otp(to).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no OTP mail reached {to}");
}

async fn a_member_activates_a_project_with_a_code_and_staff_restore_a_system_prompt(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let member = app.register(SLUG, EMAIL, "ada7").await;
    let admin = app.admin_tokens().await;
    let code = app.one_code(&admin.access_token, SLUG, 1).await;
    let mails_before = app.outbox_for(EMAIL).await.len();
    let spare = app
        .create_codes(&admin.access_token, SLUG, 1, 1)
        .await
        .codes[0]
        .id;
    let staff_token = admin.access_token.clone();

    // Borrowed, so the API cross-checks below can use the server after the browser.
    let web = &app;
    with_browser(|c| async move {
        let app = web;
        // Passwordless sign-in to the portal with the code from the outbox.
        c.goto(&format!("{}/login/otp", app.address)).await.unwrap();
        find(&c, "#otp-tenant").await.send_keys(SLUG).await.unwrap();
        find(&c, "#otp-email").await.send_keys(EMAIL).await.unwrap();
        click(&c, "#otp-send").await;
        find(&c, "#otp-code").await;
        let otp = fresh_otp(app, EMAIL, mails_before).await;
        find(&c, "#otp-code").await.send_keys(&otp).await.unwrap();
        click(&c, "#otp-verify").await;

        // The portal home: plan, quotas computed from real lists, and the reserve.
        wait_for_text(&c, "#portal-plan", "Free").await;
        wait_for_text(&c, "#portal-projects", "0 of 3 used").await;
        wait_for_text(&c, "#portal-devices", "0 of 5 used").await;
        find(&c, "#portal-balance").await;
        // The member's live feed shows their organisation's events as they happen.
        wait_for_text(&c, "#live-state", "Live").await;
        let res = app.revoke_code(&staff_token, spare).await;
        assert_eq!(res.status().as_u16(), 200);
        wait_for_text(&c, "#live-feed", &format!("revoked for {SLUG}")).await;

        // Activating: the shared rule refuses a malformed code before any request, and
        // the server's refusal of an unknown one is shown with its detail.
        c.goto(&format!("{}/org/projects", app.address))
            .await
            .unwrap();
        find(&c, "#activate-code")
            .await
            .send_keys("nope")
            .await
            .unwrap();
        find(&c, "#project-name")
            .await
            .send_keys("Support bot")
            .await
            .unwrap();
        click(&c, "#activate-project").await;
        wait_for_text(&c, "#activate-code-error", "XXXX-XXXX-XXXX-XXXX").await;
        retype(&c, "#activate-code", "ABCD-EFGH-JKMN-PQRS").await;
        click(&c, "#activate-project").await;
        wait_for_text(&c, "#activate-card .alert-error", "No such activation code").await;

        // The real code activates the project.
        retype(&c, "#activate-code", &code).await;
        click(&c, "#activate-project").await;
        wait_for_text(&c, "#activate-success", "Support bot").await;
        wait_for_text(&c, ".project-row", "Support bot").await;

        // Editing its prompt shows the new text in the list.
        click(&c, ".project-row .edit-project").await;
        wait_for_value(&c, "#edit-project-name", "Support bot").await;
        retype(&c, "#project-prompt", "Answer politely and briefly.").await;
        click(&c, "#save-project").await;
        wait_for_text(
            &c,
            ".project-row .project-prompt",
            "Answer politely and briefly.",
        )
        .await;

        // The code's single use is spent: a second activation is refused.
        retype(&c, "#activate-code", &code).await;
        retype(&c, "#project-name", "Second bot").await;
        click(&c, "#activate-project").await;
        wait_for_text(
            &c,
            "#activate-card .alert-error",
            "used as many times as it allows",
        )
        .await;

        click(&c, "#logout").await;
        wait_for_path(&c, "/login").await;

        // Staff: the system prompt starts unconfigured, is saved twice, and version 1 is
        // restored as version 3.
        sign_in_as_admin(&c, &app.address).await;
        c.goto(&format!("{}/platform/llm", app.address))
            .await
            .unwrap();
        find(&c, "#system-prompt-empty").await;
        retype(&c, "#system-prompt", "You are Tessera's assistant, v1.").await;
        click(&c, "#save-system-prompt").await;
        wait_for_text(&c, "#system-prompt-meta", "Version 1").await;
        retype(&c, "#system-prompt", "You are Tessera's assistant, v2.").await;
        click(&c, "#save-system-prompt").await;
        wait_for_text(&c, "#system-prompt-meta", "Version 2").await;
        wait_for_text(&c, ".prompt-version[data-version=\"2\"]", "v2.").await;
        click(&c, ".prompt-version[data-version=\"1\"] .restore-version").await;
        click(&c, "#confirm-restore").await;
        wait_for_text(&c, "#system-prompt-meta", "Version 3").await;
        wait_for_value(&c, "#system-prompt", "You are Tessera's assistant, v1.").await;
        wait_for_text(&c, ".prompt-version[data-version=\"3\"]", "v1.").await;

        // Staff see the tenant's project, open it, and add an agent prompt.
        wait_for_text(&c, "#llm-projects .project-row", SLUG).await;
        click(&c, "#llm-projects .project-row a").await;
        wait_for_value(&c, "#project-prompt", "Answer politely and briefly.").await;
        find(&c, "#agent-type")
            .await
            .send_keys("planner")
            .await
            .unwrap();
        find(&c, "#agent-content")
            .await
            .send_keys("Plan before acting.")
            .await
            .unwrap();
        click(&c, "#save-agent").await;
        wait_for_text(&c, ".agent-row", "planner").await;
    })
    .await;

    // Cross-check through the API.
    let projects: Vec<Value> = json_ok(
        app.get("/api/tenant/projects", Some(&member.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(projects.len(), 1, "exactly one project: {projects:?}");
    assert_eq!(projects[0]["name"], "Support bot");
    assert_eq!(projects[0]["prompt"], "Answer politely and briefly.");

    let prompt: Value = json_ok(
        app.get("/admin/api/llm/system-prompt", Some(&admin.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(prompt["version"], 3);
    assert_eq!(prompt["content"], "You are Tessera's assistant, v1.");
    assert_eq!(prompt["updated_by_email"], ADMIN_EMAIL);
    let versions: Vec<Value> = json_ok(
        app.get(
            "/admin/api/llm/system-prompt/versions",
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    let texts: Vec<&str> = versions
        .iter()
        .map(|v| v["content"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        texts,
        [
            "You are Tessera's assistant, v1.",
            "You are Tessera's assistant, v2.",
            "You are Tessera's assistant, v1."
        ]
    );

    let id = projects[0]["id"].as_str().expect("a project id");
    let agents: Vec<Value> = json_ok(
        app.get(
            &format!("/admin/api/llm/projects/{id}/agents"),
            Some(&admin.access_token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        agents,
        vec![json!({
            "agent_type": "planner",
            "content": "Plan before acting.",
            "updated_by": agents[0]["updated_by"],
            "updated_at": agents[0]["updated_at"],
        })]
    );
}

/// `PUT path` with a JSON body as `token`; the answer must be 200.
async fn put_ok(app: &TestApp, path: &str, token: &str, body: &Value) {
    let res = app
        .client
        .put(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    json_ok::<Value>(res, 200).await;
}

async fn a_member_reads_the_agent_prompts_and_what_each_agent_runs_with(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    let slug = "agents7";
    let email = "ada@agents7.test";
    let member = app.register(slug, email, "ada-agents7").await;
    let admin = app.admin_tokens().await.access_token;
    let code = app.one_code(&admin, slug, 1).await;
    let project: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &json!({"activation_code": code, "name": "Support bot", "prompt": "Answer politely."}),
            Some(&member.access_token),
        )
        .await,
        201,
    )
    .await;
    let id = project["id"].as_str().expect("a project id").to_owned();
    put_ok(
        &app,
        &format!("/admin/api/llm/projects/{id}/agents/planner"),
        &admin,
        &json!({"content": "Plan before acting."}),
    )
    .await;

    let web = &app;
    let admin = admin.as_str();
    with_browser(|c| async move {
        let app = web;
        c.goto(&format!("{}/login", app.address)).await.unwrap();
        find(&c, "#login").await.send_keys(email).await.unwrap();
        find(&c, "#password")
            .await
            .send_keys("correct-horse-1")
            .await
            .unwrap();
        click(&c, "#login-submit").await;
        find(&c, "#current-user-name").await;

        // The list links to the project's page: its prompt and its agent prompts.
        c.goto(&format!("{}/org/projects", app.address))
            .await
            .unwrap();
        click(&c, ".project-row .project-name a").await;
        wait_for_path(&c, &format!("/org/projects/{id}")).await;
        wait_for_text(&c, "#project-title", "Support bot").await;
        wait_for_text(&c, "#project-prompt-text", "Answer politely.").await;
        wait_for_text(
            &c,
            ".agent-row[data-agent-type='planner'] .agent-content",
            "Plan before acting.",
        )
        .await;

        // No system prompt yet: the composition is refused, and the page says so plainly.
        click(&c, ".agent-row[data-agent-type='planner'] .show-composed").await;
        wait_for_text(
            &c,
            "#composed-not-configured",
            "The system prompt is not configured",
        )
        .await;
        assert!(
            c.find_all(Locator::Css("#composed-prompt"))
                .await
                .unwrap()
                .is_empty(),
            "no composed text is made up without a system prompt"
        );

        // Once staff set it, asking again shows the three parts joined.
        put_ok(
            app,
            "/admin/api/llm/system-prompt",
            admin,
            &json!({"content": "You are Tessera's assistant."}),
        )
        .await;
        click(&c, ".agent-row[data-agent-type='planner'] .show-composed").await;
        find(&c, "#composed-prompt").await;
        let composed = find(&c, "#composed-prompt").await.text().await.unwrap();
        assert_eq!(
            composed,
            "You are Tessera's assistant.\n\nAnswer politely.\n\nPlan before acting."
        );
        wait_for_text(&c, "#composed-meta", "version 1").await;

        // Completing is final: the row keeps only Delete; deleting removes the project.
        c.goto(&format!("{}/org/projects", app.address))
            .await
            .unwrap();
        let row = format!(".project-row[data-project-id='{id}']");
        click(&c, &format!("{row} .complete-project")).await;
        wait_for_text(&c, ".modal", "can no longer be edited").await;
        click(&c, "#confirm-project-action").await;
        find(&c, &format!("{row}[data-status='completed']")).await;
        let left = c
            .find_all(Locator::Css(&format!(
                "{row} .edit-project, {row} .complete-project"
            )))
            .await
            .unwrap();
        assert!(left.is_empty(), "a completed project is not edited");
        click(&c, &format!("{row} .delete-project")).await;
        wait_for_text(&c, ".modal", "cannot be undone").await;
        click(&c, "#confirm-project-action").await;
        wait_for_text(&c, "main", "No projects yet").await;
    })
    .await;
    let left: Vec<Value> = json_ok(
        app.get("/api/tenant/projects", Some(&member.access_token))
            .await,
        200,
    )
    .await;
    assert!(left.is_empty(), "{left:?}");
}

async fn an_org_admin_reads_its_codes_and_revokes_a_device(b: Backend) {
    let app = spawn_spa_app(b, &[]).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await.access_token;
    let code = app.one_code(&admin, "acme", 2).await;
    let activated: Value = json_ok(app.activate(&code, "fp-portal").await, 201).await;
    let device = format!(
        ".device-row[data-device-id='{}']",
        activated["device"]["id"].as_str().unwrap()
    );
    let prefix = format!("{}-…", &code[..4]);
    let app = &app;

    with_browser(|c| async move {
        sign_in(&c, &app.address, "ada", "correct-horse-1", "Org acme").await;
        click(&c, "a.nav-link[href='/org/codes']").await;
        wait_for_path(&c, "/org/codes").await;

        // The code by its first symbols only, with the use its device took.
        let row = wait_for_text(&c, "#tenant-codes .code-row", &prefix).await;
        assert!(row.contains("1 of 2") && row.contains("Active"), "{row}");
        let shown = wait_for_text(&c, &device, "Active").await;
        assert!(shown.contains("Device fp-portal"), "{shown}");

        // Revoke, after confirming: the row says so and offers nothing more.
        click(&c, &format!("{device} .revoke-device")).await;
        wait_for_text(&c, ".modal", "Revoke Device fp-portal?").await;
        click(&c, "#confirm-revoke").await;
        wait_for_text(&c, &device, "Revoked").await;
        assert!(
            c.find_all(Locator::Css(&format!("{device} .revoke-device")))
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;

    // The device is refused from now on.
    assert_problem(
        app.activate(&code, "fp-portal").await,
        403,
        "DEVICE_REVOKED",
    )
    .await;
}
