//! Activation codes, device activation under concurrency, signed licenses and devices,
//! through real HTTP on both databases.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use futures_util::future::join_all;
use serde_json::{Value, json};
use tessera_domain::code::{CodeStatus, CodeView};
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::license::{
    ActivateResponse, LicenseClaims, LicenseStatus, ValidateLicenseResponse,
};
use tessera_domain::page::Paged;
use tessera_domain::tenant::TenantView;
use tessera_tests::licensing::license_claims;
use tessera_tests::*;
use uuid::Uuid;

on_both_databases!(
    fifty_concurrent_activations_of_a_three_use_code_redeem_it_exactly_three_times,
    concurrent_activations_never_exceed_the_plan_device_quota,
    reactivating_the_same_fingerprint_with_the_same_code_is_idempotent,
    every_activation_refusal_has_its_stable_code,
    activation_attempts_are_rate_limited_per_ip,
    a_license_verifies_offline_with_the_published_public_key,
    validation_reports_each_verdict_and_records_the_heartbeat,
    the_heartbeat_is_recorded_on_first_validation_and_then_at_most_once_a_minute,
    codes_are_generated_listed_filtered_and_revoked,
    devices_are_listed_and_revoked_by_staff_and_by_their_own_tenant_only,
    the_dashboard_counts_what_the_database_holds,
);

/// The status and problem code (or `OK`) of each answer.
async fn outcomes(results: Vec<reqwest::Response>) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for r in results {
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        let code = body["code"].as_str().map_or("OK".to_owned(), str::to_owned);
        out.push((status, code));
    }
    out
}

async fn code_view(app: &TestApp, admin: &str, tenant: &str, id: Uuid) -> CodeView {
    let page: Paged<CodeView> = json_ok(
        app.list_codes(admin, &format!("tenant={tenant}&per_page=200"))
            .await,
        200,
    )
    .await;
    page.items
        .into_iter()
        .find(|c| c.id == id)
        .expect("the code is listed")
}

async fn fifty_concurrent_activations_of_a_three_use_code_redeem_it_exactly_three_times(
    b: Backend,
) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    app.create_tenant(&admin, "acme", "enterprise").await;
    let batch = app.create_codes(&admin, "acme", 1, 3).await;
    let code = &batch.codes[0];
    let fingerprints: Vec<String> = (0..50).map(|i| format!("fp-{i}")).collect();
    let attempts = fingerprints.iter().map(|fp| app.activate(&code.code, fp));
    let got = outcomes(join_all(attempts).await).await;
    let created = got.iter().filter(|o| o.0 == 201).count();
    let exhausted = got
        .iter()
        .filter(|o| *o == &(409, "CODE_EXHAUSTED".to_owned()))
        .count();
    assert_eq!((created, exhausted), (3, 47), "outcomes: {got:?}");
    let view = code_view(&app, &admin, "acme", code.id).await;
    assert_eq!((view.use_count, view.status), (3, CodeStatus::Used));
    let devices: Paged<DeviceView> =
        json_ok(app.list_devices(&admin, "tenant=acme").await, 200).await;
    assert_eq!(devices.total, 3);
    let tenant: TenantView = json_ok(app.get_tenant(&admin, "acme").await, 200).await;
    assert_eq!(tenant.active_devices, 3);
}

