//! `Idempotency-Key`: the first answer to a key is stored in the same transaction as the
//! change it describes, and replayed for every repeat with the same body; the same key with
//! a different body is 409 `IDEMPOTENCY_KEY_REUSED`.

use actix_web::HttpRequest;
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tessera_domain::entity::idempotency_key;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The header clients send.
pub const HEADER: &str = "Idempotency-Key";

/// A key presented with a request.
pub struct Key {
    scope: String,
    key: String,
    hash: String,
    tenant_id: Option<Uuid>,
}

impl Key {
    /// A key for another service's idempotency header: the same for every repeat of this
    /// request, and revealing neither the client's key nor its body.
    pub fn derived(&self) -> String {
        Sha256::digest(format!("{}\n{}\n{}", self.scope, self.key, self.hash))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A stored answer to replay.
pub struct Replay {
    /// The first answer's status.
    pub status: u16,
    /// The first answer's body.
    pub body: serde_json::Value,
}

/// Reads the header; `None` when absent.
///
/// # Errors
/// 422 for an empty or overlong key.
pub fn from_request(
    req: &HttpRequest,
    scope: impl Into<String>,
    tenant_id: Option<Uuid>,
    body: &impl Serialize,
) -> ApiResult<Option<Key>> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = raw.to_str().unwrap_or("").trim().to_owned();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::field(
            HEADER,
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    let hash = Sha256::digest(serde_json::to_vec(body).unwrap_or_default())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Key {
        scope: scope.into(),
        key,
        hash,
        tenant_id,
    }))
}

/// Claims the key inside the transaction, or returns the stored answer to replay.
///
/// # Errors
/// 409 `IDEMPOTENCY_KEY_REUSED` when the key was used with another body.
pub async fn claim(conn: &impl ConnectionTrait, key: &Key) -> ApiResult<Option<Replay>> {
    let row = idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(key.tenant_id),
        scope: Set(key.scope.clone()),
        key: Set(key.key.clone()),
        request_hash: Set(key.hash.clone()),
        status: Set(0),
        response: Set(serde_json::Value::Null),
        created_at: Set(Utc::now()),
    };
    // A concurrent first use of the same key waits here until that transaction ends.
    let inserted = idempotency_key::Entity::insert(row)
        .on_conflict_do_nothing_on([idempotency_key::Column::Scope, idempotency_key::Column::Key])
        .exec(conn)
        .await?;
    if matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(None);
    }
    earlier(conn, key)
        .await?
        .ok_or_else(|| ApiError::Internal("idempotency key vanished".into()))
        .map(Some)
}

/// The answer already given to this key, without claiming it: lets a handler skip work
/// outside the transaction (a call to another service) for a plain repeat.
///
/// # Errors
/// 409 `IDEMPOTENCY_KEY_REUSED` when the key was used with another body.
pub async fn earlier(conn: &impl ConnectionTrait, key: &Key) -> ApiResult<Option<Replay>> {
    let Some(first) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Scope.eq(&key.scope))
        .filter(idempotency_key::Column::Key.eq(&key.key))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if first.request_hash != key.hash {
        return Err(ApiError::conflict(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was already used with a different request body",
        ));
    }
    Ok(Some(Replay {
        status: first.status as u16,
        body: first.response,
    }))
}

/// Stores the answer for later repeats (same transaction as the change).
///
/// # Errors
/// The database failed.
pub async fn store(
    conn: &impl ConnectionTrait,
    key: &Key,
    status: u16,
    body: &impl Serialize,
) -> ApiResult<()> {
    let body = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Status,
            sea_orm::sea_query::Expr::value(i32::from(status)),
        )
        .col_expr(
            idempotency_key::Column::Response,
            sea_orm::sea_query::Expr::value(body),
        )
        .filter(idempotency_key::Column::Scope.eq(&key.scope))
        .filter(idempotency_key::Column::Key.eq(&key.key))
        .exec(conn)
        .await?;
    Ok(())
}
