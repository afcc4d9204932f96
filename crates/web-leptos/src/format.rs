//! How times and numbers read across the SPA: one format everywhere, always in UTC like
//! the API.
//!
//! Written by hand rather than with chrono's `format` or `{:.N}` on floats: chrono's
//! strftime engine and the standard library's float printing each add kilobytes to the
//! wasm the browser downloads, for a handful of fixed patterns (docs/BENCHMARKS.md,
//! "SPA size").

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2025-11-25`.
pub fn date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `2025-11-25`, the UTC day of a moment.
pub fn day(at: DateTime<Utc>) -> String {
    date(at.date_naive())
}

/// `18:14:05`.
pub fn clock(at: DateTime<Utc>) -> String {
    format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// `2025-11-25 18:14 UTC`.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{} {:02}:{:02} UTC", day(at), at.hour(), at.minute())
}

/// `2025-11-25 18:14:05 UTC`.
pub fn moment_seconds(at: DateTime<Utc>) -> String {
    format!("{} {} UTC", day(at), clock(at))
}

/// `Wednesday, 25 November 2026`.
pub fn long_date(d: NaiveDate) -> String {
    let weekday = match d.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    };
    format!(
        "{weekday}, {} {} {:04}",
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// `Nov 05`.
pub fn short_date(d: NaiveDate) -> String {
    format!("{} {:02}", &MONTHS[d.month0() as usize][..3], d.day())
}

/// `v` with exactly `decimals` decimals, like `format!("{v:.N}")`: `fixed(0.1234, 1)` is
/// `0.1`, and a tie goes to the even digit (`fixed(3.25, 1)` is `3.2`). For display only
/// (ratios, milliseconds, SVG coordinates): where `v * 10^N` itself rounds onto a tie the
/// last digit can differ from the standard formatting.
pub fn fixed(v: f64, decimals: u32) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let scale = 10u64.pow(decimals);
    // Beyond 2^53 there are no decimals left to show; the cast saturates, which is
    // fine for the magnitudes shown here.
    let exact = v.abs() * scale as f64;
    let mut scaled = exact.round();
    if scaled - exact == 0.5 && scaled % 2.0 == 1.0 {
        scaled -= 1.0;
    }
    let scaled = scaled as u64;
    let sign = if v.is_sign_negative() { "-" } else { "" };
    let (whole, frac) = (scaled / scale, scaled % scale);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// `v` with at most `decimals` decimals and no trailing zeros: `short(2.50, 2)` is
/// `2.5`, `short(3.0, 2)` is `3`.
pub fn short(v: f64, decimals: u32) -> String {
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_minutes_in_utc() {
        let at = DateTime::from_timestamp(1_764_094_445, 0).unwrap();
        assert_eq!(moment(at), "2025-11-25 18:14 UTC");
        assert_eq!(moment(at), at.format("%Y-%m-%d %H:%M UTC").to_string());
        assert_eq!(moment_seconds(at), "2025-11-25 18:14:05 UTC");
        assert_eq!(day(at), "2025-11-25");
        assert_eq!(clock(at), "18:14:05");
    }

    #[test]
    fn dates_read_like_chrono_formatted_them() {
        for (y, m, d) in [(2026, 11, 25), (2025, 1, 5), (2024, 2, 29), (999, 12, 31)] {
            let date_ = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date(date_), date_.format("%Y-%m-%d").to_string());
            assert_eq!(long_date(date_), date_.format("%A, %-d %B %Y").to_string());
            assert_eq!(short_date(date_), date_.format("%b %d").to_string());
        }
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(long_date(d), "Wednesday, 25 November 2026");
        assert_eq!(short_date(d), "Nov 25");
    }

    #[test]
    fn fixed_decimals_match_the_standard_formatting() {
        for v in [
            0.0, 0.1234, 12.3456, 99.95, 0.5, 1.0, 7.0, 0.046, 100.0, 0.999_96, 1234.5678, -0.04,
            -3.25, 0.125, 2.5, 0.0625,
        ] {
            assert_eq!(fixed(v, 1), format!("{v:.1}"), "{v}");
            assert_eq!(fixed(v, 3), format!("{v:.3}"), "{v}");
            assert_eq!(fixed(v, 4), format!("{v:.4}"), "{v}");
        }
        assert_eq!(fixed(-0.01, 1), "-0.0");
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(0.375, 2), "0.38");
        assert_eq!(fixed(2.0, 0), "2");
    }

    #[test]
    fn short_numbers_drop_trailing_zeros() {
        assert_eq!(short(2.5, 2), "2.5");
        assert_eq!(short(3.0, 2), "3");
        assert_eq!(short(192.0, 2), "192");
        assert_eq!(short(101.01, 2), "101.01");
        assert_eq!(short(0.0, 4), "0");
        // What `{}` printed for the two-decimal values the charts draw.
        for v in [40.0, 335.0, 101.0, 12.34, 0.5, 630.0] {
            assert_eq!(short(v, 2), format!("{v}"));
        }
    }
}
