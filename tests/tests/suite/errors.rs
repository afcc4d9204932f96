//! Bad input of every kind is a 4xx problem+json and writes nothing.

use serde_json::json;
use tessera_tests::*;

on_both_databases!(
    malformed_json_is_400,
    wrong_types_and_missing_fields_are_422_naming_the_field,
    unknown_fields_are_422,
    oversized_bodies_are_413,
    a_body_that_is_not_json_is_415,
    unknown_routes_are_404_problems,
    a_wrong_method_is_405_with_allow,
    bad_query_values_are_422,
    refused_input_writes_nothing,
    an_array_where_an_object_is_expected_is_422,
);

async fn malformed_json_is_400(b: Backend) {
    let app = spawn_app(b).await;
    let res = app
        .post_raw("/api/auth/login", "application/json", "{\"login\": ")
        .await;
    assert_problem(res, 400, "MALFORMED_JSON").await;
}

async fn wrong_types_and_missing_fields_are_422_naming_the_field(b: Backend) {
    let app = spawn_app(b).await;
    let p = assert_problem(
        app.post("/api/auth/login", &json!({"login": "ada"}), None)
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "password");
    let p = assert_problem(
        app.post(
            "/api/auth/login",
            &json!({"login": 5, "password": "x"}),
            None,
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert!(p.detail.contains("invalid type"), "{}", p.detail);
}

async fn unknown_fields_are_422(b: Backend) {
    let app = spawn_app(b).await;
    let res = app
        .post(
            "/api/auth/login",
            &json!({"login": "a", "password": "b", "role": "super_admin"}),
            None,
        )
        .await;
    let p = assert_problem(res, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap()[0].field, "role");
}

async fn oversized_bodies_are_413(b: Backend) {
    let app = spawn_app_with(b, &[("TESSERA_MAX_BODY_BYTES", "1024")]).await;
    let big = json!({"login": "a".repeat(4096), "password": "x"});
    assert_problem(
        app.post("/api/auth/login", &big, None).await,
        413,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
}

async fn a_body_that_is_not_json_is_415(b: Backend) {
    let app = spawn_app(b).await;
    let res = app
        .post_raw("/api/auth/login", "text/plain", "login=ada")
        .await;
    assert_problem(res, 415, "UNSUPPORTED_MEDIA_TYPE").await;
}

async fn unknown_routes_are_404_problems(b: Backend) {
    let app = spawn_app(b).await;
    assert_problem(app.get("/api/nothing-here", None).await, 404, "NOT_FOUND").await;
    assert_problem(
        app.get("/admin/api/nothing-here", None).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

async fn a_wrong_method_is_405_with_allow(b: Backend) {
    let app = spawn_app(b).await;
    let res = app
        .client
        .delete(format!("{}/api/health", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET");
    assert_problem(res, 405, "METHOD_NOT_ALLOWED").await;
    let res = app.get("/api/auth/login", None).await;
    assert_problem(res, 405, "METHOD_NOT_ALLOWED").await;
}

async fn bad_query_values_are_422(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await;
    let res = app
        .get("/admin/api/outbox?limit=many", Some(&admin.access_token))
        .await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;
    let res = app
        .get("/admin/api/outbox?limit=500", Some(&admin.access_token))
        .await;
    let p = assert_problem(res, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap()[0].field, "limit");
    let res = app
        .get("/admin/api/outbox?colour=red", Some(&admin.access_token))
        .await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;
}

async fn refused_input_writes_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let refused = [
        app.post_raw("/api/auth/register", "application/json", "{\"slug\":").await,
        app.post("/api/auth/register", &json!({"organization_name": "Acme", "slug": "acme"}), None).await,
        app.post(
            "/api/auth/register",
            &json!({"organization_name": "Acme", "slug": "acme", "email": "ada@acme.test", "username": "ada", "password": "short"}),
            None,
        )
        .await,
    ];
    for res in refused {
        assert!(res.status().is_client_error());
    }
    // The slug, e-mail and username are all still free.
    app.register("acme", "ada@acme.test", "ada").await;
}

async fn an_array_where_an_object_is_expected_is_422(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let created = app.create_tenant(&admin, "shape-co", "free").await;
    let slug = created.tenant.slug.clone();
    // serde would read `[name, contact_email, ...]` positionally; the contract says object.
    let p = assert_problem(
        app.update_tenant(&admin, &slug, &json!(["Renamed", null]))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert!(p.detail.contains("expected a JSON object"), "{}", p.detail);
    let p = assert_problem(
        app.post("/api/auth/login", &json!(["ada", "secret"]), None)
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert!(p.detail.contains("expected a JSON object"), "{}", p.detail);
    let tenant: serde_json::Value = json_ok(app.get_tenant(&admin, &slug).await, 200).await;
    assert_ne!(
        tenant["name"], "Renamed",
        "a refused body changed the tenant"
    );
}
