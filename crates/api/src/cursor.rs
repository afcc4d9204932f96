//! Opaque keyset cursors: the sort key and id of the last row seen, newest first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A position in a feed ordered by `(created_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's creation time.
    pub created_at: DateTime<Utc>,
    /// The last row's id (breaks ties).
    pub id: Uuid,
}

/// A position in a feed ordered by `(date, id)`, such as the worklog timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateCursor {
    /// The last row's date.
    pub date: NaiveDate,
    /// The last row's id (breaks ties; ids are time-ordered UUIDv7).
    pub id: Uuid,
}

fn encode(key: &str, id: Uuid) -> String {
    B64.encode(format!("{key}|{id}"))
}

fn bad() -> ApiError {
    ApiError::field("cursor", "is not a cursor this server issued")
}

fn decode(s: &str) -> Result<(String, Uuid), ApiError> {
    let text = String::from_utf8(B64.decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
    let (key, id) = text.split_once('|').ok_or_else(bad)?;
    Ok((key.to_owned(), Uuid::parse_str(id).map_err(|_| bad())?))
}

impl Cursor {
    /// The opaque string clients pass back.
    ///
    /// The time keeps every digit the row had. SQLite stores times as text with up to
    /// nanoseconds (a sender's `occurred_at`, say) and compares them as text: a cursor cut
    /// to microseconds sorted before its own row, and the rest of that instant's rows were
    /// skipped. PostgreSQL keeps microseconds, so its rows carry no more than that.
    pub fn encode(&self) -> String {
        match self.created_at.timestamp_nanos_opt() {
            Some(nanos) => encode(&format!("n{nanos}"), self.id),
            None => encode(&self.created_at.timestamp_micros().to_string(), self.id),
        }
    }

    /// Parses a cursor from a query string (nanoseconds, `n…`, or the microseconds that
    /// cursors carried before).
    ///
    /// # Errors
    /// 422 on anything this server did not produce.
    pub fn decode(s: &str) -> Result<Self, ApiError> {
        let (key, id) = decode(s)?;
        let created_at = match key.strip_prefix('n') {
            Some(nanos) => Some(DateTime::from_timestamp_nanos(
                nanos.parse().map_err(|_| bad())?,
            )),
            None => DateTime::from_timestamp_micros(key.parse().map_err(|_| bad())?),
        }
        .ok_or_else(bad)?;
        Ok(Cursor { created_at, id })
    }
}

impl DateCursor {
    /// The opaque string clients pass back.
    pub fn encode(&self) -> String {
        encode(&self.date.to_string(), self.id)
    }

    /// Parses a cursor from a query string.
    ///
    /// # Errors
    /// 422 on anything this server did not produce.
    pub fn decode(s: &str) -> Result<Self, ApiError> {
        let (key, id) = decode(s)?;
        Ok(DateCursor {
            date: key.parse().map_err(|_| bad())?,
            id,
        })
    }
}

/// Validates a `limit` parameter: 1..=200, default 50.
///
/// # Errors
/// 422 when out of range.
pub fn limit(value: Option<u64>) -> Result<u64, ApiError> {
    match value.unwrap_or(tessera_domain::page::DEFAULT_PER_PAGE) {
        0 => Err(ApiError::field("limit", "must be at least 1")),
        n if n > tessera_domain::page::MAX_PER_PAGE => {
            Err(ApiError::field("limit", "must be at most 200"))
        }
        n => Ok(n),
    }
}

/// Keeps `limit` rows of `limit + 1` fetched and returns the cursor of the last kept row
/// when there were more.
pub fn split_page<T>(
    rows: &mut Vec<T>,
    limit: u64,
    cursor_of: impl Fn(&T) -> String,
) -> Option<String> {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(cursor_of)
    } else {
        None
    }
}

/// Rows strictly before `(key, id)` in a newest-first feed: `(key_col, id_col) < (key, id)`.
///
/// One row comparison, not `key < k OR (key = k AND id < i)`: PostgreSQL and SQLite turn a
/// row comparison into a range on an index ending in `(key, id)`, so a slice costs `limit`
/// rows however deep it is, while the `OR` form is only a filter and reads every newer row
/// first (docs/BENCHMARKS.md).
pub fn before<C: ColumnTrait>(cols: (C, C), at: (impl Into<Value>, impl Into<Value>)) -> Expr {
    Expr::tuple([Expr::col(cols.0), Expr::col(cols.1)])
        .lt(Expr::tuple([Expr::val(at.0), Expr::val(at.1)]))
}

