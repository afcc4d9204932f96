//! Sign-up, sign-in, sessions, OTP and roles, through real HTTP on both databases.

use serde_json::{Value, json};
use tessera_domain::Role;
use tessera_domain::auth::{MeResponse, TokenResponse};
use tessera_tests::*;

on_both_databases!(
    health_reports_the_database_up,
    registering_creates_a_tenant_and_its_org_admin,
    registering_a_taken_slug_or_email_is_409_and_changes_nothing,
    registering_with_bad_fields_is_422_naming_each_field,
    login_works_with_email_or_username,
    a_wrong_password_is_401_invalid_credentials,
    refresh_rotates_and_a_reused_token_ends_the_session,
    concurrent_refreshes_of_one_token_let_exactly_one_win,
    logout_ends_the_session,
    me_needs_a_valid_access_token,
    otp_sign_in_works_through_the_outbox_once,
    otp_requests_for_unknown_accounts_are_accepted_and_send_nothing,
    five_wrong_otps_burn_the_code,
    login_attempts_are_rate_limited_per_ip_with_retry_after,
    ten_failed_logins_lock_the_account,
    the_outbox_is_for_super_admins_only,
    plans_are_seeded_and_public,
);

async fn health_reports_the_database_up(b: Backend) {
    let app = spawn_app(b).await;
    let body: Value = json_ok(app.get("/api/health", None).await, 200).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "up");
    assert!(body["version"].as_str().is_some_and(|v| !v.is_empty()));
}

async fn registering_creates_a_tenant_and_its_org_admin(b: Backend) {
    let app = spawn_app(b).await;
    let tokens = app.register("acme", "ada@acme.test", "ada").await;
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 900);
    assert_eq!(tokens.user.role, Role::OrgAdmin);
    let me: MeResponse = json_ok(app.me(&tokens.access_token).await, 200).await;
    let tenant = me.tenant.expect("an org_admin has a tenant");
    assert_eq!(tenant.slug, "acme");
    assert_eq!(tenant.plan, "free");
    assert_eq!(tenant.status, "active");
    assert_eq!(me.user.tenant_id, Some(tenant.id));
    assert_eq!(me.user.email, "ada@acme.test");
}

async fn registering_a_taken_slug_or_email_is_409_and_changes_nothing(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    assert_problem(
        app.register_raw("acme", "bob@acme.test", "bob").await,
        409,
        "SLUG_TAKEN",
    )
    .await;
    assert_problem(
        app.register_raw("other", "ADA@acme.test", "bob").await,
        409,
        "EMAIL_TAKEN",
    )
    .await;
    assert_problem(
        app.register_raw("other", "bob@acme.test", "ada").await,
        409,
        "USERNAME_TAKEN",
    )
    .await;
    // Nothing of the refused sign-ups exists: bob cannot sign in, and the slug is still free.
    assert_problem(
        app.login("bob@acme.test", "correct-horse-1").await,
        401,
        "INVALID_CREDENTIALS",
    )
    .await;
    app.register("other", "bob@acme.test", "bob").await;
}

async fn registering_with_bad_fields_is_422_naming_each_field(b: Backend) {
    let app = spawn_app(b).await;
    let res = app
        .post(
            "/api/auth/register",
            &json!({"organization_name": " ", "slug": "A!", "email": "nope", "username": "x", "password": "short"}),
            None,
        )
        .await;
    let p = assert_problem(res, 422, "VALIDATION_FAILED").await;
    let mut fields: Vec<String> = p.errors.unwrap().into_iter().map(|e| e.field).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["email", "organization_name", "password", "slug", "username"]
    );
    assert_problem(app.login("nope", "short").await, 401, "INVALID_CREDENTIALS").await;
}

async fn login_works_with_email_or_username(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let by_email: TokenResponse =
        json_ok(app.login("Ada@Acme.test", "correct-horse-1").await, 200).await;
    let by_name: TokenResponse = json_ok(app.login("ada", "correct-horse-1").await, 200).await;
    assert_eq!(by_email.user.id, by_name.user.id);
    assert_ne!(by_email.refresh_token, by_name.refresh_token);
    let admin = app.admin_tokens().await;
    assert_eq!(admin.user.role, Role::SuperAdmin);
    assert_eq!(admin.user.tenant_id, None);
}

