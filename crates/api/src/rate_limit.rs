//! Fixed-window attempt counters per IP and purpose.
//!
//! Counters live in the process: with N replicas the effective limit is at most N times
//! the setting, which is acceptable for brute-force protection (docs/SCALING.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

const WINDOW: Duration = Duration::from_secs(60);

/// A window's start and the attempts counted in it.
type Window = (Instant, u32);

/// Counts attempts per (purpose, IP) in one-minute windows.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(&'static str, IpAddr), Window>>,
}

impl RateLimiter {
    /// Counts one attempt and refuses it when the window already holds `limit`.
    ///
    /// # Errors
    /// 429 `RATE_LIMITED` with the seconds until the window resets.
    pub fn hit(&self, purpose: &'static str, ip: IpAddr, limit: u32) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry((purpose, ip)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0)).as_secs() + 1;
            return Err(ApiError::too_many(
                "RATE_LIMITED",
                format!("too many {purpose} attempts from this address; try again in {wait} s"),
                wait,
            ));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_plus_one_attempt_is_refused_with_retry_after() {
        let rl = RateLimiter::default();
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..3 {
            rl.hit("login", ip, 3).unwrap();
        }
        let err = rl.hit("login", ip, 3).unwrap_err();
        assert_eq!(err.code(), "RATE_LIMITED");
        // Other purposes and addresses have their own windows.
        rl.hit("activate", ip, 3).unwrap();
        rl.hit("login", IpAddr::from([10, 0, 0, 2]), 3).unwrap();
    }
}
