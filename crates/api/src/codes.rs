//! Activation codes on the server side: drawing them from the OS CSPRNG, storing only their
//! keyed hash, and the SQL form of their derived status.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait};
use tessera_domain::code::{ActivationCode, CODE_ALPHABET, CODE_LEN, CodeStatus, IssuedCode};
use tessera_domain::entity::activation_code::{self, Column};
use uuid::Uuid;

use crate::auth::tokens::TokenHasher;
use crate::secrets::random_bytes;

/// The purpose label codes are hashed under.
pub const HASH_PURPOSE: &str = "code";

/// A fresh code: 16 symbols drawn uniformly from the 31-symbol alphabet.
pub fn generate() -> ActivationCode {
    // 248 = 8 × 31: bytes at or above it are rejected so that `b % 31` is uniform.
    const LIMIT: u8 = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
    let mut indices = [0u8; CODE_LEN];
    let mut filled = 0;
    while filled < CODE_LEN {
        for b in random_bytes(32) {
            if b < LIMIT && filled < CODE_LEN {
                indices[filled] = b % CODE_ALPHABET.len() as u8;
                filled += 1;
            }
        }
    }
    ActivationCode::from_indices(indices).expect("indices are below the alphabet's length")
}

/// What a batch of codes is made with.
pub struct NewCodes<'a> {
    /// The owning tenant.
    pub tenant_id: Uuid,
    /// How many.
    pub count: usize,
    /// The note shown in lists.
    pub label: Option<&'a str>,
    /// Uses per code.
    pub max_uses: i32,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// The staff member generating them.
    pub created_by: Option<Uuid>,
}

/// Generates and stores a batch of codes in one statement; the plaintext is only in the
/// returned list.
///
/// # Errors
/// The insert failed (a hash collision, about 2^-79 per pair, fails the whole batch).
pub async fn issue(
    conn: &impl ConnectionTrait,
    hasher: &TokenHasher,
    spec: NewCodes<'_>,
) -> Result<Vec<IssuedCode>, DbErr> {
    let now = Utc::now();
    let label = spec
        .label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    let mut rows = Vec::with_capacity(spec.count);
    let mut issued = Vec::with_capacity(spec.count);
    for _ in 0..spec.count {
        let code = generate();
        let id = Uuid::now_v7();
        rows.push(activation_code::ActiveModel {
            id: Set(id),
            tenant_id: Set(spec.tenant_id),
            code_hash: Set(hasher.hash(HASH_PURPOSE, code.compact())),
            prefix: Set(code.prefix().to_owned()),
            label: Set(label.clone()),
            max_uses: Set(spec.max_uses),
            use_count: Set(0),
            expires_at: Set(spec.expires_at),
            revoked_at: Set(None),
            created_by: Set(spec.created_by),
            created_at: Set(now),
        });
        issued.push(IssuedCode {
            id,
            code: code.to_string(),
            prefix: code.prefix().to_owned(),
            label: label.clone(),
            max_uses: spec.max_uses,
            expires_at: spec.expires_at,
        });
    }
    // SQLite caps bound parameters per statement; 11 columns × 500 rows stays well below.
    for chunk in rows.chunks(500) {
        activation_code::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(issued)
}

/// The SQL condition that selects codes with `status` at `now`: the same precedence as
/// [`CodeStatus::derive`] (revoked, then used, then expired, then active).
pub fn status_condition(status: CodeStatus, now: DateTime<Utc>) -> Condition {
    let not_revoked = Column::RevokedAt.is_null();
    let used = Expr::col(Column::UseCount).gte(Expr::col(Column::MaxUses));
    let unused = Expr::col(Column::UseCount).lt(Expr::col(Column::MaxUses));
    let expired = Condition::all()
        .add(Column::ExpiresAt.is_not_null())
        .add(Column::ExpiresAt.lte(now));
    let unexpired = Condition::any()
        .add(Column::ExpiresAt.is_null())
        .add(Column::ExpiresAt.gt(now));
    match status {
        CodeStatus::Revoked => Condition::all().add(Column::RevokedAt.is_not_null()),
        CodeStatus::Used => Condition::all().add(not_revoked).add(used),
        CodeStatus::Expired => Condition::all().add(not_revoked).add(unused).add(expired),
        CodeStatus::Active => Condition::all().add(not_revoked).add(unused).add(unexpired),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_codes_parse_back_and_differ() {
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let c = generate();
            let shown = c.to_string();
            assert_eq!(shown.len(), 19);
            assert_eq!(ActivationCode::parse(&shown).unwrap(), c);
            assert!(seen.insert(shown));
        }
    }

    #[test]
    fn every_symbol_is_drawn() {
        let symbols: HashSet<char> = (0..200)
            .flat_map(|_| generate().compact().chars().collect::<Vec<_>>())
            .collect();
        assert_eq!(symbols.len(), CODE_ALPHABET.len());
    }
}