async fn concurrent_activations_never_exceed_the_plan_device_quota(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    json_ok::<Value>(
        app.update_plan(&admin, "free", &json!({"device_quota": 2}))
            .await,
        200,
    )
    .await;
    app.create_tenant(&admin, "acme", "free").await;
    let batch = app.create_codes(&admin, "acme", 2, 50).await;
    let fingerprints: Vec<String> = (0..20).map(|i| format!("fp-{i}")).collect();
    let attempts = fingerprints
        .iter()
        .enumerate()
        .map(|(i, fp)| app.activate(&batch.codes[i % 2].code, fp));
    let got = outcomes(join_all(attempts).await).await;
    let created = got.iter().filter(|o| o.0 == 201).count();
    let refused = got
        .iter()
        .filter(|o| *o == &(409, "DEVICE_QUOTA_EXCEEDED".to_owned()))
        .count();
    assert_eq!((created, refused), (2, 18), "outcomes: {got:?}");
    // Refused attempts rolled back their code use.
    let uses: i32 = [
        code_view(&app, &admin, "acme", batch.codes[0].id)
            .await
            .use_count,
        code_view(&app, &admin, "acme", batch.codes[1].id)
            .await
            .use_count,
    ]
    .iter()
    .sum();
    assert_eq!(uses, 2);
    let tenant: TenantView = json_ok(app.get_tenant(&admin, "acme").await, 200).await;
    assert_eq!(tenant.active_devices, 2);

    // Revoking a device frees its slot, exactly one.
    let devices: Paged<DeviceView> =
        json_ok(app.list_devices(&admin, "tenant=acme").await, 200).await;
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &devices.items[0].id.to_string())
            .await,
        200,
    )
    .await;
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &devices.items[0].id.to_string())
            .await,
        200,
    )
    .await;
    json_ok::<ActivateResponse>(app.activate(&batch.codes[0].code, "fp-new").await, 201).await;
    assert_problem(
        app.activate(&batch.codes[0].code, "fp-newer").await,
        409,
        "DEVICE_QUOTA_EXCEEDED",
    )
    .await;
}

async fn reactivating_the_same_fingerprint_with_the_same_code_is_idempotent(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    app.create_tenant(&admin, "acme", "pro").await;
    let batch = app.create_codes(&admin, "acme", 1, 1).await;
    let code = &batch.codes[0];
    let first: ActivateResponse = json_ok(app.activate(&code.code, "fp-a").await, 201).await;
    // Typed differently (case, spaces, no dashes): the same code.
    let sloppy = format!(" {} ", code.code.to_lowercase().replace('-', " "));
    let again: ActivateResponse = json_ok(app.activate(&sloppy, "fp-a").await, 200).await;
    assert_eq!(again.device.id, first.device.id);
    assert!(again.expires_at >= first.expires_at);
    assert_eq!(license_claims(&again.license).device_id, first.device.id);
    let view = code_view(&app, &admin, "acme", code.id).await;
    assert_eq!(view.use_count, 1, "a repeat uses nothing");
    assert_problem(
        app.activate(&code.code, "fp-b").await,
        409,
        "CODE_EXHAUSTED",
    )
    .await;
    let devices: Paged<DeviceView> =
        json_ok(app.list_devices(&admin, "tenant=acme").await, 200).await;
    assert_eq!(devices.total, 1);
    // Concurrent repeats of one device also make one device.
    let batch = app.create_codes(&admin, "acme", 1, 5).await;
    let attempts = (0..8).map(|_| app.activate(&batch.codes[0].code, "fp-same"));
    let got = outcomes(join_all(attempts).await).await;
    assert_eq!(got.iter().filter(|o| o.0 == 201).count(), 1, "{got:?}");
    assert_eq!(got.iter().filter(|o| o.0 == 200).count(), 7, "{got:?}");
    assert_eq!(
        code_view(&app, &admin, "acme", batch.codes[0].id)
            .await
            .use_count,
        1
    );
}

