//! Hardening at the edge: forged and misused tokens, CORS, security headers, body limits
//! and slow clients. The database plays no part here, so these run on SQLite only.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::Signer;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};
use tessera_domain::auth::TokenResponse;
use tessera_domain::license::ActivateResponse;
use tessera_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

/// The access token key these tests configure, so they can mint tokens the server would.
const JWT_SECRET: &str = "hardening-test-jwt-secret-0123456789abcdef";
/// The one origin the CORS tests allow.
const SPA_ORIGIN: &str = "https://app.tessera.test";

fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

fn hs256(key: &[u8], input: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hs512(key: &[u8], input: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A compact JWS of `header` and `claims`, signed by `sign` over `header.payload`.
fn jws(header: &Value, claims: &Value, sign: impl Fn(&str) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = sign(&input);
    format!("{input}.{}", b64(&sig))
}

/// The claims the server puts in an access token for this user.
fn claims_for(tokens: &TokenResponse) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": tokens.user.id, "tid": tokens.user.tenant_id, "role": tokens.user.role,
           "exp": now + 600, "iat": now, "jti": Uuid::new_v4(),
           "iss": "tessera", "aud": "tessera-api"})
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("an object").remove(key);
    claims
}

/// A real token with its payload rewritten and its original signature kept.
fn tampered(token: &str, edit: impl Fn(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&B64.decode(parts[1]).expect("base64url")).expect("claims");
    edit(&mut payload);
    format!(
        "{}.{}.{}",
        parts[0],
        b64(payload.to_string().as_bytes()),
        parts[2]
    )
}

