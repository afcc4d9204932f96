//! Server keys: from configuration, or (in development) generated once and stored in the
//! database so every replica and every restart uses the same ones.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use tessera_domain::entity::server_secret;

/// A key that could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Production refuses to invent keys.
    #[error("{0} must be set when TESSERA_ENV=production")]
    Missing(&'static str),
    /// The store failed.
    #[error("storing a generated key failed: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The stored value is not base64.
    #[error("stored key {0} is corrupt")]
    Corrupt(&'static str),
    /// A configured key has the wrong shape.
    #[error("{0} is not valid: {1}")]
    Invalid(&'static str, String),
}

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// Returns the configured key, or the stored one, or stores a new one.
///
/// # Errors
/// Missing in production, or the database failed.
pub async fn load_or_create(
    db: &DatabaseConnection,
    name: &'static str,
    env_var: &'static str,
    configured: Option<&str>,
    production: bool,
) -> Result<Vec<u8>, SecretError> {
    if let Some(v) = configured {
        return Ok(v.as_bytes().to_vec());
    }
    if production {
        return Err(SecretError::Missing(env_var));
    }
    let fresh = server_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(B64.encode(random_bytes(32))),
        created_at: Set(chrono::Utc::now()),
    };
    // Two replicas starting together both insert; the first wins and both read it back.
    server_secret::Entity::insert(fresh)
        .on_conflict_do_nothing_on([server_secret::Column::Name])
        .exec(db)
        .await?;
    let row = server_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .ok_or(SecretError::Corrupt(name))?;
    B64.decode(row.value)
        .map_err(|_| SecretError::Corrupt(name))
}
