//! Typed helpers for worklogs, user management and the audit trail.

use reqwest::Response;
use serde_json::{Value, json};
use tessera_domain::worklog::Worklog;

use crate::{TestApp, json_ok};

impl TestApp {
    /// `PATCH` a JSON body with a bearer token.
    pub async fn patch<B: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        token: &str,
    ) -> Response {
        self.client
            .patch(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// `DELETE` with a bearer token.
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Logs time; asserts 201.
    pub async fn log_work(
        &self,
        token: &str,
        date: &str,
        minutes: i32,
        description: &str,
    ) -> Worklog {
        let body = json!({"work_date": date, "minutes": minutes, "description": description,
                          "project": "Tessera", "tags": ["dev"]});
        json_ok(self.post("/api/worklogs", &body, Some(token)).await, 201).await
    }

    /// `GET /api/worklogs` with a raw query string.
    pub async fn worklogs(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/worklogs?{query}"), Some(token))
            .await
    }

    /// `POST /admin/api/users`.
    pub async fn create_user(&self, token: &str, body: &Value) -> Response {
        self.post("/admin/api/users", body, Some(token)).await
    }

    /// `PATCH /admin/api/users/{id}`.
    pub async fn update_user(&self, token: &str, id: &str, body: &Value) -> Response {
        self.patch(&format!("/admin/api/users/{id}"), body, token)
            .await
    }

    /// `GET /admin/api/audit` with a raw query string.
    pub async fn audit(&self, token: &str, query: &str) -> Value {
        json_ok(
            self.get(&format!("/admin/api/audit?{query}"), Some(token))
                .await,
            200,
        )
        .await
    }
}