async fn a_wrong_password_is_401_invalid_credentials(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    assert_problem(
        app.login("ada", "wrong-password").await,
        401,
        "INVALID_CREDENTIALS",
    )
    .await;
    // An unknown account answers exactly the same (no enumeration).
    assert_problem(
        app.login("nobody", "wrong-password").await,
        401,
        "INVALID_CREDENTIALS",
    )
    .await;
}

async fn refresh_rotates_and_a_reused_token_ends_the_session(b: Backend) {
    let app = spawn_app(b).await;
    let first = app.register("acme", "ada@acme.test", "ada").await;
    let second: TokenResponse = json_ok(app.refresh(&first.refresh_token).await, 200).await;
    assert_ne!(second.refresh_token, first.refresh_token);
    json_ok::<MeResponse>(app.me(&second.access_token).await, 200).await;
    // Replaying the first token is theft or confusion: the whole family dies.
    assert_problem(
        app.refresh(&first.refresh_token).await,
        401,
        "REFRESH_TOKEN_REUSED",
    )
    .await;
    assert_problem(
        app.refresh(&second.refresh_token).await,
        401,
        "REFRESH_TOKEN_REVOKED",
    )
    .await;
    assert_problem(
        app.refresh("not-a-token").await,
        401,
        "INVALID_REFRESH_TOKEN",
    )
    .await;
}

async fn concurrent_refreshes_of_one_token_let_exactly_one_win(b: Backend) {
    let app = spawn_app(b).await;
    let tokens = app.register("acme", "ada@acme.test", "ada").await;
    let attempts = (0..12).map(|_| app.refresh(&tokens.refresh_token));
    let results = futures_util::future::join_all(attempts).await;
    let codes: Vec<u16> = results.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == 200).count(),
        1,
        "statuses: {codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == 401).count(),
        11,
        "statuses: {codes:?}"
    );
}

async fn logout_ends_the_session(b: Backend) {
    let app = spawn_app(b).await;
    let tokens = app.register("acme", "ada@acme.test", "ada").await;
    let res = app.logout(&tokens.refresh_token).await;
    assert_eq!(res.status().as_u16(), 204);
    assert_problem(
        app.refresh(&tokens.refresh_token).await,
        401,
        "REFRESH_TOKEN_REVOKED",
    )
    .await;
    // Logging out twice, or with garbage, is harmless.
    assert_eq!(
        app.logout(&tokens.refresh_token).await.status().as_u16(),
        204
    );
}

async fn me_needs_a_valid_access_token(b: Backend) {
    let app = spawn_app(b).await;
    let tokens = app.register("acme", "ada@acme.test", "ada").await;
    assert_problem(app.get("/api/auth/me", None).await, 401, "UNAUTHENTICATED").await;
    assert_problem(app.me("garbage").await, 401, "INVALID_TOKEN").await;
    // alg=none with the real payload must not pass.
    let payload = tokens.access_token.split('.').nth(1).unwrap();
    let forged = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    assert_problem(app.me(&forged).await, 401, "INVALID_TOKEN").await;
    // A tampered signature must not pass either.
    let mut tampered = tokens.access_token.clone();
    tampered.pop();
    tampered.push(if tokens.access_token.ends_with('A') {
        'B'
    } else {
        'A'
    });
    assert_problem(app.me(&tampered).await, 401, "INVALID_TOKEN").await;
    let res = app
        .client
        .get(format!("{}/api/auth/me", app.address))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "INVALID_TOKEN").await;
}

async fn otp_sign_in_works_through_the_outbox_once(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    assert_eq!(
        app.otp_request("acme", "ada@acme.test")
            .await
            .status()
            .as_u16(),
        202
    );
    let code = app.latest_otp("ada@acme.test").await;
    let tokens: TokenResponse =
        json_ok(app.otp_verify("acme", "ada@acme.test", &code).await, 200).await;
    assert_eq!(tokens.user.id, owner.user.id);
    // The tenant may also be named by id.
    let tid = owner.user.tenant_id.unwrap().to_string();
    assert_problem(
        app.otp_verify(&tid, "ada@acme.test", &code).await,
        401,
        "INVALID_OTP",
    )
    .await;
    // A new code replaces the old one.
    app.otp_request(&tid, "ada@acme.test").await;
    let second = app.latest_otp("ada@acme.test").await;
    json_ok::<TokenResponse>(app.otp_verify(&tid, "ada@acme.test", &second).await, 200).await;
}

