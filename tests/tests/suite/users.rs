//! User management, role rules, deactivation, password resets and the audit trail.

use serde_json::{Value, json};
use tessera_domain::auth::TokenResponse;
use tessera_tests::*;

on_both_databases!(
    staff_search_and_filter_users,
    org_admins_manage_only_their_own_tenant,
    role_escalation_attempts_are_refused,
    a_deactivated_user_can_neither_sign_in_nor_refresh,
    a_mailed_reset_link_sets_a_password_once,
    a_set_password_ends_sessions,
    every_user_change_is_audited_and_the_trail_pages,
);

fn member(email: &str, username: &str, role: &str, tenant: Option<&str>) -> Value {
    let mut v = json!({"email": email, "username": username, "password": "correct-horse-2",
                       "name": format!("Person {username}"), "role": role});
    if let Some(t) = tenant {
        v["tenant"] = json!(t);
    }
    v
}

async fn staff_search_and_filter_users(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    app.register("globex", "bob@globex.test", "bob").await;
    let admin = app.admin_tokens().await;
    let tok = &admin.access_token;
    json_ok::<Value>(
        app.create_user(tok, &member("cy@acme.test", "cyd", "user", Some("acme")))
            .await,
        201,
    )
    .await;
    let page: Value = json_ok(
        app.get("/admin/api/users?search=ACME", Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(page["total"], 2);
    let page: Value = json_ok(
        app.get("/admin/api/users?tenant=acme&role=user", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["username"], "cyd");
    assert_eq!(page["items"][0]["tenant_slug"], "acme");
    let page: Value = json_ok(
        app.get("/admin/api/users?sort=username&per_page=2", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(page["items"][0]["username"], "ada");
    assert_eq!(page["total"], 4);
    assert_problem(
        app.get("/admin/api/users?sort=password_hash", Some(tok))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.get("/admin/api/users?per_page=201", Some(tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.get("/admin/api/users?status=gone", Some(tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
}

async fn org_admins_manage_only_their_own_tenant(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let globex = app.register("globex", "bob@globex.test", "bob").await;
    let tok = &acme.access_token;
    let cy: Value = json_ok(
        app.create_user(tok, &member("cy@acme.test", "cyd", "user", None))
            .await,
        201,
    )
    .await;
    assert_eq!(cy["tenant_slug"], "acme");
    let page: Value = json_ok(app.get("/admin/api/users", Some(tok)).await, 200).await;
    assert_eq!(page["total"], 2, "org admins see only their tenant: {page}");
    let bob = globex.user.id.to_string();
    assert_problem(
        app.get(&format!("/admin/api/users/{bob}"), Some(tok)).await,
        404,
        "USER_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.update_user(tok, &bob, &json!({"name": "Hacked"})).await,
        404,
        "USER_NOT_FOUND",
    )
    .await;
    let res = app
        .create_user(tok, &member("dee@acme.test", "dee", "user", Some("globex")))
        .await;
    assert_problem(res, 404, "TENANT_NOT_FOUND").await;
    let plain: TokenResponse = json_ok(app.login("cyd", "correct-horse-2").await, 200).await;
    assert_problem(
        app.get("/admin/api/users", Some(&plain.access_token)).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

async fn role_escalation_attempts_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &acme.access_token;
    let res = app
        .create_user(tok, &member("eve@acme.test", "eve", "admin", None))
        .await;
    assert_problem(res, 403, "ROLE_ESCALATION").await;
    let cy: Value = json_ok(
        app.create_user(tok, &member("cy@acme.test", "cyd", "user", None))
            .await,
        201,
    )
    .await;
    let id = cy["id"].as_str().unwrap();
    assert_problem(
        app.update_user(tok, id, &json!({"role": "super_admin"}))
            .await,
        403,
        "ROLE_ESCALATION",
    )
    .await;
    // An org admin cannot change their own role either, not even "down and up".
    let me = acme.user.id.to_string();
    assert_problem(
        app.update_user(tok, &me, &json!({"role": "admin"})).await,
        403,
        "ROLE_ESCALATION",
    )
    .await;
    // A platform admin cannot mint or touch super admins.
    let staff = app.admin_tokens().await;
    let adm: Value = json_ok(
        app.create_user(
            &staff.access_token,
            &member("ops@t.test", "ops", "admin", None),
        )
        .await,
        201,
    )
    .await;
    let ops: TokenResponse = json_ok(app.login("ops", "correct-horse-2").await, 200).await;
    let res = app
        .create_user(
            &ops.access_token,
            &member("root@t.test", "root", "super_admin", None),
        )
        .await;
    assert_problem(res, 403, "ROLE_ESCALATION").await;
    let sa = staff.user.id.to_string();
    assert_problem(
        app.update_user(&ops.access_token, &sa, &json!({"active": false}))
            .await,
        403,
        "ROLE_ESCALATION",
    )
    .await;
    // Staff roles carry no tenant.
    let res = app
        .create_user(
            &staff.access_token,
            &member("x@t.test", "xx1", "admin", Some("acme")),
        )
        .await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;
    assert_eq!(adm["tenant_id"], Value::Null);
    // Nothing was changed by the refusals.
    let cy_now: Value = json_ok(
        app.get(&format!("/admin/api/users/{id}"), Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(cy_now["role"], "user");
}

async fn a_deactivated_user_can_neither_sign_in_nor_refresh(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let cy: Value = json_ok(
        app.create_user(
            &acme.access_token,
            &member("cy@acme.test", "cyd", "user", None),
        )
        .await,
        201,
    )
    .await;
    let session: TokenResponse = json_ok(app.login("cyd", "correct-horse-2").await, 200).await;
    let off: Value = json_ok(
        app.update_user(
            &acme.access_token,
            cy["id"].as_str().unwrap(),
            &json!({"active": false}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(off["status"], "inactive");
    assert_problem(
        app.login("cyd", "correct-horse-2").await,
        401,
        "ACCOUNT_INACTIVE",
    )
    .await;
    assert_problem(
        app.refresh(&session.refresh_token).await,
        401,
        "REFRESH_TOKEN_REVOKED",
    )
    .await;
    // Nobody deactivates themselves by accident.
    let me = acme.user.id.to_string();
    assert_problem(
        app.update_user(&acme.access_token, &me, &json!({"active": false}))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
}

async fn a_mailed_reset_link_sets_a_password_once(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let cy: Value = json_ok(
        app.create_user(
            &acme.access_token,
            &member("cy@acme.test", "cyd", "user", None),
        )
        .await,
        201,
    )
    .await;
    let path = format!(
        "/admin/api/users/{}/reset-password",
        cy["id"].as_str().unwrap()
    );
    let out: Value = json_ok(
        app.post(&path, &json!({}), Some(&acme.access_token)).await,
        200,
    )
    .await;
    assert_eq!(out["outcome"], "link_sent");
    let mail = app.outbox_for("cy@acme.test").await;
    let body = mail[0]["body"].as_str().unwrap();
    let token = body
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let done = app
        .post(
            "/api/auth/password-reset",
            &json!({"token": token, "password": "brand-new-pass-1"}),
            None,
        )
        .await;
    assert_eq!(done.status().as_u16(), 204);
    json_ok::<TokenResponse>(app.login("cyd", "brand-new-pass-1").await, 200).await;
    assert_problem(
        app.login("cyd", "correct-horse-2").await,
        401,
        "INVALID_CREDENTIALS",
    )
    .await;
    let again = app
        .post(
            "/api/auth/password-reset",
            &json!({"token": token, "password": "another-pass-12"}),
            None,
        )
        .await;
    assert_problem(again, 400, "INVALID_RESET_TOKEN").await;
    let short = app
        .post(
            "/api/auth/password-reset",
            &json!({"token": token, "password": "short"}),
            None,
        )
        .await;
    assert_problem(short, 422, "VALIDATION_FAILED").await;
}

async fn a_set_password_ends_sessions(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let cy: Value = json_ok(
        app.create_user(
            &acme.access_token,
            &member("cy@acme.test", "cyd", "user", None),
        )
        .await,
        201,
    )
    .await;
    let session: TokenResponse = json_ok(app.login("cyd", "correct-horse-2").await, 200).await;
    let path = format!(
        "/admin/api/users/{}/reset-password",
        cy["id"].as_str().unwrap()
    );
    let out: Value = json_ok(
        app.post(
            &path,
            &json!({"password": "set-by-admin-1"}),
            Some(&acme.access_token),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(out["outcome"], "password_set");
    assert_problem(
        app.refresh(&session.refresh_token).await,
        401,
        "REFRESH_TOKEN_REVOKED",
    )
    .await;
    json_ok::<TokenResponse>(app.login("cyd", "set-by-admin-1").await, 200).await;
}

async fn every_user_change_is_audited_and_the_trail_pages(b: Backend) {
    let app = spawn_app(b).await;
    let acme = app.register("acme", "ada@acme.test", "ada").await;
    let staff = app.admin_tokens().await;
    let cy: Value = json_ok(
        app.create_user(
            &staff.access_token,
            &member("cy@acme.test", "cyd", "user", Some("acme")),
        )
        .await,
        201,
    )
    .await;
    let id = cy["id"].as_str().unwrap();
    for n in 0..3 {
        json_ok::<Value>(
            app.update_user(
                &staff.access_token,
                id,
                &json!({"notes": format!("note {n}")}),
            )
            .await,
            200,
        )
        .await;
    }
    let trail = app.audit(&staff.access_token, "action=user&limit=2").await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 2);
    assert_eq!(trail["items"][0]["action"], "user.update");
    assert_eq!(trail["items"][0]["actor_email"], ADMIN_EMAIL);
    assert_eq!(trail["items"][0]["after"]["notes"], "note 2");
    assert_eq!(trail["items"][0]["before"]["notes"], "note 1");
    let c = trail["next_cursor"].as_str().unwrap();
    let rest = app
        .audit(
            &staff.access_token,
            &format!("action=user&limit=2&cursor={c}"),
        )
        .await;
    let actions: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.update", "user.create"]);
    assert!(rest["next_cursor"].is_null());
    let by_actor = app
        .audit(
            &staff.access_token,
            &format!("actor={ADMIN_EMAIL}&tenant=acme"),
        )
        .await;
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 4);
    // The org admin sees its own tenant's trail; a plain user sees none of it.
    let own = app.audit(&acme.access_token, "").await;
    assert_eq!(own["items"].as_array().unwrap().len(), 4);
    let plain: TokenResponse = json_ok(app.login("cyd", "correct-horse-2").await, 200).await;
    assert_problem(
        app.get("/admin/api/audit", Some(&plain.access_token)).await,
        403,
        "FORBIDDEN",
    )
    .await;
}
