//! Typed helpers for tenants, plans, subscriptions, activation codes, devices and licenses,
//! plus direct database reads for what no endpoint shows yet (audit rows, leftovers).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::Response;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder};
use serde::Serialize;
use serde_json::{Value, json};
use tessera_domain::code::CreateCodesResponse;
use tessera_domain::dashboard::DashboardView;
use tessera_domain::entity::audit_event;
use tessera_domain::license::{LicenseClaims, PublicKeyResponse};
use tessera_domain::tenant::{CreateTenantResponse, DeletionImpact};
use uuid::Uuid;

use crate::{TestApp, json_ok};

impl TestApp {
    async fn send_json<B: Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
        token: Option<&str>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// `POST /admin/api/tenants` with any body.
    pub async fn create_tenant_raw(&self, token: &str, body: &Value) -> Response {
        self.post("/admin/api/tenants", body, Some(token)).await
    }

    /// Creates a tenant on a plan; asserts 201.
    pub async fn create_tenant(&self, token: &str, slug: &str, plan: &str) -> CreateTenantResponse {
        let body = json!({"slug": slug, "name": format!("Tenant {slug}"),
                          "contact_email": format!("ops@{slug}.test"), "plan": plan});
        json_ok(self.create_tenant_raw(token, &body).await, 201).await
    }

    /// `GET /admin/api/tenants?<query>`.
    pub async fn list_tenants(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/admin/api/tenants?{query}"), Some(token))
            .await
    }

    /// `GET /admin/api/tenants/{tenant}`.
    pub async fn get_tenant(&self, token: &str, tenant: &str) -> Response {
        self.get(&format!("/admin/api/tenants/{tenant}"), Some(token))
            .await
    }

    /// `PATCH /admin/api/tenants/{tenant}`.
    pub async fn update_tenant(&self, token: &str, tenant: &str, body: &Value) -> Response {
        self.send_json(
            reqwest::Method::PATCH,
            &format!("/admin/api/tenants/{tenant}"),
            Some(body),
            Some(token),
        )
        .await
    }

    /// `GET /admin/api/tenants/{tenant}/deletion-impact` as raw answer.
    pub async fn deletion_impact_raw(&self, token: &str, tenant: &str) -> Response {
        self.get(
            &format!("/admin/api/tenants/{tenant}/deletion-impact"),
            Some(token),
        )
        .await
    }

    /// The deletion impact; asserts 200.
    pub async fn deletion_impact(&self, token: &str, tenant: &str) -> DeletionImpact {
        json_ok(self.deletion_impact_raw(token, tenant).await, 200).await
    }

    /// `DELETE /admin/api/tenants/{tenant}[?confirm=]`.
    pub async fn delete_tenant(
        &self,
        token: &str,
        tenant: &str,
        confirm: Option<&str>,
    ) -> Response {
        let path = match confirm {
            Some(c) => format!("/admin/api/tenants/{tenant}?confirm={c}"),
            None => format!("/admin/api/tenants/{tenant}"),
        };
        self.send_json::<Value>(reqwest::Method::DELETE, &path, None, Some(token))
            .await
    }

    /// `GET /admin/api/tenants/{tenant}/subscriptions?<query>`.
    pub async fn list_subscriptions(&self, token: &str, tenant: &str, query: &str) -> Response {
        self.get(
            &format!("/admin/api/tenants/{tenant}/subscriptions?{query}"),
            Some(token),
        )
        .await
    }

    /// `POST /admin/api/tenants/{tenant}/subscriptions`.
    pub async fn change_subscription(&self, token: &str, tenant: &str, body: &Value) -> Response {
        self.post(
            &format!("/admin/api/tenants/{tenant}/subscriptions"),
            body,
            Some(token),
        )
        .await
    }

    /// `PATCH /admin/api/plans/{code}`.
    pub async fn update_plan(&self, token: &str, code: &str, body: &Value) -> Response {
        self.send_json(
            reqwest::Method::PATCH,
            &format!("/admin/api/plans/{code}"),
            Some(body),
            Some(token),
        )
        .await
    }

    /// `POST /admin/api/codes` with any body.
    pub async fn create_codes_raw(&self, token: &str, body: &Value) -> Response {
        self.post("/admin/api/codes", body, Some(token)).await
    }

    /// Generates `count` codes with `max_uses` each for a tenant; asserts 201.
    pub async fn create_codes(
        &self,
        token: &str,
        tenant: &str,
        count: u32,
        max_uses: u32,
    ) -> CreateCodesResponse {
        let body = json!({"tenant": tenant, "count": count, "label": "test batch",
                          "max_uses": max_uses, "ttl_days": 30});
        json_ok(self.create_codes_raw(token, &body).await, 201).await
    }

