//! `tessera seed`: fills an empty database with a realistic data set at a chosen scale, for
//! benchmarks (docs/BENCHMARKS.md) and for trying the product with volume.
//!
//! Rows are generated in Rust and written with multi-row `INSERT`s whose values are bound
//! parameters, so every value is encoded exactly as the application itself writes it
//! (UUIDs as blobs on SQLite, timestamps in sqlx's format, ...). Tenants are written in
//! groups, one transaction per group; on PostgreSQL several groups are generated and
//! written at once. The data keeps the application's rules: every tenant has a plan, a
//! subscription history and an `org_admin`; devices stay within the plan's quota and are
//! counted in `tenants.active_devices`; each code's `use_count` is the number of devices
//! that redeemed it; daily usage rollups are the sums of the usage events; each ledger
//! carries a gap-free sequence whose `balance_after_cents` is the running sum, and its usage
//! charges add up to the events' cost.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, PaginatorTrait, Statement,
    TransactionTrait, Value,
};
use tessera_domain::Role;
use tessera_domain::billing::CURRENCY;
use tessera_domain::code::{AUTO_CODE_LABEL, IssuedCode};
use tessera_domain::entity::{plan, tenant};
use tessera_domain::plan::auto_code_count;
use uuid::Uuid;

use crate::auth::password;
use crate::auth::tokens::TokenHasher;
use crate::bootstrap::{self, CreatedAdmin};
use crate::codes::{self, HASH_PURPOSE};
use crate::config::Settings;
use crate::error::ApiError;
use crate::{db, secrets};

/// The flags of `tessera seed`.
pub const USAGE: &str =
    "usage: tessera seed [flags]   (DATABASE_URL as for serve; the database must be empty)
  --tenants N        tenants (default 100)
  --devices N        activated devices, within each plan's device quota (default 2000)
  --worklogs N       worklog entries (default 10000)
  --usage-events N   usage events, with their daily rollups and ledger charges (default 100000)
  --members N        users besides each tenant's org_admin (default: as many as tenants)
  --bench-codes N    activation codes with max_uses 1000000 for load tests (default 64)
  --codes-out PATH   write the bench codes' plaintext there, one per line
  --password P       password of every seeded user (default tessera-bench-password)
  --seed N           random seed: the same flags give the same data set (default 1)
  --workers N        groups written at once (default 3 on PostgreSQL, 1 on SQLite)
Every tenant N (1-based) has the org_admin `ownerNNNNN` (e.g. owner00001).";

/// Label of the codes made for load tests.
pub const BENCH_CODE_LABEL: &str = "Benchmark (tessera seed)";
/// Uses each bench code allows.
pub const BENCH_CODE_MAX_USES: i32 = 1_000_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Tenants besides the `system` tenant.
    pub tenants: u64,
    /// Devices across all tenants.
    pub devices: u64,
    /// Worklog entries across all tenants.
    pub worklogs: u64,
    /// Usage events across all tenants.
    pub usage_events: u64,
    /// Users besides the org admins (`None`: one per tenant).
    pub members: Option<u64>,
    /// Activation codes with a large `max_uses` for the activation benchmark.
    pub bench_codes: u64,
    /// Where to write the bench codes' plaintext.
    pub codes_out: Option<PathBuf>,
    /// Every seeded user's password.
    pub password: String,
    /// Seed of the generator.
    pub seed: u64,
    /// Groups written concurrently (`None`: by backend).
    pub workers: Option<usize>,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            tenants: 100,
            devices: 2_000,
            worklogs: 10_000,
            usage_events: 100_000,
            members: None,
            bench_codes: 64,
            codes_out: None,
            password: "tessera-bench-password".into(),
            seed: 1,
            workers: None,
        }
    }
}

impl SeedOptions {
    /// Parses the flags after `tessera seed`.
    ///
    /// # Errors
    /// An unknown flag, a missing value or a value that does not parse.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Self::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (flag.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match name {
                "--tenants" => o.tenants = count(name, &value()?)?,
                "--devices" => o.devices = count(name, &value()?)?,
                "--worklogs" => o.worklogs = count(name, &value()?)?,
                "--usage-events" => o.usage_events = count(name, &value()?)?,
                "--members" => o.members = Some(count(name, &value()?)?),
                "--bench-codes" => o.bench_codes = count(name, &value()?)?,
                "--codes-out" => o.codes_out = Some(PathBuf::from(value()?)),
                "--password" => o.password = value()?,
                "--seed" => o.seed = count(name, &value()?)?,
                "--workers" => {
                    let n = count(name, &value()?)?;
                    o.workers = Some(usize::try_from(n.clamp(1, 64)).unwrap_or(1));
                }
                other => return Err(format!("unknown flag {other:?}")),
            }
        }
        tessera_domain::validation::password(&o.password).map_err(|m| format!("--password {m}"))?;
        if o.tenants == 0 && (o.devices > 0 || o.worklogs > 0 || o.usage_events > 0) {
            return Err("devices, worklogs and usage events belong to tenants: --tenants must be at least 1".into());
        }
        Ok(o)
    }
}

