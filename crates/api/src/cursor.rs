//! Opaque keyset cursors over `(created_at, id)`, newest first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::ApiError;

/// A position in a feed: the last row seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's creation time.
    pub created_at: DateTime<Utc>,
    /// The last row's id (breaks ties).
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string clients pass back.
    pub fn encode(&self) -> String {
        B64.encode(format!(
            "{}|{}",
            self.created_at.timestamp_micros(),
            self.id
        ))
    }

    /// Parses a cursor from a query string.
    ///
    /// # Errors
    /// 422 on anything this server did not produce.
    pub fn decode(s: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::field("cursor", "is not a cursor this server issued");
        let raw = B64.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (micros, id) = text.split_once('|').ok_or_else(bad)?;
        let created_at =
            DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Cursor {
            created_at,
            id: Uuid::parse_str(id).map_err(|_| bad())?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    }

    #[test]
    fn garbage_cursors_are_422() {
        assert_eq!(
            Cursor::decode("not-a-cursor").unwrap_err().code(),
            "VALIDATION_FAILED"
        );
    }
}