    /// Generates one code with `max_uses` for a tenant and returns its plaintext.
    pub async fn one_code(&self, token: &str, tenant: &str, max_uses: u32) -> String {
        self.create_codes(token, tenant, 1, max_uses).await.codes[0]
            .code
            .clone()
    }

    /// `GET /admin/api/codes?<query>`.
    pub async fn list_codes(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/admin/api/codes?{query}"), Some(token))
            .await
    }

    /// `GET /api/tenant/codes?<query>`.
    pub async fn list_tenant_codes(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/tenant/codes?{query}"), Some(token))
            .await
    }

    /// `POST /admin/api/codes/{id}/revoke`.
    pub async fn revoke_code(&self, token: &str, id: Uuid) -> Response {
        self.post(
            &format!("/admin/api/codes/{id}/revoke"),
            &json!({}),
            Some(token),
        )
        .await
    }

    /// `POST /api/activate` (public).
    pub async fn activate(&self, code: &str, fingerprint: &str) -> Response {
        self.post(
            "/api/activate",
            &json!({"code": code, "fingerprint": fingerprint,
                    "name": format!("Device {fingerprint}"), "platform": "linux-x86_64"}),
            None,
        )
        .await
    }

    /// `GET /api/license/public-key`; asserts 200.
    pub async fn license_public_key(&self) -> PublicKeyResponse {
        json_ok(self.get("/api/license/public-key", None).await, 200).await
    }

    /// `POST /api/license/validate` (public).
    pub async fn validate_license(&self, license: &str) -> Response {
        self.post("/api/license/validate", &json!({"license": license}), None)
            .await
    }

    /// `GET /admin/api/devices?<query>`.
    pub async fn list_devices(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/admin/api/devices?{query}"), Some(token))
            .await
    }

    /// `GET /api/tenant/devices?<query>`.
    pub async fn list_tenant_devices(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/tenant/devices?{query}"), Some(token))
            .await
    }

    /// `POST /admin/api/devices/{id}/revoke`.
    pub async fn revoke_device(&self, token: &str, id: &str) -> Response {
        self.post(
            &format!("/admin/api/devices/{id}/revoke"),
            &json!({}),
            Some(token),
        )
        .await
    }

    /// `POST /api/tenant/devices/{id}/revoke`.
    pub async fn revoke_tenant_device(&self, token: &str, id: &str) -> Response {
        self.post(
            &format!("/api/tenant/devices/{id}/revoke"),
            &json!({}),
            Some(token),
        )
        .await
    }

    /// `GET /admin/api/dashboard`; asserts 200.
    pub async fn dashboard(&self, token: &str) -> DashboardView {
        json_ok(self.get("/admin/api/dashboard", Some(token)).await, 200).await
    }

    /// A direct connection to the server's database, for what no endpoint shows.
    pub async fn db(&self) -> DatabaseConnection {
        let db = Database::connect(self.database_url.as_str())
            .await
            .expect("connect to the test database");
        if self.database_url.starts_with("sqlite:") {
            db.execute_unprepared("PRAGMA busy_timeout=5000;")
                .await
                .expect("busy timeout");
        }
        db
    }

    /// Every audit event's action, oldest first, with the tenant it names.
    pub async fn audit_actions(&self) -> Vec<(String, Option<Uuid>)> {
        let db = self.db().await;
        let rows = audit_event::Entity::find()
            .order_by_asc(audit_event::Column::CreatedAt)
            .all(&db)
            .await
            .expect("audit rows");
        db.close().await.ok();
        rows.into_iter().map(|r| (r.action, r.tenant_id)).collect()
    }

    /// Rows of `table` whose `tenant_id` is `tenant`.
    pub async fn rows_of_tenant(&self, table: &'static str, tenant: Uuid) -> i64 {
        let db = self.db().await;
        let stmt = Query::select()
            .expr_as(Expr::col(Asterisk).count(), "n")
            .from(table)
            .and_where(Expr::col("tenant_id").eq(tenant))
            .to_owned();
        let row = db.query_one(&stmt).await.expect("count").expect("a row");
        db.close().await.ok();
        row.try_get("", "n").expect("n")
    }

    /// Sets a code's expiry in the past (no endpoint makes an already-expired code).
    pub async fn expire_code(&self, id: Uuid) {
        let db = self.db().await;
        let stmt = Query::update()
            .table("activation_codes")
            .value(
                "expires_at",
                chrono::Utc::now() - chrono::Duration::hours(1),
            )
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        db.execute(&stmt).await.expect("expire the code");
        db.close().await.ok();
    }
}

/// Decodes a license's claims without checking anything (what a device reads after it has
/// verified the signature).
pub fn license_claims(token: &str) -> LicenseClaims {
    let payload = token.split('.').nth(1).expect("a payload part");
    serde_json::from_slice(&B64.decode(payload).expect("base64url")).expect("license claims")
}