async fn every_activation_refusal_has_its_stable_code(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    app.create_tenant(&admin, "acme", "pro").await;
    let batch = app.create_codes(&admin, "acme", 5, 1).await;
    let [revoked, expired, exhausted, suspended, device] =
        [0, 1, 2, 3, 4].map(|i| batch.codes[i].clone());

    assert_problem(
        app.activate("2222-3333-4444-5555", "fp").await,
        404,
        "CODE_NOT_FOUND",
    )
    .await;
    let p = assert_problem(
        app.activate("not a code", "fp").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "code");
    let res = app
        .post(
            "/api/activate",
            &json!({"code": revoked.code, "fingerprint": "", "name": "x", "platform": "y"}),
            None,
        )
        .await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;

    json_ok::<CodeView>(app.revoke_code(&admin, revoked.id).await, 200).await;
    assert_problem(app.activate(&revoked.code, "fp").await, 403, "CODE_REVOKED").await;

    app.expire_code(expired.id).await;
    assert_problem(app.activate(&expired.code, "fp").await, 410, "CODE_EXPIRED").await;

    json_ok::<ActivateResponse>(app.activate(&exhausted.code, "fp-1").await, 201).await;
    assert_problem(
        app.activate(&exhausted.code, "fp-2").await,
        409,
        "CODE_EXHAUSTED",
    )
    .await;

    let first: ActivateResponse = json_ok(app.activate(&device.code, "fp-d").await, 201).await;
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &first.device.id.to_string())
            .await,
        200,
    )
    .await;
    assert_problem(
        app.activate(&device.code, "fp-d").await,
        403,
        "DEVICE_REVOKED",
    )
    .await;

    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "suspended"}))
            .await,
        200,
    )
    .await;
    assert_problem(
        app.activate(&suspended.code, "fp").await,
        403,
        "TENANT_SUSPENDED",
    )
    .await;
    assert_problem(
        app.activate(&exhausted.code, "fp-1").await,
        403,
        "TENANT_SUSPENDED",
    )
    .await;
    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "active"}))
            .await,
        200,
    )
    .await;
    json_ok::<ActivateResponse>(app.activate(&suspended.code, "fp").await, 201).await;
    // DEVICE_QUOTA_EXCEEDED is proven under concurrency in its own test.
}

async fn activation_attempts_are_rate_limited_per_ip(b: Backend) {
    let app = spawn_app_with(b, &[("TESSERA_ACTIVATE_RATE_LIMIT", "3")]).await;
    for _ in 0..3 {
        assert_problem(
            app.activate("2222-3333-4444-5555", "fp").await,
            404,
            "CODE_NOT_FOUND",
        )
        .await;
    }
    let res = app.activate("2222-3333-4444-5555", "fp").await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry), "Retry-After {retry}");
    assert_problem(res, 429, "RATE_LIMITED").await;
    // Sign-in has its own budget.
    json_ok::<Value>(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, 200).await;
}

async fn a_license_verifies_offline_with_the_published_public_key(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let tenant = app.create_tenant(&admin, "acme", "pro").await;
    let pk = app.license_public_key().await;
    let activated: ActivateResponse =
        json_ok(app.activate(&tenant.codes[0].code, "fp-offline").await, 201).await;

    // From here on, no server call: what a device does with the key it cached.
    assert_eq!(pk.algorithm, "EdDSA");
    assert_eq!(
        (pk.jwk.kty.as_str(), pk.jwk.crv.as_str()),
        ("OKP", "Ed25519")
    );
    assert_eq!(pk.jwk.x, pk.public_key);
    assert_eq!(pk.jwk.kid, pk.kid);
    let key_bytes: [u8; 32] = B64.decode(&pk.public_key).unwrap().try_into().unwrap();
    let key = VerifyingKey::from_bytes(&key_bytes).unwrap();
    let parts: Vec<&str> = activated.license.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&B64.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header, json!({"alg": "EdDSA", "typ": "JWT", "kid": pk.kid}));
    let signature = Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
    let signed = format!("{}.{}", parts[0], parts[1]);
    key.verify_strict(signed.as_bytes(), &signature)
        .expect("the license verifies offline");

    let claims: LicenseClaims = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims.iss, "tessera");
    assert_eq!(
        (claims.tenant_id, claims.tenant_slug.as_str()),
        (tenant.tenant.id, "acme")
    );
    assert_eq!(claims.device_id, activated.device.id);
    assert_eq!(claims.fingerprint, "fp-offline");
    assert_eq!(claims.plan, "pro");
    assert_eq!(
        (
            claims.entitlements.plan.as_str(),
            claims.entitlements.project_quota,
            claims.entitlements.device_quota
        ),
        ("pro", 25, 100)
    );
    assert_eq!(claims.exp - claims.iat, 30 * 24 * 3600);
    assert_eq!(claims.exp, activated.expires_at.timestamp());

    // Any change to the claims breaks the signature.
    let mut forged = claims.clone();
    forged.entitlements.device_quota = 1_000_000;
    let forged_input = format!(
        "{}.{}",
        parts[0],
        B64.encode(serde_json::to_vec(&forged).unwrap())
    );
    assert!(
        key.verify_strict(forged_input.as_bytes(), &signature)
            .is_err()
    );
}