async fn bearer(app: &TestApp, path: &str, token: &str) -> Response {
    app.get(path, Some(token)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_misused_tokens_are_401_and_reveal_nothing() {
    let app = spawn_app_with(Backend::Sqlite, &[("TESSERA_JWT_SECRET", JWT_SECRET)]).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    let good = claims_for(&owner);

    // Controls: what the forgeries below are made of is right, so each one fails only for
    // the flaw it carries.
    let minted = jws(&hs, &good, |i| hs256(JWT_SECRET.as_bytes(), i));
    json_ok::<Value>(bearer(&app, "/api/auth/me", &minted).await, 200).await;
    assert_problem(
        bearer(&app, "/admin/api/outbox", &minted).await,
        403,
        "FORBIDDEN",
    )
    .await;

    let key = app.license_public_key().await;
    let public_raw = B64.decode(&key.public_key).expect("base64url public key");
    let code = app.one_code(&admin.access_token, "acme", 1).await;
    let device: ActivateResponse = json_ok(app.activate(&code, "fp-jwt").await, 201).await;
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let now = chrono::Utc::now().timestamp();
    let raised = with(good.clone(), "role", json!("super_admin"));
    let secret = JWT_SECRET.as_bytes();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "alg none, no signature",
            jws(&json!({"alg": "none", "typ": "JWT"}), &good, |_| Vec::new()),
            "INVALID_TOKEN",
        ),
        (
            "alg none raised to super_admin",
            jws(&json!({"alg": "none", "typ": "JWT"}), &raised, |_| {
                Vec::new()
            }),
            "INVALID_TOKEN",
        ),
        (
            "alg None with the real HS256 signature",
            jws(&json!({"alg": "None", "typ": "JWT"}), &good, |i| {
                hs256(secret, i)
            }),
            "INVALID_TOKEN",
        ),
        (
            "HS256 keyed with the raw Ed25519 public key",
            jws(&hs, &raised, |i| hs256(&public_raw, i)),
            "INVALID_TOKEN",
        ),
        (
            "HS256 keyed with the public key's base64url text",
            jws(&hs, &raised, |i| hs256(key.public_key.as_bytes(), i)),
            "INVALID_TOKEN",
        ),
        (
            "HS256 keyed with the public JWK",
            jws(&hs, &raised, |i| {
                hs256(serde_json::to_string(&key.jwk).unwrap().as_bytes(), i)
            }),
            "INVALID_TOKEN",
        ),
        (
            "EdDSA header, signed with another Ed25519 key",
            jws(
                &json!({"alg": "EdDSA", "typ": "JWT", "kid": key.kid}),
                &raised,
                |i| stranger.sign(i.as_bytes()).to_bytes().to_vec(),
            ),
            "INVALID_TOKEN",
        ),
        (
            "a device license (EdDSA, signed by this server)",
            device.license.clone(),
            "INVALID_TOKEN",
        ),
        (
            "HS512 with the right secret (the algorithm is pinned)",
            jws(&json!({"alg": "HS512", "typ": "JWT"}), &good, |i| {
                hs512(secret, i)
            }),
            "INVALID_TOKEN",
        ),
        (
            "expired an hour ago",
            jws(
                &hs,
                &with(
                    with(good.clone(), "exp", json!(now - 3600)),
                    "iat",
                    json!(now - 4500),
                ),
                |i| hs256(secret, i),
            ),
            "TOKEN_EXPIRED",
        ),
        (
            "no expiry",
            jws(&hs, &without(good.clone(), "exp"), |i| hs256(secret, i)),
            "INVALID_TOKEN",
        ),
        (
            "wrong audience",
            jws(
                &hs,
                &with(good.clone(), "aud", json!("tessera-license")),
                |i| hs256(secret, i),
            ),
            "INVALID_TOKEN",
        ),
        (
            "no audience",
            jws(&hs, &without(good.clone(), "aud"), |i| hs256(secret, i)),
            "INVALID_TOKEN",
        ),
        (
            "wrong issuer",
            jws(&hs, &with(good.clone(), "iss", json!("evil")), |i| {
                hs256(secret, i)
            }),
            "INVALID_TOKEN",
        ),
        (
            "signed with another secret",
            jws(&hs, &good, |i| {
                hs256(b"not-the-server-secret-0123456789", i)
            }),
            "INVALID_TOKEN",
        ),
        (
            "payload raised to super_admin, original signature",
            tampered(&owner.access_token, |c| c["role"] = json!("super_admin")),
            "INVALID_TOKEN",
        ),
        (
            "payload moved to the system tenant's staff, original signature",
            tampered(&owner.access_token, |c| {
                c["tid"] = Value::Null;
                c["sub"] = json!(admin.user.id);
            }),
            "INVALID_TOKEN",
        ),
        (
            "payload's expiry extended, original signature",
            tampered(&owner.access_token, |c| {
                c["exp"] = json!(now + 86_400 * 365)
            }),
            "INVALID_TOKEN",
        ),
        (
            "signature stripped",
            {
                let t = &owner.access_token;
                t[..t.rfind('.').unwrap() + 1].to_owned()
            },
            "INVALID_TOKEN",
        ),
        (
            "the refresh token",
            owner.refresh_token.clone(),
            "INVALID_TOKEN",
        ),
    ];
    let never_shown = [
        owner.user.email.clone(),
        owner.user.id.to_string(),
        JWT_SECRET.to_owned(),
        "ErrorKind".to_owned(),
        "InvalidSignature".to_owned(),
        "panicked".to_owned(),
    ];
    let mut failures = Vec::new();
    for (what, token, code) in &cases {
        for path in ["/api/auth/me", "/admin/api/outbox"] {
            let a = Answer::read(bearer(&app, path, token).await).await;
            if !a.is_problem(401, code) {
                failures.push(format!(
                    "{what} on {path}: expected 401 {code}, got {} {} {}",
                    a.status, a.content_type, a.text
                ));
            }
            if let Some(leak) = never_shown.iter().find(|s| a.text.contains(s.as_str())) {
                failures.push(format!(
                    "{what} on {path}: the answer shows {leak:?}: {}",
                    a.text
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "forged tokens:\n{}",
        failures.join("\n")
    );
    // The genuine tokens still work: nothing above disturbed the session.
    json_ok::<Value>(app.me(&owner.access_token).await, 200).await;
}

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> Response {
    app.client
        .request(Method::OPTIONS, format!("{}{path}", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,idempotency-key",
        )
        .send()
        .await
        .expect("request")
}

async fn get_from(app: &TestApp, path: &str, origin: &str) -> Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("Origin", origin)
        .send()
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_answers_only_the_configured_origins() {
    let app = spawn_app_with(Backend::Sqlite, &[("TESSERA_CORS_ORIGINS", SPA_ORIGIN)]).await;
    let ok = preflight(&app, "/api/auth/login", SPA_ORIGIN, "POST").await;
    assert!(
        ok.status().is_success(),
        "allowed preflight: {}",
        ok.status()
    );
    assert_eq!(
        header(&ok, "access-control-allow-origin").as_deref(),
        Some(SPA_ORIGIN)
    );
    let methods = header(&ok, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("POST"), "allowed methods: {methods}");
    let headers = header(&ok, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(headers.contains(h), "{h} not allowed: {headers}");
    }
    let simple = get_from(&app, "/api/health", SPA_ORIGIN).await;
    assert_eq!(simple.status().as_u16(), 200);
    assert_eq!(
        header(&simple, "access-control-allow-origin").as_deref(),
        Some(SPA_ORIGIN)
    );

    // Errors the server rewrites into problem+json keep their CORS headers, so the SPA
    // can read them.
    let missing = get_from(&app, "/api/nothing-here", SPA_ORIGIN).await;
    assert_eq!(
        header(&missing, "access-control-allow-origin").as_deref(),
        Some(SPA_ORIGIN)
    );
    assert_problem(missing, 404, "NOT_FOUND").await;

    // Lookalikes of the allowed origin are other origins.
    for origin in [
        "https://evil.test",
        "https://app.tessera.test.evil.test",
        "http://app.tessera.test",
        "https://app.tessera.test:8443",
        "null",
    ] {
        let res = preflight(&app, "/api/auth/login", origin, "POST").await;
        assert_eq!(
            header(&res, "access-control-allow-origin"),
            None,
            "preflight from {origin} was allowed ({})",
            res.status()
        );
        assert_problem(res, 400, "CORS_REJECTED").await;
        let res = get_from(&app, "/api/health", origin).await;
        assert_eq!(
            header(&res, "access-control-allow-origin"),
            None,
            "GET from {origin} was allowed"
        );
    }

    // With no allow-list, no origin is allowed.
    let closed = spawn_app(Backend::Sqlite).await;
    let res = preflight(&closed, "/api/auth/login", SPA_ORIGIN, "POST").await;
    assert_eq!(header(&res, "access-control-allow-origin"), None);
}

/// Asserts an error answer is problem+json with its status in the body.
async fn assert_problem_json(res: Response, what: &str) {
    let status = res.status().as_u16();
    let ct = header(&res, "content-type").unwrap_or_default();
    let text = res.text().await.unwrap_or_default();
    assert!(
        ct.starts_with("application/problem+json"),
        "{what}: {status} {ct} {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    assert_eq!(body["status"], status, "{what}: {text}");
}

fn assert_security_headers(res: &Response, what: &str) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            header(res, name).as_deref(),
            Some(value),
            "{name} on {what} ({})",
            res.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_are_on_every_answer_including_errors() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("TESSERA_CORS_ORIGINS", SPA_ORIGIN),
            ("TESSERA_MAX_BODY_BYTES", "1024"),
        ],
    )
    .await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let url = |p: &str| format!("{}{p}", app.address);
    let c = &app.client;
    let answers: Vec<(&str, u16, reqwest::RequestBuilder)> = vec![
        ("health", 200, c.get(url("/api/health"))),
        ("openapi", 200, c.get(url("/api-docs/openapi.json"))),
        ("metrics", 200, c.get(url("/metrics"))),
        (
            "me",
            200,
            c.get(url("/api/auth/me")).bearer_auth(&owner.access_token),
        ),
        ("no token", 401, c.get(url("/api/auth/me"))),
        (
            "staff only",
            403,
            c.get(url("/admin/api/tenants"))
                .bearer_auth(&owner.access_token),
        ),
        ("unknown route", 404, c.get(url("/api/nothing-here"))),
        (
            "bad id",
            404,
            c.get(url("/api/worklogs/not-a-uuid"))
                .bearer_auth(&owner.access_token),
        ),
        ("wrong method", 405, c.put(url("/api/health"))),
        (
            "malformed JSON",
            400,
            c.post(url("/api/auth/login"))
                .header("content-type", "application/json")
                .body("{"),
        ),
        (
            "oversized body",
            413,
            c.post(url("/api/auth/login"))
                .json(&json!({"login": "a".repeat(4096), "password": "x"})),
        ),
        (
            "not JSON",
            415,
            c.post(url("/api/auth/login"))
                .header("content-type", "text/plain")
                .body("x"),
        ),
        (
            "invalid fields",
            422,
            c.post(url("/api/auth/login"))
                .json(&json!({"login": "", "password": ""})),
        ),
        (
            "refused preflight",
            400,
            c.request(Method::OPTIONS, url("/api/auth/login"))
                .header("Origin", "https://evil.test")
                .header("Access-Control-Request-Method", "POST"),
        ),
    ];
    for (what, status, req) in answers {
        let res = req.send().await.expect("request");
        assert_eq!(res.status().as_u16(), status, "{what}");
        assert_security_headers(&res, what);
        if status >= 400 {
            assert_problem_json(res, what).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_answers_are_not_stored_and_only_content_hashed_files_are_kept() {
    // A built SPA in miniature: trunk's hashed names beside stable ones.
    let dist = std::env::temp_dir().join(format!("tessera-dist-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(dist.join("split-9f3c2a1b7d4e6f80")).unwrap();
    for (name, body) in [
        ("index.html", "<!doctype html><title>Tessera</title>"),
        ("tessera-web-9f3c2a1b7d4e6f80.js", "export default 1;"),
        ("tessera-web-9f3c2a1b7d4e6f80_bg.wasm", "\0asm"),
        ("split-9f3c2a1b7d4e6f80/chunk_1.wasm", "\0asm"),
        ("split-9f3c2a1b7d4e6f80/__wasm_split.js", "export {};"),
        ("favicon.ico", "icon"),
    ] {
        std::fs::write(dist.join(name), body).unwrap();
    }
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("TESSERA_STATIC_DIR", dist.to_str().unwrap())],
    )
    .await;
    let c = &app.client;
    let url = |p: &str| format!("{}{p}", app.address);
    let cache = |res: &Response| header(res, "cache-control").unwrap_or_default();
    let forever = "public, max-age=31536000, immutable";
    for (path, status, expected) in [
        ("/tessera-web-9f3c2a1b7d4e6f80.js", 200, forever),
        ("/tessera-web-9f3c2a1b7d4e6f80_bg.wasm", 200, forever),
        ("/", 200, "no-cache"),
        ("/index.html", 200, "no-cache"),
        ("/billing/top-ups", 200, "no-cache"),
        ("/split-9f3c2a1b7d4e6f80/chunk_1.wasm", 200, forever),
        ("/split-9f3c2a1b7d4e6f80/__wasm_split.js", 200, forever),
        ("/favicon.ico", 200, "no-cache"),
        // An old build's file is gone: index.html answers, and is not kept under its name.
        ("/tessera-web-0123456789abcdef.js", 200, "no-cache"),
        ("/api/health", 200, "no-store"),
        ("/api/nothing-here", 404, "no-store"),
        ("/api-docs/openapi.json", 200, "no-store"),
    ] {
        let res = c.get(url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(cache(&res), expected, "{path}");
    }
    // Tokens are never stored.
    let login = c
        .post(url("/api/auth/login"))
        .json(&json!({"login": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
    assert_eq!(cache(&login), "no-store");
    // Revalidating a hashed file keeps it immutable; a stable name answers 304 as well.
    for (path, expected) in [
        ("/tessera-web-9f3c2a1b7d4e6f80.js", forever),
        ("/favicon.ico", "no-cache"),
    ] {
        let first = c.get(url(path)).send().await.unwrap();
        let etag = header(&first, "etag").expect("an ETag");
        let again = c
            .get(url(path))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(cache(&again), expected, "{path}");
    }
    drop(app);
    std::fs::remove_dir_all(&dist).ok();
}

/// A worklog whose description makes the body about `bytes` long.
fn worklog_of_size(bytes: usize) -> Value {
    json!({"work_date": chrono::Utc::now().date_naive(), "minutes": 30,
           "description": "x".repeat(bytes), "project": "Tessera"})
}

/// Sends raw bytes and reads the answer until the server closes or `wait` passes.
async fn raw_exchange(port: u16, request: &[u8], wait: Duration) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&out).contains("\r\n\r\n{") && out.ends_with(b"}") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_413_and_write_nothing() {
    let limit = 64 * 1024;
    let app = spawn_app_with(Backend::Sqlite, &[("TESSERA_MAX_BODY_BYTES", "65536")]).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    // Just under the limit is read (and refused on its merits: descriptions are short).
    let near = app
        .post("/api/worklogs", &worklog_of_size(limit - 200), Some(tok))
        .await;
    assert_problem(near, 422, "VALIDATION_FAILED").await;
    let over = app
        .post("/api/worklogs", &worklog_of_size(limit + 1), Some(tok))
        .await;
    assert_problem(over, 413, "PAYLOAD_TOO_LARGE").await;
    let far_over = app
        .post("/api/worklogs", &worklog_of_size(limit * 4), Some(tok))
        .await;
    assert_problem(far_over, 413, "PAYLOAD_TOO_LARGE").await;

    // Without a Content-Length the limit holds while the body streams in.
    let body = serde_json::to_vec(&worklog_of_size(limit * 2)).unwrap();
    let mut req = format!(
        "POST /api/worklogs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {tok}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(8 * 1024) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_exchange(app.port, &req, Duration::from_secs(10)).await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "chunked oversized body: {answer}"
    );
    assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");

    let page: Value = json_ok(app.worklogs(tok, "").await, 200).await;
    assert_eq!(
        page["items"],
        json!([]),
        "an oversized body wrote a worklog"
    );
    // The server is fine afterwards.
    app.log_work(
        tok,
        &chrono::Utc::now().date_naive().to_string(),
        15,
        "after",
    )
    .await;
}

fn usage_events(n: usize) -> Value {
    let now = chrono::Utc::now().to_rfc3339();
    json!(
        (0..n)
            .map(
                |i| json!({"event_id": format!("ev-{i}"), "kind": "api_call", "tokens": 1,
                         "cost_cents": 1, "success": true, "occurred_at": now})
            )
            .collect::<Vec<_>>()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_usage_batch_over_a_thousand_events_is_refused_whole() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let p = assert_problem(
        app.send_usage(tok, &usage_events(1001)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(p.errors.unwrap()[0].field, "events");
    let rollups: Value = json_ok(app.get("/api/usage/rollups", Some(tok)).await, 200).await;
    assert_eq!(rollups, json!([]), "part of a refused batch was recorded");
    let reserve: Value = json_ok(app.get("/api/billing/reserve", Some(tok)).await, 200).await;
    assert_eq!(reserve["balance_cents"], 0, "a refused batch was charged");
    // Exactly a thousand is the limit, not over it.
    let ok: Value = json_ok(app.send_usage(tok, &usage_events(1000)).await, 200).await;
    assert_eq!(ok["accepted"], 1000);
}

/// Waits until the server closes `stream` (EOF or reset), returning what it sent and when
/// it closed; `None` if it was still open after `bound`.
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + bound;
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&out).into_owned(),
                    started.elapsed(),
                ));
            }
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

async fn health_answers(app: &TestApp) {
    let res = tokio::time::timeout(Duration::from_secs(5), app.get("/api/health", None))
        .await
        .expect("health answered within 5 s while slow clients stall");
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_and_dripping_clients_block_nobody_and_are_cut_off() {
    let app = spawn_app(Backend::Sqlite).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    // More stalled connections than the server has workers.
    let mut stalled = Vec::new();
    for _ in 0..32 {
        let mut s = TcpStream::connect(("127.0.0.1", app.port))
            .await
            .expect("connect");
        s.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .expect("write");
        stalled.push(s);
    }
    // A client that sends its head one byte at a time, never finishing it.
    let dripper = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    let (mut drip_read, mut drip_write) = dripper.into_split();
    let drip = tokio::spawn(async move {
        let mut next: &[u8] = b"GET /api/health HTTP/1.1\r\nX-Drip: ";
        while drip_write.write_all(next).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            next = b"a";
        }
    });
    // A client that sends a full head and then only part of its body.
    let mut half_body = TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    half_body
        .write_all(
            format!(
                "POST /api/worklogs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"work_date\":",
                owner.access_token
            )
            .as_bytes(),
        )
        .await
        .expect("write");

    health_answers(&app).await;
    json_ok::<Value>(app.me(&owner.access_token).await, 200).await;

    let bound = Duration::from_secs(30);
    for (i, s) in stalled.iter_mut().enumerate() {
        let (sent, after) = closed_within(s, bound)
            .await
            .unwrap_or_else(|| panic!("stalled connection {i} still open after {bound:?}"));
        assert!(
            sent.is_empty() || sent.starts_with("HTTP/1.1 408"),
            "stalled connection {i} got {sent:?} after {after:?}"
        );
    }
    let mut buf = [0u8; 1024];
    let drip_closed = tokio::time::timeout(bound, async {
        loop {
            match drip_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    drip.abort();
    assert!(drip_closed.is_ok(), "a dripping client was never cut off");
    let (sent, _) = closed_within(&mut half_body, bound)
        .await
        .expect("a client that stalls mid-body is cut off");
    assert!(sent.starts_with("HTTP/1.1 408"), "a half body got {sent}");
    assert!(sent.contains("REQUEST_TIMEOUT"), "{sent}");
    let page: Value = json_ok(app.worklogs(&owner.access_token, "").await, 200).await;
    assert_eq!(page["items"], json!([]), "a half body wrote a worklog");
    health_answers(&app).await;
}
