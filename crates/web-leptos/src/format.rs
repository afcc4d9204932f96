//! How times read across the SPA: one format everywhere, always in UTC like the API.

use chrono::{DateTime, Utc};

/// `2025-11-25 18:14 UTC`.
pub fn moment(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_minutes_in_utc() {
        let at = DateTime::from_timestamp(1_764_094_440, 0).unwrap();
        assert_eq!(moment(at), "2025-11-25 18:14 UTC");
    }
}