async fn validation_reports_each_verdict_and_records_the_heartbeat(b: Backend) {
    // A configured key, so this test can also sign tokens the server never issued.
    let seed = [42u8; 32];
    let app = spawn_app_with(b, &[("TESSERA_LICENSE_SIGNING_KEY", &B64.encode(seed))]).await;
    let admin = app.admin_tokens().await.access_token;
    let tenant = app.create_tenant(&admin, "acme", "pro").await;
    let pk = app.license_public_key().await;
    let ours = SigningKey::from_bytes(&seed);
    assert_eq!(pk.public_key, B64.encode(ours.verifying_key().as_bytes()));
    let sign = |claims: &LicenseClaims, key: &SigningKey| {
        let header = B64.encode(
            serde_json::to_vec(&json!({"alg": "EdDSA", "typ": "JWT", "kid": pk.kid})).unwrap(),
        );
        let input = format!(
            "{header}.{}",
            B64.encode(serde_json::to_vec(claims).unwrap())
        );
        format!(
            "{input}.{}",
            B64.encode(key.sign(input.as_bytes()).to_bytes())
        )
    };
    let validate = |license: String| {
        let app = &app;
        async move {
            json_ok::<ValidateLicenseResponse>(app.validate_license(&license).await, 200).await
        }
    };

    let a: ActivateResponse = json_ok(app.activate(&tenant.codes[0].code, "fp-a").await, 201).await;
    assert!(a.device.last_seen_at.is_none());
    let v = validate(a.license.clone()).await;
    assert!(v.valid);
    assert_eq!(v.code, LicenseStatus::Valid);
    assert_eq!(v.expires_at, Some(a.expires_at));
    let seen = v
        .device
        .expect("the device")
        .last_seen_at
        .expect("the heartbeat was recorded");
    let listed: Paged<DeviceView> =
        json_ok(app.list_devices(&admin, "tenant=acme").await, 200).await;
    assert_eq!(listed.items[0].last_seen_at, Some(seen));

    let claims = license_claims(&a.license);
    let mut tampered = claims.clone();
    tampered.plan = "enterprise".into();
    let parts: Vec<&str> = a.license.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(serde_json::to_vec(&tampered).unwrap()),
        parts[2]
    );
    let v = validate(forged).await;
    assert_eq!((v.valid, v.code), (false, LicenseStatus::InvalidSignature));
    assert!(v.device.is_none());
    let stranger = sign(&claims, &SigningKey::from_bytes(&[7u8; 32]));
    assert_eq!(
        validate(stranger).await.code,
        LicenseStatus::InvalidSignature
    );

    let mut old = claims.clone();
    old.iat -= 90 * 86400;
    old.exp = old.iat + 86400;
    let v = validate(sign(&old, &ours)).await;
    assert_eq!((v.valid, v.code), (false, LicenseStatus::Expired));
    let mut ghost = claims.clone();
    ghost.device_id = Uuid::new_v4();
    assert_eq!(
        validate(sign(&ghost, &ours)).await.code,
        LicenseStatus::DeviceNotFound
    );

    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "suspended"}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        validate(a.license.clone()).await.code,
        LicenseStatus::TenantSuspended
    );
    json_ok::<TenantView>(
        app.update_tenant(&admin, "acme", &json!({"status": "active"}))
            .await,
        200,
    )
    .await;
    assert_eq!(validate(a.license.clone()).await.code, LicenseStatus::Valid);
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &a.device.id.to_string()).await,
        200,
    )
    .await;
    let v = validate(a.license.clone()).await;
    assert_eq!((v.valid, v.code), (false, LicenseStatus::DeviceRevoked));
    assert_eq!(v.device.unwrap().status, DeviceStatus::Revoked);

    for garbage in ["not-a-token", "a.b.c", "", "x.y.z.w"] {
        let p = assert_problem(
            app.validate_license(garbage).await,
            422,
            "VALIDATION_FAILED",
        )
        .await;
        assert_eq!(p.errors.unwrap()[0].field, "license");
    }
}