/// Rows strictly after `(key, id)` in an oldest-first walk: `(key_col, id_col) > (key, id)`
/// (see [`before`]).
pub fn after<C: ColumnTrait>(cols: (C, C), at: (impl Into<Value>, impl Into<Value>)) -> Expr {
    Expr::tuple([Expr::col(cols.0), Expr::col(cols.1)])
        .gt(Expr::tuple([Expr::val(at.0), Expr::val(at.1)]))
}

/// The `(time, id)` columns of a feed and how to read them back from a row.
pub trait Feed: EntityTrait {
    /// The time column the feed is ordered by (the creation time unless said otherwise).
    const CREATED_AT: Self::Column;
    /// The id column (time-ordered UUIDv7, breaking ties).
    const ID: Self::Column;
    /// The row's position in the feed.
    fn position(row: &Self::Model) -> Cursor;
}

/// One slice of a feed, newest first: applies the cursor, the order and `limit + 1`, and
/// returns at most `limit` rows with the cursor of the next slice.
///
/// # Errors
/// 422 for a bad cursor or limit; the database failed.
pub async fn newest_first<E: Feed>(
    select: Select<E>,
    cursor: Option<&str>,
    limit: Option<u64>,
    db: &impl ConnectionTrait,
) -> ApiResult<(Vec<E::Model>, Option<String>)> {
    let limit = self::limit(limit)?;
    let mut select = select;
    // An empty `?cursor=` is the first slice, like every other empty filter.
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        let c = Cursor::decode(c)?;
        select = select.filter(before((E::CREATED_AT, E::ID), (c.created_at, c.id)));
    }
    let mut rows = select
        .order_by_desc(E::CREATED_AT)
        .order_by_desc(E::ID)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next = split_page(&mut rows, limit, |r| E::position(r).encode());
    Ok((rows, next))
}

/// Declares an entity's `(created_at, id)` feed columns.
macro_rules! feed {
    ($($entity:ident),* $(,)?) => {$(
        impl Feed for tessera_domain::entity::$entity::Entity {
            const CREATED_AT: Self::Column = tessera_domain::entity::$entity::Column::CreatedAt;
            const ID: Self::Column = tessera_domain::entity::$entity::Column::Id;
            fn position(row: &Self::Model) -> Cursor {
                Cursor { created_at: row.created_at, id: row.id }
            }
        }
    )*};
}
feed!(mail_outbox, audit_event, ledger_entry, top_up);

/// Usage events in the order they occurred, which is what people ask about (the sender's
/// clock, not the order batches arrived); `(tenant_id, occurred_at)` is indexed.
impl Feed for tessera_domain::entity::usage_event::Entity {
    const CREATED_AT: Self::Column = tessera_domain::entity::usage_event::Column::OccurredAt;
    const ID: Self::Column = tessera_domain::entity::usage_event::Column::Id;
    fn position(row: &Self::Model) -> Cursor {
        Cursor {
            created_at: row.occurred_at,
            id: row.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            created_at: DateTime::from_timestamp_nanos(1_700_000_000_123_456_789),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        // A cursor issued before nanoseconds were kept still reads as its microseconds.
        let micros = B64.encode(format!("1700000000123456|{}", c.id));
        assert_eq!(
            Cursor::decode(&micros).unwrap().created_at,
            DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap()
        );
        let d = DateCursor {
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(DateCursor::decode(&d.encode()).unwrap(), d);
    }

    #[test]
    fn garbage_cursors_are_422() {
        assert_eq!(
            Cursor::decode("not-a-cursor").unwrap_err().code(),
            "VALIDATION_FAILED"
        );
        assert_eq!(
            DateCursor::decode(
                &Cursor {
                    created_at: Utc::now(),
                    id: Uuid::nil()
                }
                .encode()
            )
            .unwrap_err()
            .code(),
            "VALIDATION_FAILED"
        );
    }

    #[test]
    fn split_page_keeps_limit_rows_and_points_at_the_last() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(
            split_page(&mut rows, 2, |r| r.to_string()),
            Some("2".into())
        );
        assert_eq!(rows, [1, 2]);
        let mut rows = vec![1, 2];
        assert_eq!(split_page(&mut rows, 2, |r| r.to_string()), None);
    }
}
