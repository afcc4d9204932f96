//! Inclusive ranges of UTC days (`?from=&to=`), and the instants queries compare with.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::error::{ApiError, ApiResult};

/// Refuses a range whose first day comes after its last (422 on `from`).
///
/// # Errors
/// 422 when both days are given and `from > to`.
pub fn ordered(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<()> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => {
            Err(ApiError::field("from", "must not be after `to`"))
        }
        _ => Ok(()),
    }
}

/// The first instant of `day`.
pub fn start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The first instant after `day`: the exclusive end of a range that includes it. The last
/// day chrono can name ends at the last instant it can name, instead of overflowing.
pub fn end(day: NaiveDate) -> DateTime<Utc> {
    day.checked_add_days(Days::new(1))
        .map_or(DateTime::<Utc>::MAX_UTC, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_runs_from_its_midnight_to_the_next_and_the_last_day_does_not_overflow() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(start(day).to_rfc3339(), "2026-12-31T00:00:00+00:00");
        assert_eq!(end(day).to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert_eq!(end(NaiveDate::MAX), DateTime::<Utc>::MAX_UTC);
        assert!(ordered(Some(day), Some(day)).is_ok());
        assert!(ordered(None, Some(day)).is_ok());
        assert!(ordered(Some(day.succ_opt().unwrap()), Some(day)).is_err());
    }
}