async fn codes_are_generated_listed_filtered_and_revoked(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let other = app.register("globex", "gus@globex.test", "gus").await;
    let tid = owner.user.tenant_id.unwrap();
    let body = json!({"tenant": tid.to_string(), "count": 4, "label": "Order 7_%", "max_uses": 1, "ttl_days": 10});
    let batch: tessera_domain::code::CreateCodesResponse =
        json_ok(app.create_codes_raw(&admin, &body).await, 201).await;
    assert_eq!(
        (
            batch.tenant_id,
            batch.tenant_slug.as_str(),
            batch.codes.len()
        ),
        (tid, "acme", 4)
    );
    let ttl = batch.codes[0].expires_at.unwrap() - chrono::Utc::now();
    assert!((9..=10).contains(&ttl.num_days()), "{ttl:?}");
    app.create_codes(&admin, "globex", 2, 5).await;

    json_ok::<ActivateResponse>(app.activate(&batch.codes[0].code, "fp-1").await, 201).await;
    let revoked: CodeView = json_ok(app.revoke_code(&admin, batch.codes[1].id).await, 200).await;
    assert_eq!(revoked.status, CodeStatus::Revoked);
    let again: CodeView = json_ok(app.revoke_code(&admin, batch.codes[1].id).await, 200).await;
    assert_eq!(
        again.revoked_at, revoked.revoked_at,
        "revoking twice changes nothing"
    );
    app.expire_code(batch.codes[2].id).await;

    let count = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            json_ok::<Paged<CodeView>>(app.list_codes(&admin, q).await, 200)
                .await
                .total
        }
    };
    assert_eq!(count("tenant=acme&status=active").await, 1);
    assert_eq!(count("tenant=acme&status=used").await, 1);
    assert_eq!(count("tenant=acme&status=revoked").await, 1);
    assert_eq!(count("tenant=acme&status=expired").await, 1);
    assert_eq!(count("status=active").await, 3);
    assert_eq!(count("search=ORDER 7_").await, 4);
    assert_eq!(count("search=7__").await, 0, "wildcards are literal");
    assert_eq!(count("tenant=nowhere").await, 0);
    let page: Paged<CodeView> = json_ok(
        app.list_codes(&admin, &format!("search={}", batch.codes[3].prefix))
            .await,
        200,
    )
    .await;
    assert!(page.items.iter().any(|c| c.id == batch.codes[3].id));
    let page: Paged<CodeView> = json_ok(
        app.list_codes(&admin, "tenant=acme&sort=-use_count").await,
        200,
    )
    .await;
    assert_eq!(page.items[0].use_count, 1);
    assert_eq!(page.items[0].tenant_slug, "acme");
    assert_problem(
        app.list_codes(&admin, "sort=code_hash").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.list_codes(&admin, "status=lost").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.revoke_code(&admin, Uuid::new_v4()).await,
        404,
        "CODE_NOT_FOUND",
    )
    .await;

    // Each tenant admin sees only their own codes; staff have their own list.
    let own: Paged<CodeView> =
        json_ok(app.list_tenant_codes(&owner.access_token, "").await, 200).await;
    assert_eq!(own.total, 4);
    assert!(own.items.iter().all(|c| c.tenant_id == tid));
    let theirs: Paged<CodeView> = json_ok(
        app.list_tenant_codes(&other.access_token, "status=active")
            .await,
        200,
    )
    .await;
    assert_eq!(theirs.total, 2);
    assert_problem(app.list_tenant_codes(&admin, "").await, 403, "FORBIDDEN").await;

    let bad = app
        .create_codes_raw(
            &admin,
            &json!({"tenant": "acme", "count": 0, "max_uses": 0, "ttl_days": 0}),
        )
        .await;
    let p = assert_problem(bad, 422, "VALIDATION_FAILED").await;
    assert_eq!(p.errors.unwrap().len(), 3);
    let p = assert_problem(
        app.create_codes_raw(&admin, &json!({"tenant": "nowhere", "count": 1}))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "tenant");
    let big: tessera_domain::code::CreateCodesResponse = json_ok(
        app.create_codes_raw(&admin, &json!({"tenant": "globex", "count": 1000}))
            .await,
        201,
    )
    .await;
    assert_eq!(big.codes.len(), 1000);
    assert!(
        big.codes
            .iter()
            .all(|c| c.max_uses == 1 && c.expires_at.is_none() && c.label.is_none())
    );

    let audit = app.audit_actions().await;
    assert_eq!(audit.iter().filter(|(a, _)| a == "code.create").count(), 3);
    assert_eq!(audit.iter().filter(|(a, _)| a == "code.revoke").count(), 1);
}