async fn otp_requests_for_unknown_accounts_are_accepted_and_send_nothing(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    assert_eq!(
        app.otp_request("acme", "eve@acme.test")
            .await
            .status()
            .as_u16(),
        202
    );
    assert_eq!(
        app.otp_request("nowhere", "ada@acme.test")
            .await
            .status()
            .as_u16(),
        202
    );
    assert!(app.outbox_for("eve@acme.test").await.is_empty());
    assert!(app.outbox_for("ada@acme.test").await.is_empty());
    let bad = app.otp_request("acme", "not-an-email").await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
}

async fn five_wrong_otps_burn_the_code(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    app.otp_request("acme", "ada@acme.test").await;
    let code = app.latest_otp("ada@acme.test").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_problem(
            app.otp_verify("acme", "ada@acme.test", wrong).await,
            401,
            "INVALID_OTP",
        )
        .await;
    }
    assert_problem(
        app.otp_verify("acme", "ada@acme.test", &code).await,
        401,
        "INVALID_OTP",
    )
    .await;
}

async fn login_attempts_are_rate_limited_per_ip_with_retry_after(b: Backend) {
    let app = spawn_app_with(b, &[("TESSERA_LOGIN_RATE_LIMIT", "3")]).await;
    for _ in 0..3 {
        assert_problem(
            app.login("nobody", "wrong-password").await,
            401,
            "INVALID_CREDENTIALS",
        )
        .await;
    }
    let res = app.login("nobody", "wrong-password").await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry), "Retry-After {retry}");
    assert_problem(res, 429, "RATE_LIMITED").await;
    // OTP attempts count against the same limit.
    assert_problem(
        app.otp_request("acme", "ada@acme.test").await,
        429,
        "RATE_LIMITED",
    )
    .await;
}

async fn ten_failed_logins_lock_the_account(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    for _ in 0..9 {
        assert_problem(
            app.login("ada", "wrong-password").await,
            401,
            "INVALID_CREDENTIALS",
        )
        .await;
    }
    let res = app.login("ada", "wrong-password").await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, "ACCOUNT_LOCKED").await;
    // Even the right password is refused while locked.
    assert_problem(
        app.login("ada", "correct-horse-1").await,
        429,
        "ACCOUNT_LOCKED",
    )
    .await;
}

async fn the_outbox_is_for_super_admins_only(b: Backend) {
    let app = spawn_app(b).await;
    let org = app.register("acme", "ada@acme.test", "ada").await;
    assert_problem(
        app.get("/admin/api/outbox", Some(&org.access_token)).await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_problem(
        app.get("/admin/api/outbox", None).await,
        401,
        "UNAUTHENTICATED",
    )
    .await;
    let admin = app.admin_tokens().await;
    // Cursor paging over the outbox returns every message once.
    for _ in 0..5 {
        app.otp_request("acme", "ada@acme.test").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/admin/api/outbox?limit=2&cursor={c}"),
            None => "/admin/api/outbox?limit=2".to_owned(),
        };
        let page: Value = json_ok(app.get(&path, Some(&admin.access_token)).await, 200).await;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5);
    let bad = app
        .get("/admin/api/outbox?cursor=zzz", Some(&admin.access_token))
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
}

async fn plans_are_seeded_and_public(b: Backend) {
    let app = spawn_app(b).await;
    let plans: Vec<Value> = json_ok(app.get("/api/plans", None).await, 200).await;
    let codes: Vec<&str> = plans.iter().map(|p| p["code"].as_str().unwrap()).collect();
    for code in ["free", "pro", "enterprise", "system"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert!(plans.iter().all(|p| p["currency"] == "USD"));
}
