//! Operational figures the server measures itself: request counts and latency histograms
//! per route, errors, and live SSE clients; exposed as Prometheus text at `GET /metrics`.
//!
//! Counters are per process (each replica reports its own; Prometheus sums them).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// One route's numbers.
#[derive(Debug, Default, Clone)]
struct RouteStats {
    /// Count per status code.
    statuses: BTreeMap<u16, u64>,
    /// Count per bucket (cumulative when rendered), plus the overflow bucket.
    buckets: [u64; BUCKETS.len() + 1],
    /// Total seconds.
    sum: f64,
}

/// The server's own measurements.
#[derive(Default)]
pub struct Telemetry {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    sse_clients: AtomicI64,
    job_runs: AtomicU64,
    job_failures: AtomicU64,
}

/// Latency quantiles estimated from the histogram (as Prometheus' `histogram_quantile`).
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Latency {
    /// Median, milliseconds.
    pub p50_ms: Option<f64>,
    /// 95th percentile, milliseconds.
    pub p95_ms: Option<f64>,
    /// 99th percentile, milliseconds.
    pub p99_ms: Option<f64>,
}

impl Telemetry {
    /// Records one finished request under its route pattern (never the raw path, so ids
    /// do not explode the label set).
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let stats = routes
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        *stats.statuses.entry(status).or_default() += 1;
        stats.buckets[bucket] += 1;
        stats.sum += secs;
    }

    /// A client subscribed to the live feed; the guard unsubscribes it when dropped.
    pub fn sse_connected(self: &std::sync::Arc<Self>) -> SseGuard {
        self.sse_clients.fetch_add(1, Ordering::Relaxed);
        SseGuard(self.clone())
    }

    /// Live feed clients connected to this process now.
    pub fn sse_clients(&self) -> i64 {
        self.sse_clients.load(Ordering::Relaxed)
    }

    /// Counts a background job run.
    pub fn job_ran(&self, ok: bool) {
        self.job_runs.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.job_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Requests, server errors (5xx) and client errors (4xx) so far.
    pub fn totals(&self) -> (u64, u64, u64) {
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let mut t = (0, 0, 0);
        for s in routes.values() {
            for (code, n) in &s.statuses {
                t.0 += n;
                if *code >= 500 {
                    t.1 += n;
                } else if *code >= 400 {
                    t.2 += n;
                }
            }
        }
        t
    }

    /// Latency quantiles over every route; `None` before any request.
    pub fn latency(&self) -> Latency {
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = [0u64; BUCKETS.len() + 1];
        for s in routes.values() {
            for (i, n) in s.buckets.iter().enumerate() {
                all[i] += n;
            }
        }
        Latency {
            p50_ms: quantile(&all, 0.5),
            p95_ms: quantile(&all, 0.95),
            p99_ms: quantile(&all, 0.99),
        }
    }

    /// The Prometheus text exposition (format 0.0.4); `mail_queue` is the mail waiting for
    /// SMTP delivery, left out when there is no SMTP server or no answer from the database.
    pub fn prometheus(&self, db_up: bool, mail_queue: Option<i64>) -> String {
        let mut out = String::new();
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        out.push_str("# HELP tessera_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE tessera_http_requests_total counter\n");
        for ((method, route), s) in &routes {
            for (status, n) in &s.statuses {
                let _ = writeln!(
                    out,
                    "tessera_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP tessera_http_request_duration_seconds Time to answer HTTP requests.\n",
        );
        out.push_str("# TYPE tessera_http_request_duration_seconds histogram\n");
        for ((method, route), s) in &routes {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(
                    out,
                    "tessera_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += s.buckets[BUCKETS.len()];
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
            );
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_count{{{labels}}} {cumulative}"
            );
        }
        let gauges = [
            (
                "tessera_sse_clients",
                "gauge",
                "Live feed clients connected to this process.",
                self.sse_clients() as f64,
            ),
            (
                "tessera_jobs_runs_total",
                "counter",
                "Background job runs in this process.",
                self.job_runs.load(Ordering::Relaxed) as f64,
            ),
            (
                "tessera_jobs_failures_total",
                "counter",
                "Background job runs that failed.",
                self.job_failures.load(Ordering::Relaxed) as f64,
            ),
            (
                "tessera_database_up",
                "gauge",
                "1 when the database answers.",
                if db_up { 1.0 } else { 0.0 },
            ),
        ];
        let queue = mail_queue.map(|n| {
            (
                "tessera_mail_queue_depth",
                "gauge",
                "Mail waiting for SMTP delivery, due or retrying later (all replicas).",
                n as f64,
            )
        });
        for (name, kind, help, value) in gauges.into_iter().chain(queue) {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}

/// Decrements the SSE client count when the stream ends.
pub struct SseGuard(std::sync::Arc<Telemetry>);

impl Drop for SseGuard {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, Ordering::Relaxed);
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Linear interpolation inside the bucket holding the q-th observation, in milliseconds.
fn quantile(buckets: &[u64; BUCKETS.len() + 1], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut seen = 0u64;
    for (i, n) in buckets.iter().enumerate() {
        if *n > 0 && (seen + n) as f64 >= rank {
            let lower = if i == 0 { 0.0 } else { BUCKETS[i - 1] };
            let upper = BUCKETS
                .get(i)
                .copied()
                .unwrap_or(BUCKETS[BUCKETS.len() - 1]);
            let within = (rank - seen as f64) / *n as f64;
            return Some((lower + (upper - lower) * within) * 1000.0);
        }
        seen += n;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_statuses_and_buckets_per_route() {
        let t = Telemetry::default();
        t.record("GET", "/api/health", 200, Duration::from_millis(2));
        t.record("GET", "/api/health", 503, Duration::from_millis(30));
        t.record("POST", "/api/auth/login", 401, Duration::from_millis(70));
        assert_eq!(t.totals(), (3, 1, 1));
        let text = t.prometheus(true, Some(2));
        assert!(text.contains(
            "tessera_http_requests_total{method=\"GET\",route=\"/api/health\",status=\"200\"} 1"
        ));
        assert!(text.contains("tessera_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/health\",le=\"+Inf\"} 2"));
        assert!(text.contains("tessera_database_up 1"));
        assert!(text.contains("tessera_mail_queue_depth 2"));
        assert!(
            !t.prometheus(true, None)
                .contains("tessera_mail_queue_depth")
        );
    }

    #[test]
    fn quantiles_come_from_the_histogram() {
        let t = Telemetry::default();
        assert!(t.latency().p50_ms.is_none());
        for _ in 0..99 {
            t.record("GET", "/x", 200, Duration::from_micros(800));
        }
        t.record("GET", "/x", 200, Duration::from_millis(900));
        let l = t.latency();
        assert!(l.p50_ms.unwrap() <= 1.0);
        assert!(l.p99_ms.unwrap() <= 1.0);
        assert!(t.latency().p95_ms.unwrap() > 0.0);
    }
}