async fn devices_are_listed_and_revoked_by_staff_and_by_their_own_tenant_only(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let acme = app
        .register("acme", "ada@acme.test", "ada")
        .await
        .access_token;
    let globex = app
        .register("globex", "gus@globex.test", "gus")
        .await
        .access_token;
    let a_code = app.one_code(&admin, "acme", 5).await;
    let g_code = app.one_code(&admin, "globex", 5).await;
    let a1: ActivateResponse = json_ok(app.activate(&a_code, "a-1").await, 201).await;
    json_ok::<ActivateResponse>(app.activate(&a_code, "a-2").await, 201).await;
    let g1: ActivateResponse = json_ok(app.activate(&g_code, "g-1").await, 201).await;

    let own: Paged<DeviceView> =
        json_ok(app.list_tenant_devices(&acme, "sort=name").await, 200).await;
    let names: Vec<&str> = own.items.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Device a-1", "Device a-2"]);
    // Another tenant's device does not exist for this tenant.
    assert_problem(
        app.revoke_tenant_device(&acme, &g1.device.id.to_string())
            .await,
        404,
        "DEVICE_NOT_FOUND",
    )
    .await;
    let g_still: Paged<DeviceView> =
        json_ok(app.list_tenant_devices(&globex, "status=active").await, 200).await;
    assert_eq!(g_still.total, 1);

    let revoked: DeviceView = json_ok(
        app.revoke_tenant_device(&acme, &a1.device.id.to_string())
            .await,
        200,
    )
    .await;
    assert_eq!(revoked.status, DeviceStatus::Revoked);
    let own: Paged<DeviceView> =
        json_ok(app.list_tenant_devices(&acme, "status=revoked").await, 200).await;
    assert_eq!(own.total, 1);
    let t: TenantView = json_ok(app.get_tenant(&admin, "acme").await, 200).await;
    assert_eq!(t.active_devices, 1);

    let count = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            json_ok::<Paged<DeviceView>>(app.list_devices(&admin, q).await, 200)
                .await
                .total
        }
    };
    assert_eq!(count("").await, 3);
    assert_eq!(count("tenant=globex").await, 1);
    assert_eq!(count("status=active").await, 2);
    assert_eq!(count("search=DEVICE A-").await, 2);
    assert_eq!(count("search=linux").await, 3);
    assert_eq!(count("tenant=acme&status=active&search=a-2").await, 1);
    assert_problem(
        app.list_devices(&admin, "sort=fingerprint_hash").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_problem(
        app.list_devices(&admin, "per_page=500").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let page: Paged<DeviceView> = json_ok(
        app.list_devices(&admin, "sort=-activated_at&per_page=1")
            .await,
        200,
    )
    .await;
    assert_eq!(page.items[0].id, g1.device.id);

    json_ok::<DeviceView>(
        app.revoke_device(&admin, &g1.device.id.to_string()).await,
        200,
    )
    .await;
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &g1.device.id.to_string()).await,
        200,
    )
    .await;
    assert_problem(
        app.revoke_device(&admin, &Uuid::new_v4().to_string()).await,
        404,
        "DEVICE_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.revoke_device(&admin, "not-an-id").await,
        404,
        "NOT_FOUND",
    )
    .await;

    assert_problem(app.list_tenant_devices(&admin, "").await, 403, "FORBIDDEN").await;
    assert_problem(
        app.revoke_tenant_device(&admin, &g1.device.id.to_string())
            .await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_problem(app.list_devices(&acme, "").await, 403, "FORBIDDEN").await;
    assert_problem(
        app.revoke_device(&acme, &g1.device.id.to_string()).await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_problem(
        app.list_tenant_devices("garbage", "").await,
        401,
        "INVALID_TOKEN",
    )
    .await;

    let revokes = app
        .audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "device.revoke")
        .count();
    assert_eq!(revokes, 2, "one per device actually revoked");
}