/// `10000`, `10_000`, `10k` or `10M`.
fn count(flag: &str, raw: &str) -> Result<u64, String> {
    let s = raw.trim().replace('_', "");
    let (digits, factor) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1_000),
        Some('m' | 'M') => (&s[..s.len() - 1], 1_000_000),
        _ => (s.as_str(), 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{flag}: expected a count such as 10000, 10k or 1M, got {raw:?}"))
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The HMAC key could not be had.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// Start-up data (plans, system tenant, super admin) could not be written.
    #[error("start-up data: {0}")]
    Bootstrap(#[from] ApiError),
    /// Seeding an already used database would mix generated and real rows.
    #[error(
        "the database already holds {0} tenant(s) besides `system`; seed an empty database (dropdb/createdb, or a new SQLite file)"
    )]
    NotEmpty(u64),
    /// The codes file could not be written.
    #[error("writing {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// A generator thread panicked.
    #[error("a generator thread failed: {0}")]
    Join(String),
}

/// What a run wrote.
#[derive(Default)]
pub struct SeedReport {
    /// Rows per table, in the order they were written.
    pub rows: Vec<(&'static str, u64)>,
    /// The bench codes' plaintext.
    pub bench_codes: Vec<IssuedCode>,
    /// Activations the bench codes' tenants can still take before their device quotas.
    pub bench_capacity: u64,
    /// Tenants hosting bench codes.
    pub bench_tenants: Vec<String>,
    /// The first super admin, when this run created it.
    pub created_admin: Option<CreatedAdmin>,
    /// Devices asked for beyond what the plans' quotas allow.
    pub devices_dropped: u64,
    /// Wall time of the whole run.
    pub elapsed: std::time::Duration,
}

impl SeedReport {
    /// Rows written across every table.
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// Migrates, ensures start-up data, and writes the data set.
///
/// # Errors
/// See [`SeedError`].
pub async fn run(settings: &Settings, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    let started = Instant::now();
    let sqlite = settings.database_url.starts_with("sqlite:");
    let workers = opts.workers.unwrap_or(if sqlite { 1 } else { 3 });
    let conn = db::connect(&settings.database_url, workers as u32 + 1).await?;
    db::migrate(&conn).await?;
    let hmac = secrets::load_or_create(
        &conn,
        "hmac",
        "TESSERA_HMAC_KEY",
        settings.hmac_key.as_deref(),
        settings.is_production(),
    )
    .await?;
    let created_admin = bootstrap::run(&conn, settings).await?;
    let existing = tenant::Entity::find().count(&conn).await?;
    if existing > 1 {
        return Err(SeedError::NotEmpty(existing - 1));
    }
    let plans: HashMap<String, plan::Model> = plan::Entity::find()
        .all(&conn)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    // One argon2 hash for everyone: hashing per user would take longer than the rest of
    // the run, and the bench only needs logins that work.
    let password_hash = password::hash(opts.password.clone()).await?;

    let now = Utc::now();
    let (specs, devices_dropped) = plan_tenants(opts, &plans, now);
    let (bench_tenants, bench_capacity) = assign_bench_codes(&specs, &plans, opts.bench_codes);
    let specs: Vec<TenantSpec> = specs
        .into_iter()
        .zip(bench_tenants)
        .map(|(mut s, n)| {
            s.bench_codes = n;
            s
        })
        .collect();
    let hosts: Vec<String> = specs
        .iter()
        .filter(|s| s.bench_codes > 0)
        .map(|s| s.slug.clone())
        .collect();
    let ctx = Arc::new(Context {
        now,
        seed: opts.seed,
        password_hash,
        hasher: TokenHasher::new(hmac),
        plans,
    });

    let groups = group(specs);
    let written: Vec<Written> = futures_util::stream::iter(groups.into_iter().map(|g| {
        let ctx = ctx.clone();
        let conn = conn.clone();
        async move {
            let rows = tokio::task::spawn_blocking(move || build_group(&ctx, &g))
                .await
                .map_err(|e| SeedError::Join(e.to_string()))?;
            write_group(&conn, rows).await
        }
    }))
    .buffer_unordered(workers)
    .try_collect()
    .await?;

    let mut report = SeedReport {
        created_admin,
        devices_dropped,
        bench_capacity,
        bench_tenants: hosts,
        ..SeedReport::default()
    };
    for w in written {
        for (table, n) in w.rows {
            match report.rows.iter_mut().find(|(t, _)| *t == table) {
                Some(entry) => entry.1 += n,
                None => report.rows.push((table, n)),
            }
        }
        report.bench_codes.extend(w.bench_codes);
    }
    // Fresh statistics, so the first queries are planned for the data that is there.
    conn.execute_unprepared("ANALYZE").await?;
    if let Some(path) = &opts.codes_out {
        let text: String = report
            .bench_codes
            .iter()
            .map(|c| format!("{}\n", c.code))
            .collect();
        std::fs::write(path, text).map_err(|e| SeedError::Io(path.clone(), e))?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// What every generator thread shares.
struct Context {
    now: DateTime<Utc>,
    seed: u64,
    password_hash: String,
    hasher: TokenHasher,
    plans: HashMap<String, plan::Model>,
}

/// One tenant to generate, with its share of every volume.
#[derive(Debug, Clone)]
struct TenantSpec {
    /// 1-based number: names and the random stream derive from it.
    n: u64,
    id: Uuid,
    slug: String,
    name: String,
    plan: String,
    suspended: bool,
    /// Never tops up its reserve after the first time, so it can go delinquent.
    delinquent: bool,
    created_at: DateTime<Utc>,
    devices: u64,
    worklogs: u64,
    usage: u64,
    members: u64,
    bench_codes: u64,
}

/// SplitMix64: small, fast and reproducible; nothing here needs cryptographic randomness
/// (activation codes still come from the OS CSPRNG).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A moment uniformly between `from` and `to`.
    fn between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let span = (to - from).num_seconds().max(0);
        from + Duration::seconds(self.range(0, span))
    }
}

const ADJECTIVES: &[&str] = &[
    "amber", "arctic", "bold", "bright", "cedar", "coastal", "copper", "crimson", "crystal",
    "golden", "granite", "harbor", "indigo", "iron", "jade", "lunar", "maple", "meadow", "nimble",
    "northern", "ocean", "onyx", "pine", "quiet", "rapid", "river", "sage", "silver", "solar",
    "summit", "swift", "timber", "urban", "velvet", "vivid", "western", "willow", "zenith",
];
const NOUNS: &[&str] = &[
    "analytics",
    "anchor",
    "atlas",
    "beacon",
    "bridge",
    "canyon",
    "circuit",
    "cloud",
    "compass",
    "dynamics",
    "falcon",
    "forge",
    "foundry",
    "frontier",
    "grid",
    "harvest",
    "horizon",
    "labs",
    "logic",
    "matrix",
    "motion",
    "nexus",
    "orbit",
    "pixel",
    "pulse",
    "quarry",
    "ridge",
    "signal",
    "sparrow",
    "systems",
    "thread",
    "vector",
    "vertex",
    "works",
];
const SUFFIXES: &[&str] = &[" Inc.", " Ltd", " GmbH", " LLC", " S.A.", " B.V.", "", ""];
const FIRST_NAMES: &[&str] = &[
    "Ada", "Amir", "Ana", "Ben", "Chen", "Chloé", "David", "Elif", "Emma", "Farah", "Hiro", "Ines",
    "Jonas", "Kofi", "Lena", "Luca", "Maya", "Mateo", "Nia", "Olga", "Priya", "Ravi", "Sara",
    "Tom", "Yuki", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt",
    "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang",
];
const TASKS: &[&str] = &[
    "Code review",
    "Sprint planning",
    "Customer call",
    "Bug triage",
    "Deploy to production",
    "Write documentation",
    "Daily standup",
    "Refactor billing module",
    "Onboarding session",
    "Security patching",
    "Database maintenance",
    "Design review",
    "Support tickets",
    "Release notes",
    "Performance tuning",
    "Interview candidate",
    "Quarterly report",
    "UX research",
    "Incident postmortem",
    "Infrastructure upgrade",
    "Pair programming",
    "API integration",
    "Load testing",
    "Team retrospective",
];
const PROJECTS: &[&str] = &[
    "Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Iris",
    "Juniper", "Keystone", "Lumen",
];
const TAGS: &[&str] = &[
    "dev", "meeting", "review", "support", "ops", "sales", "docs",
];
const PLATFORMS: &[&str] = &["windows", "macos", "linux", "ios", "android"];
const DEVICE_KINDS: &[&str] = &[
    "Laptop",
    "Workstation",
    "Tablet",
    "Phone",
    "Kiosk",
    "Server",
];

/// Share weights: the tenant of rank `i` (0-based) gets `(i + 1)^-0.7`, so a few tenants are
/// large and most are small, as in any SaaS customer base.
fn weight(rank: usize) -> f64 {
    (rank as f64 + 1.0).powf(-0.7)
}

/// Splits `total` across tenants in proportion to `weights`, never giving a tenant more than
/// its cap; returns the shares and what could not be placed.
fn allocate(total: u64, weights: &[f64], caps: &[u64]) -> (Vec<u64>, u64) {
    let mut out = vec![0u64; weights.len()];
    let mut left = total;
    for _ in 0..32 {
        let open: Vec<usize> = (0..weights.len()).filter(|&i| out[i] < caps[i]).collect();
        if left == 0 || open.is_empty() {
            break;
        }
        let sum: f64 = open.iter().map(|&i| weights[i]).sum();
        let mut placed = 0;
        for &i in &open {
            let share = ((left as f64) * weights[i] / sum).floor() as u64;
            let take = share.min(caps[i] - out[i]);
            out[i] += take;
            placed += take;
        }
        left -= placed;
        if left < open.len() as u64 || placed == 0 {
            // What proportional floors cannot place (less than one row per open tenant),
            // one at a time, largest weight first.
            for &i in &open {
                if left == 0 {
                    break;
                }
                if out[i] < caps[i] {
                    out[i] += 1;
                    left -= 1;
                }
            }
        }
    }
    (out, left)
}

/// Decides every tenant's name, plan, age and share of the volumes.
fn plan_tenants(
    opts: &SeedOptions,
    plans: &HashMap<String, plan::Model>,
    now: DateTime<Utc>,
) -> (Vec<TenantSpec>, u64) {
    let n = opts.tenants as usize;
    let weights: Vec<f64> = (0..n).map(weight).collect();
    let plan_of = |rank: usize| -> &'static str {
        // Larger customers are on larger plans.
        match rank * 10 / n.max(1) {
            0 => "enterprise",
            1..=3 => "pro",
            _ => "free",
        }
    };
    let quota = |code: &str| plans.get(code).map_or(0, |p| p.device_quota.max(0) as u64);
    let caps: Vec<u64> = (0..n).map(|r| quota(plan_of(r))).collect();
    let (devices, dropped) = allocate(opts.devices, &weights, &caps);
    let unlimited = vec![u64::MAX; n];
    let (worklogs, _) = allocate(opts.worklogs, &weights, &unlimited);
    let (usage, _) = allocate(opts.usage_events, &weights, &unlimited);
    let (members, _) = allocate(opts.members.unwrap_or(opts.tenants), &weights, &unlimited);
    let specs = (0..n)
        .map(|rank| {
            let num = rank as u64 + 1;
            let mut rng = Rng::new(opts.seed, num);
            let adjective = *rng.pick(ADJECTIVES);
            let noun = *rng.pick(NOUNS);
            let suffix = *rng.pick(SUFFIXES);
            // The largest customers have been customers the longest.
            let age_days = if rank * 10 < n {
                rng.range(180, 730)
            } else {
                rng.range(1, 730)
            };
            TenantSpec {
                n: num,
                id: Uuid::now_v7(),
                slug: format!("{adjective}-{noun}-{num}"),
                name: format!("{}{suffix}", title(&format!("{adjective} {noun}"))),
                plan: plan_of(rank).into(),
                // The first 100 tenants stay active: the bench signs in as their admins.
                suspended: rank >= 100 && rank % 50 == 7,
                delinquent: rank >= 100 && rank % 37 == 5,
                created_at: now
                    - Duration::days(age_days)
                    - Duration::seconds(rng.range(0, 86_399)),
                devices: devices[rank],
                worklogs: worklogs[rank],
                usage: usage[rank],
                members: members[rank],
                bench_codes: 0,
            }
        })
        .collect();
    (specs, dropped)
}

fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Places the bench codes on the active tenants with the most room under their device
/// quota (one code per tenant, round robin when there are more codes than such tenants),
/// so the activation benchmark can run long before `DEVICE_QUOTA_EXCEEDED`. Returns the
/// codes per tenant and the room their tenants have together.
fn assign_bench_codes(
    specs: &[TenantSpec],
    plans: &HashMap<String, plan::Model>,
    codes: u64,
) -> (Vec<u64>, u64) {
    let room = |s: &TenantSpec| {
        let quota = plans
            .get(&s.plan)
            .map_or(0, |p| p.device_quota.max(0) as u64);
        quota.saturating_sub(s.devices)
    };
    let mut hosts: Vec<usize> = (0..specs.len())
        .filter(|&i| !specs[i].suspended && room(&specs[i]) > 0)
        .collect();
    hosts.sort_by_key(|&i| std::cmp::Reverse(room(&specs[i])));
    // Load tests spread requests evenly over the codes: a host with little room would run
    // out long before the others, so only hosts with at least half the best room qualify.
    let best = hosts.first().map_or(0, |&i| room(&specs[i]));
    hosts.retain(|&i| room(&specs[i]) * 2 >= best);
    hosts.truncate(codes as usize);
    let mut out = vec![0u64; specs.len()];
    if hosts.is_empty() {
        return (out, 0);
    }
    for k in 0..codes as usize {
        out[hosts[k % hosts.len()]] += 1;
    }
    (out, hosts.iter().map(|&i| room(&specs[i])).sum())
}

/// Groups consecutive tenants into transactions of a few hundred thousand rows: large enough
/// that commits cost nothing, small enough to keep memory flat.
fn group(specs: Vec<TenantSpec>) -> Vec<Vec<TenantSpec>> {
    const ROWS_PER_GROUP: u64 = 100_000;
    let mut groups = Vec::new();
    let mut current = Vec::new();
    let mut rows = 0;
    for s in specs {
        rows += 10 + s.devices + s.worklogs + s.usage + s.members;
        current.push(s);
        if rows >= ROWS_PER_GROUP {
            groups.push(std::mem::take(&mut current));
            rows = 0;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

/// Rows for one table, flattened: `columns.len()` values per row.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            values: Vec::new(),
        }
    }

    fn push<const N: usize>(&mut self, row: [Value; N]) {
        debug_assert_eq!(N, self.columns.len(), "{}", self.name);
        self.values.extend(row);
    }

    fn rows(&self) -> u64 {
        (self.values.len() / self.columns.len()) as u64
    }
}

/// One group's rows, tables in foreign-key order.
struct GroupRows {
    tables: Vec<Table>,
    bench_codes: Vec<IssuedCode>,
}

/// What one group wrote.
struct Written {
    rows: Vec<(&'static str, u64)>,
    bench_codes: Vec<IssuedCode>,
}

const TENANTS: &[&str] = &[
    "id",
    "slug",
    "name",
    "contact_email",
    "plan",
    "status",
    "active_devices",
    "project_count",
    "created_at",
    "updated_at",
];
const SUBSCRIPTIONS: &[&str] = &[
    "id",
    "tenant_id",
    "plan",
    "status",
    "monthly_price_cents",
    "started_at",
    "ended_at",
];
const USERS: &[&str] = &[
    "id",
    "tenant_id",
    "email",
    "username",
    "name",
    "role",
    "password_hash",
    "active",
    "notes",
    "failed_logins",
    "locked_until",
    "last_login_at",
    "created_at",
    "updated_at",
];
const CODES: &[&str] = &[
    "id",
    "tenant_id",
    "code_hash",
    "prefix",
    "label",
    "max_uses",
    "use_count",
    "expires_at",
    "revoked_at",
    "created_by",
    "created_at",
];
const DEVICES: &[&str] = &[
    "id",
    "tenant_id",
    "code_id",
    "fingerprint",
    "name",
    "platform",
    "activated_at",
    "last_seen_at",
    "revoked_at",
    "license_expires_at",
];
const WORKLOGS: &[&str] = &[
    "id",
    "tenant_id",
    "user_id",
    "work_date",
    "minutes",
    "description",
    "project",
    "tags",
    "billable",
    "created_at",
    "updated_at",
];
const USAGE_EVENTS: &[&str] = &[
    "id",
    "tenant_id",
    "event_id",
    "device_id",
    "user_id",
    "kind",
    "quantity",
    "tokens",
    "cost_cents",
    "duration_ms",
    "success",
    "occurred_at",
    "created_at",
];
const USAGE_ROLLUPS: &[&str] = &[
    "tenant_id",
    "day",
    "kind",
    "events",
    "quantity",
    "tokens",
    "cost_cents",
    "duration_ms",
    "failures",
];
const RESERVE_ACCOUNTS: &[&str] = &[
    "id",
    "tenant_id",
    "currency",
    "low_balance_threshold_cents",
    "created_at",
];
const TOP_UPS: &[&str] = &[
    "id",
    "tenant_id",
    "amount_cents",
    "currency",
    "status",
    "checkout_url",
    "created_by",
    "created_at",
    "completed_at",
];
const LEDGER: &[&str] = &[
    "id",
    "tenant_id",
    "account_id",
    "sequence",
    "kind",
    "amount_cents",
    "balance_after_cents",
    "currency",
    "reason",
    "actor_id",
    "reference",
    "created_at",
];

fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

fn no_uuid() -> Value {
    Value::Uuid(None)
}

fn no_time() -> Value {
    Value::ChronoDateTimeUtc(None)
}

fn no_text() -> Value {
    Value::String(None)
}

fn build_group(ctx: &Context, specs: &[TenantSpec]) -> GroupRows {
    let mut g = GroupRows {
        tables: vec![
            Table::new("tenants", TENANTS),
            Table::new("subscriptions", SUBSCRIPTIONS),
            Table::new("users", USERS),
            Table::new("reserve_accounts", RESERVE_ACCOUNTS),
            Table::new("activation_codes", CODES),
            Table::new("devices", DEVICES),
            Table::new("worklogs", WORKLOGS),
            Table::new("usage_events", USAGE_EVENTS),
            Table::new("usage_rollups", USAGE_ROLLUPS),
            Table::new("top_ups", TOP_UPS),
            Table::new("ledger_entries", LEDGER),
        ],
        bench_codes: Vec::new(),
    };
    for s in specs {
        build_tenant(ctx, s, &mut g);
    }
    g
}

/// Indices into [`GroupRows::tables`].
const T_TENANTS: usize = 0;
const T_SUBS: usize = 1;
const T_USERS: usize = 2;
const T_ACCOUNTS: usize = 3;
const T_CODES: usize = 4;
const T_DEVICES: usize = 5;
const T_WORKLOGS: usize = 6;
const T_EVENTS: usize = 7;
const T_ROLLUPS: usize = 8;
const T_TOP_UPS: usize = 9;
const T_LEDGER: usize = 10;

fn build_tenant(ctx: &Context, s: &TenantSpec, g: &mut GroupRows) {
    let mut rng = Rng::new(ctx.seed, s.n.wrapping_mul(1_000_003));
    let now = ctx.now;
    let plan = &ctx.plans[&s.plan];

    let owner = user_row(ctx, g, s, &mut rng, None);
    let mut users = vec![owner];
    for j in 1..=s.members {
        users.push(user_row(ctx, g, s, &mut rng, Some(j)));
    }

    subscriptions(ctx, g, s, &mut rng);

    let active = devices_and_codes(ctx, g, s, &mut rng);
    let devices = active.1;
    g.tables[T_TENANTS].push([
        v(s.id),
        v(s.slug.clone()),
        v(s.name.clone()),
        v(format!("billing@{}.example", s.slug)),
        v(plan.code.clone()),
        v(if s.suspended { "suspended" } else { "active" }),
        v(active.0 as i32),
        v(0i32),
        v(s.created_at),
        v(s.created_at),
    ]);
    // Pushed after its devices are counted; `write_group` still writes tenants first.

    worklogs(g, s, &users, &mut rng, now);
    let (days, first_use) = usage(g, s, owner, &devices, &mut rng, now);
    ledger(g, s, owner, &days, first_use, &mut rng, now);
}

/// Pushes a user (the org admin for `member: None`) and returns its id.
fn user_row(
    ctx: &Context,
    g: &mut GroupRows,
    s: &TenantSpec,
    rng: &mut Rng,
    member: Option<u64>,
) -> Uuid {
    let id = Uuid::now_v7();
    let (username, role) = match member {
        None => (format!("owner{:05}", s.n), Role::OrgAdmin),
        Some(j) => (format!("u{:05}-{j}", s.n), Role::User),
    };
    let person = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
    let created = match member {
        None => s.created_at,
        Some(_) => rng
            .between(s.created_at, s.created_at + Duration::days(30))
            .min(ctx.now),
    };
    let last_login = rng.chance(0.7).then(|| rng.between(created, ctx.now));
    g.tables[T_USERS].push([
        v(id),
        v(s.id),
        v(format!("{username}@{}.example", s.slug)),
        v(username),
        v(person),
        v(role.as_str()),
        v(ctx.password_hash.clone()),
        v(member.is_none() || rng.chance(0.95)),
        no_text(),
        v(0i32),
        no_time(),
        v(last_login),
        v(created),
        v(created),
    ]);
    id
}

/// The history that MRR movements are computed from: a 14-day free trial, then the plan
/// (some enterprise customers went through pro first); a few are past due.
fn subscriptions(ctx: &Context, g: &mut GroupRows, s: &TenantSpec, rng: &mut Rng) {
    let price = |code: &str| ctx.plans.get(code).map_or(0, |p| p.monthly_price_cents);
    let mut row = |plan: &str, status: &str, from: DateTime<Utc>, to: Option<DateTime<Utc>>| {
        g.tables[T_SUBS].push([
            v(Uuid::now_v7()),
            v(s.id),
            v(plan.to_owned()),
            v(status.to_owned()),
            v(if status == "trialing" { 0 } else { price(plan) }),
            v(from),
            v(to),
        ]);
    };
    let trial_end = s.created_at + Duration::days(14);
    let current_status = if s.suspended || rng.chance(0.03) {
        "past_due"
    } else {
        "active"
    };
    if trial_end >= ctx.now {
        let status = if s.plan == "free" {
            "trialing"
        } else {
            current_status
        };
        row(&s.plan, status, s.created_at, None);
        return;
    }
    row("free", "trialing", s.created_at, Some(trial_end));
    if s.plan == "enterprise" && rng.chance(0.4) {
        let upgraded = rng.between(trial_end, ctx.now);
        row("pro", "active", trial_end, Some(upgraded));
        row(&s.plan, current_status, upgraded, None);
    } else {
        row(&s.plan, current_status, trial_end, None);
    }
}

/// Codes (the tenant's auto-generated ones, pools that devices redeemed, bench codes) and
/// devices. Returns the active device count and the devices' ids.
fn devices_and_codes(
    ctx: &Context,
    g: &mut GroupRows,
    s: &TenantSpec,
    rng: &mut Rng,
) -> (u64, Vec<Uuid>) {
    let now = ctx.now;
    let plan = &ctx.plans[&s.plan];
    let code_row = |g: &mut GroupRows,
                    label: &str,
                    max_uses: i32,
                    use_count: i32,
                    created: DateTime<Utc>,
                    expires: Option<DateTime<Utc>>,
                    revoked: Option<DateTime<Utc>>|
     -> (Uuid, String) {
        let code = codes::generate();
        let id = Uuid::now_v7();
        g.tables[T_CODES].push([
            v(id),
            v(s.id),
            v(ctx.hasher.hash(HASH_PURPOSE, code.compact())),
            v(code.prefix().to_owned()),
            v(label.to_owned()),
            v(max_uses),
            v(use_count),
            v(expires),
            v(revoked),
            no_uuid(),
            v(created),
        ]);
        (id, code.to_string())
    };
    for _ in 0..auto_code_count(plan.project_quota) {
        code_row(g, AUTO_CODE_LABEL, 1, 0, s.created_at, None, None);
    }
    for _ in 0..s.bench_codes {
        let created = now - Duration::days(1);
        let (id, code) = code_row(
            g,
            BENCH_CODE_LABEL,
            BENCH_CODE_MAX_USES,
            0,
            created,
            None,
            None,
        );
        g.bench_codes.push(IssuedCode {
            id,
            prefix: code[..4].to_owned(),
            code,
            label: Some(BENCH_CODE_LABEL.into()),
            max_uses: BENCH_CODE_MAX_USES,
            expires_at: None,
        });
    }

    let mut left = s.devices;
    let mut active = 0;
    let mut ids = Vec::with_capacity(s.devices as usize);
    while left > 0 {
        let max_uses = rng.range(10, 50) as u64;
        let used = max_uses.min(left);
        left -= used;
        let created = rng.between(s.created_at, now);
        // Some pools expired or were revoked after their devices activated.
        let expires = rng
            .chance(0.1)
            .then(|| created + Duration::days(rng.range(7, 90)));
        let revoked = rng.chance(0.03).then(|| rng.between(created, now));
        let open_until = [Some(now), expires, revoked]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now);
        let (code_id, _) = code_row(
            g,
            "Device pool",
            max_uses as i32,
            used as i32,
            created,
            expires,
            revoked,
        );
        for _ in 0..used {
            let id = Uuid::now_v7();
            let activated = rng.between(created, open_until);
            let revoked_at = rng.chance(0.03).then(|| rng.between(activated, now));
            let seen = rng.chance(0.8).then(|| rng.between(activated, now));
            active += u64::from(revoked_at.is_none());
            g.tables[T_DEVICES].push([
                v(id),
                v(s.id),
                v(code_id),
                v(format!("{:016x}{:016x}", rng.next(), rng.next())),
                v(format!(
                    "{}-{}",
                    rng.pick(DEVICE_KINDS),
                    rng.range(100, 9999)
                )),
                v(rng.pick(PLATFORMS).to_string()),
                v(activated),
                v(seen),
                v(revoked_at),
                v(activated + Duration::days(30)),
            ]);
            ids.push(id);
        }
    }
    (active, ids)
}

/// Time entries over the last year (since the tenant exists); the org admin logs twice as
/// much as each member.
fn worklogs(g: &mut GroupRows, s: &TenantSpec, users: &[Uuid], rng: &mut Rng, now: DateTime<Utc>) {
    let today = now.date_naive();
    let first = s.created_at.date_naive().max(today - Duration::days(365));
    let span = (today - first).num_days();
    let projects: Vec<&str> = (0..rng.range(2, 6)).map(|_| *rng.pick(PROJECTS)).collect();
    for _ in 0..s.worklogs {
        let pick = rng.below(users.len() as u64 + 1) as usize;
        let user = users[pick.saturating_sub(1)];
        let day = first + Duration::days(rng.range(0, span));
        let created = (day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
            + Duration::seconds(rng.range(0, 10 * 3600)))
        .min(now);
        let mut tags: Vec<&str> = (0..rng.range(0, 2)).map(|_| *rng.pick(TAGS)).collect();
        tags.dedup();
        g.tables[T_WORKLOGS].push([
            v(Uuid::now_v7()),
            v(s.id),
            v(user),
            v(day),
            v(*rng.pick::<i32>(&[15, 30, 30, 45, 60, 60, 90, 120, 180, 240, 480])),
            v(rng.pick(TASKS).to_string()),
            v(rng.chance(0.9).then(|| rng.pick(&projects).to_string())),
            v(serde_json::json!(tags)),
            v(rng.chance(0.7)),
            v(created),
            v(created),
        ]);
    }
}

/// One day's usage, kept for the rollups and the ledger.
#[derive(Default)]
struct Day {
    events: u64,
    cost_cents: i64,
}

/// Usage events over the last 90 days (since the tenant exists) and their daily rollups.
/// Returns the days' totals and when usage began.
fn usage(
    g: &mut GroupRows,
    s: &TenantSpec,
    owner: Uuid,
    devices: &[Uuid],
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> (BTreeMap<NaiveDate, Day>, DateTime<Utc>) {
    let start = s.created_at.max(now - Duration::days(90));
    let mut times: Vec<DateTime<Utc>> = (0..s.usage).map(|_| rng.between(start, now)).collect();
    times.sort_unstable();
    #[derive(Default)]
    struct Roll {
        events: i64,
        quantity: i64,
        tokens: i64,
        cost: i64,
        duration: i64,
        failures: i64,
    }
    let mut rollups: BTreeMap<(NaiveDate, &'static str), Roll> = BTreeMap::new();
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for (i, at) in times.into_iter().enumerate() {
        let roll = rng.below(100);
        let kind = match roll {
            0..45 => "llm_call",
            45..92 => "api_call",
            _ => "activation",
        };
        let (quantity, tokens, cost, duration) = match kind {
            "llm_call" => {
                let tokens = rng.range(200, 8000);
                (
                    1,
                    tokens,
                    tokens * rng.range(1, 3) / 1000,
                    Some(rng.range(300, 20_000)),
                )
            }
            "api_call" => (rng.range(1, 20), 0, 0, Some(rng.range(3, 400))),
            _ => (1, 0, 0, None),
        };
        let success = rng.chance(0.97);
        let from_device = !devices.is_empty() && rng.chance(0.7);
        g.tables[T_EVENTS].push([
            v(Uuid::now_v7()),
            v(s.id),
            v(format!("seed-{}-{i}", s.n)),
            v(from_device.then(|| *rng.pick(devices))),
            v((!from_device).then_some(owner)),
            v(kind),
            v(quantity),
            v(tokens),
            v(cost),
            v(duration),
            v(success),
            v(at),
            v((at + Duration::seconds(rng.range(0, 5))).min(now)),
        ]);
        let r = rollups.entry((at.date_naive(), kind)).or_default();
        r.events += 1;
        r.quantity += quantity;
        r.tokens += tokens;
        r.cost += cost;
        r.duration += duration.unwrap_or(0);
        r.failures += i64::from(!success);
        let d = days.entry(at.date_naive()).or_default();
        d.events += 1;
        d.cost_cents += cost;
    }
    for ((day, kind), r) in rollups {
        g.tables[T_ROLLUPS].push([
            v(s.id),
            v(day),
            v(kind),
            v(r.events),
            v(r.quantity),
            v(r.tokens),
            v(r.cost),
            v(r.duration),
            v(r.failures),
        ]);
    }
    (days, start)
}

/// The reserve: a first top-up, one usage charge per day of usage (the sum of that day's
/// event costs), and a top-up whenever the balance would fall under the low-balance
/// threshold, except for tenants that let it go delinquent.
fn ledger(
    g: &mut GroupRows,
    s: &TenantSpec,
    owner: Uuid,
    days: &BTreeMap<NaiveDate, Day>,
    start: DateTime<Utc>,
    rng: &mut Rng,
    now: DateTime<Utc>,
) {
    let mut l = Ledger {
        tenant: s.id,
        account: Uuid::now_v7(),
        owner,
        sequence: 0,
        balance: 0,
        last: start,
        now,
    };
    g.tables[T_ACCOUNTS].push([
        v(l.account),
        v(s.id),
        v(CURRENCY),
        Value::BigInt(None),
        v(s.created_at),
    ]);
    let base: i64 = match s.plan.as_str() {
        "enterprise" => 200_000,
        "pro" => 20_000,
        _ => 2_000,
    } * rng.range(1, 3);
    l.top_up(g, base, start);
    for (day, d) in days.iter().filter(|(_, d)| d.cost_cents > 0) {
        let at = day.and_hms_opt(23, 59, 0).unwrap_or_default().and_utc();
        if !s.delinquent && l.balance - d.cost_cents < 1_000 {
            l.top_up(g, base.max(2 * d.cost_cents), at - Duration::hours(1));
        }
        let reference = format!("usage batch of {} events", d.events);
        l.append(g, "usage_charge", -d.cost_cents, at, reference);
    }
}

/// A ledger being written: the sequence and running balance as `ledger::append` keeps them.
struct Ledger {
    tenant: Uuid,
    account: Uuid,
    owner: Uuid,
    sequence: i64,
    balance: i64,
    last: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl Ledger {
    /// Appends an entry no earlier than the previous one; returns its time.
    fn append(
        &mut self,
        g: &mut GroupRows,
        kind: &str,
        amount: i64,
        at: DateTime<Utc>,
        reference: String,
    ) -> DateTime<Utc> {
        let at = at.max(self.last + Duration::seconds(1)).min(self.now);
        self.last = at;
        self.sequence += 1;
        self.balance += amount;
        g.tables[T_LEDGER].push([
            v(Uuid::now_v7()),
            v(self.tenant),
            v(self.account),
            v(self.sequence),
            v(kind.to_owned()),
            v(amount),
            v(self.balance),
            v(CURRENCY),
            no_text(),
            no_uuid(),
            v(reference),
            v(at),
        ]);
        at
    }

    /// A completed top-up and the credit it made.
    fn top_up(&mut self, g: &mut GroupRows, amount: i64, at: DateTime<Utc>) {
        let id = Uuid::now_v7();
        let at = self.append(g, "top_up", amount, at, id.to_string());
        g.tables[T_TOP_UPS].push([
            v(id),
            v(self.tenant),
            v(amount),
            v(CURRENCY),
            v("completed"),
            no_text(),
            v(self.owner),
            v(at),
            v(at),
        ]);
    }
}

fn insert_sql(backend: DbBackend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${n}")),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// Writes a group in one transaction, 1,000 rows per statement (under both backends'
/// limits on bound parameters: 32,766 on SQLite, 65,535 on PostgreSQL).
async fn write_group(conn: &DatabaseConnection, rows: GroupRows) -> Result<Written, SeedError> {
    const ROWS_PER_STATEMENT: usize = 1_000;
    let backend = conn.get_database_backend();
    let txn = conn.begin().await?;
    let mut written = Vec::new();
    for t in rows.tables {
        let n = t.rows();
        let width = t.columns.len();
        let mut values = t.values.into_iter();
        loop {
            let chunk: Vec<Value> = values.by_ref().take(ROWS_PER_STATEMENT * width).collect();
            if chunk.is_empty() {
                break;
            }
            let sql = insert_sql(backend, t.name, t.columns, chunk.len() / width);
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, chunk))
                .await?;
        }
        written.push((t.name, n));
    }
    txn.commit().await?;
    Ok(Written {
        rows: written,
        bench_codes: rows.bench_codes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_places_every_row_when_there_is_room() {
        let weights: Vec<f64> = (0..10_000).map(weight).collect();
        let (shares, left) = allocate(1_000_000, &weights, &vec![u64::MAX; 10_000]);
        assert_eq!((left, shares.iter().sum::<u64>()), (0, 1_000_000));
        let caps: Vec<u64> = (0..10_000)
            .map(|i| if i < 1000 { 5000 } else { 100 })
            .collect();
        let (shares, left) = allocate(200_000, &weights, &caps);
        assert_eq!((left, shares.iter().sum::<u64>()), (0, 200_000));
    }

    #[test]
    fn allocation_is_exact_and_respects_caps() {
        let weights: Vec<f64> = (0..100).map(weight).collect();
        let caps: Vec<u64> = (0..100).map(|i| if i < 10 { 5000 } else { 5 }).collect();
        let (shares, left) = allocate(20_000, &weights, &caps);
        assert_eq!(left, 0);
        assert_eq!(shares.iter().sum::<u64>(), 20_000);
        assert!(shares.iter().zip(&caps).all(|(s, c)| s <= c));
        assert!(shares[0] >= shares[50]);
        let (_, left) = allocate(100_000, &weights, &caps);
        assert_eq!(left, 100_000 - 10 * 5000 - 90 * 5);
    }

    #[test]
    fn counts_take_suffixes_and_underscores() {
        assert_eq!(count("--x", "10_000").unwrap(), 10_000);
        assert_eq!(count("--x", "10k").unwrap(), 10_000);
        assert_eq!(count("--x", "2M").unwrap(), 2_000_000);
        assert!(count("--x", "many").is_err());
    }

    #[test]
    fn flags_parse_and_unknown_ones_are_refused() {
        let args: Vec<String> = [
            "--tenants",
            "10k",
            "--usage-events=1M",
            "--codes-out",
            "c.txt",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = SeedOptions::parse(&args).unwrap();
        assert_eq!((o.tenants, o.usage_events), (10_000, 1_000_000));
        assert_eq!(o.codes_out.as_deref(), Some(std::path::Path::new("c.txt")));
        assert!(SeedOptions::parse(&["--tenant".into(), "1".into()]).is_err());
        assert!(SeedOptions::parse(&["--password".into(), "short".into()]).is_err());
    }

    #[test]
    fn placeholders_follow_the_backend() {
        assert_eq!(
            insert_sql(DbBackend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(DbBackend::Sqlite, "t", &["a"], 2),
            "INSERT INTO t (a) VALUES (?), (?)"
        );
    }
}