async fn the_dashboard_counts_what_the_database_holds(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let d = app.dashboard(&admin).await;
    assert_eq!(
        (d.tenants, d.active_codes, d.devices, d.activations_today),
        (0, 0, 0, 0)
    );
    let tenant = app.create_tenant(&admin, "acme", "pro").await;
    app.register("globex", "gus@globex.test", "gus").await;
    let a: ActivateResponse = json_ok(app.activate(&tenant.codes[0].code, "fp-1").await, 201).await;
    json_ok::<ActivateResponse>(app.activate(&tenant.codes[1].code, "fp-2").await, 201).await;
    json_ok::<CodeView>(app.revoke_code(&admin, tenant.codes[2].id).await, 200).await;
    json_ok::<DeviceView>(
        app.revoke_device(&admin, &a.device.id.to_string()).await,
        200,
    )
    .await;
    let d = app.dashboard(&admin).await;
    assert_eq!(
        (d.tenants, d.active_codes, d.devices, d.activations_today),
        (2, 0, 1, 2)
    );
}

async fn the_heartbeat_is_recorded_on_first_validation_and_then_at_most_once_a_minute(b: Backend) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tessera_domain::entity::device;

    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await.access_token;
    let tenant = app.create_tenant(&admin, "acme", "pro").await;
    let a: ActivateResponse = json_ok(app.activate(&tenant.codes[0].code, "fp-a").await, 201).await;
    assert!(a.device.last_seen_at.is_none());
    let validate = || async {
        let v: ValidateLicenseResponse = json_ok(app.validate_license(&a.license).await, 200).await;
        assert_eq!(v.code, LicenseStatus::Valid);
        v.device.expect("the device").last_seen_at
    };
    let stored = || async {
        let listed: Paged<DeviceView> =
            json_ok(app.list_devices(&admin, "tenant=acme").await, 200).await;
        listed.items[0].last_seen_at
    };

    // The first validation writes the heartbeat, and answers what was stored.
    let first = validate()
        .await
        .expect("the first validation records the heartbeat");
    assert_eq!(stored().await, Some(first));
    // A repeat answers the stored heartbeat; it is rewritten only once it is a minute old.
    let again = validate().await.expect("still recorded");
    assert!(
        again == first || again - first >= chrono::TimeDelta::seconds(60),
        "{first} then {again}"
    );
    assert_eq!(stored().await, Some(again));

    // A heartbeat older than a minute is replaced by the next validation.
    let long_ago = chrono::Utc::now() - chrono::TimeDelta::hours(2);
    let db = app.db().await;
    device::Entity::update_many()
        .col_expr(device::Column::LastSeenAt, Expr::value(long_ago))
        .filter(device::Column::Id.eq(a.device.id))
        .exec(&db)
        .await
        .expect("age the heartbeat");
    let renewed = validate().await.expect("recorded");
    assert!(
        renewed - long_ago > chrono::TimeDelta::hours(1),
        "{long_ago} then {renewed}"
    );
    assert_eq!(stored().await, Some(renewed));
}
