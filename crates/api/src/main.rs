//! `tessera`: serve the API, run migrations, seed a data set, or print the OpenAPI document.

use std::process::ExitCode;

use tessera_api::{Application, Settings, db, openapi, seed};

const USAGE: &str = "usage: tessera <serve|migrate|seed|openapi>
  serve    run migrations, ensure start-up data and serve the API (default)
  migrate  apply pending migrations and exit
  seed     fill an empty database with generated data (tessera seed --help)
  openapi  print the OpenAPI document as YAML";

#[actix_web::main]
async fn main() -> ExitCode {
    tune_allocator();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if command == "openapi" {
        return match openapi::to_yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let rest: Vec<String> = std::env::args().skip(2).collect();
    if command == "seed" && rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", seed::USAGE);
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&settings.log))
        .with_target(false)
        .init();
    match command.as_str() {
        "serve" => serve(settings).await,
        "seed" => match seed::SeedOptions::parse(&rest) {
            Ok(opts) => run_seed(settings, opts).await,
            Err(e) => fail(&format!("{e}\n{}", seed::USAGE)),
        },
        "migrate" => match db::connect(&settings.database_url, 1).await {
            Ok(conn) => match db::migrate(&conn).await {
                Ok(()) => {
                    println!("migrations applied");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            },
            Err(e) => fail(&e.to_string()),
        },
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => fail(&format!("unknown command {other:?}\n{USAGE}")),
    }
}

async fn serve(settings: Settings) -> ExitCode {
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => return fail(&e.to_string()),
    };
    let bind = &app.state.settings.bind;
    let host = bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    println!("Tessera is listening on http://{host}:{}", app.port());
    if let Some(admin) = &app.created_admin {
        match &admin.generated_password {
            Some(p) => println!(
                "First super admin created: {} / {p}  (shown once; change it after signing in)",
                admin.email
            ),
            None => println!(
                "First super admin created: {} (password from TESSERA_BOOTSTRAP_ADMIN_PASSWORD)",
                admin.email
            ),
        }
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

async fn run_seed(settings: Settings, opts: seed::SeedOptions) -> ExitCode {
    println!("seeding {} ...", redact(&settings.database_url));
    let report = match seed::run(&settings, &opts).await {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    let secs = report.elapsed.as_secs_f64();
    for (table, rows) in &report.rows {
        println!("  {table:<18} {rows:>12}");
    }
    let total = report.total_rows();
    println!(
        "  {:<18} {total:>12}  in {secs:.1} s ({:.0} rows/s)",
        "total",
        total as f64 / secs.max(0.001)
    );
    if report.devices_dropped > 0 {
        println!(
            "  {} devices were not created: the plans' device quotas are full",
            report.devices_dropped
        );
    }
    println!(
        "logins: org admins owner00001 .. owner{:05} (tenant N's admin is ownerNNNNN), password as --password",
        opts.tenants
    );
    if let Some(admin) = &report.created_admin {
        match &admin.generated_password {
            Some(p) => println!(
                "first super admin created: {} / {p}  (shown once)",
                admin.email
            ),
            None => println!(
                "first super admin created: {} (password from TESSERA_BOOTSTRAP_ADMIN_PASSWORD)",
                admin.email
            ),
        }
    }
    if !report.bench_codes.is_empty() {
        println!(
            "bench codes: {} (max_uses {}) on {} tenant(s) with room for {} more devices{}",
            report.bench_codes.len(),
            seed::BENCH_CODE_MAX_USES,
            report.bench_tenants.len(),
            report.bench_capacity,
            opts.codes_out
                .as_ref()
                .map(|p| format!("; written to {}", p.display()))
                .unwrap_or_default()
        );
        if opts.codes_out.is_none() {
            for c in &report.bench_codes {
                println!("  {}", c.code);
            }
        }
    }
    ExitCode::SUCCESS
}

/// The database URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Serves every allocation of 128 KiB or more with its own mapping, returned to the system
/// when freed. glibc's default threshold adapts upwards: once a large block is freed, blocks
/// of that size come from per-thread arenas that keep the memory. Every login hashes with
/// argon2 (19 MiB of working memory) on a blocking thread, so each such thread's arena kept
/// 19 MiB: 20 logins took the server from 42 MB to 404 MB, and 16 logins followed by a
/// run of 1,000-event usage batches left it at 295 MB instead of 109 MB
/// (docs/BENCHMARKS.md). A mapping costs microseconds against the milliseconds of hashing
/// or ingesting.
///
/// It also allows one arena per core instead of glibc's eight per core: each arena keeps
/// its own freed memory, and with 16 arenas for a handful of threads the usage batches'
/// small allocations spread over all of them. On 2 cores that lowered peak RSS under
/// usage ingest from 54/64 to 47/58 MB (16/64 connections) at the same throughput
/// (docs/BENCHMARKS.md, "Memory"). `MALLOC_MMAP_THRESHOLD_` or `MALLOC_ARENA_MAX` in the
/// environment keeps glibc's own reading of that setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // An operator who tunes glibc through its own variables knows their machine better;
    // mallopt would silently replace what they set.
    let operator_set = |name: &str| std::env::var_os(name).is_some();
    // SAFETY: glibc's mallopt takes the allocator's own locks and only changes a tuning
    // parameter; a refusal (return 0) leaves the default behaviour in place.
    unsafe {
        if !operator_set("MALLOC_MMAP_THRESHOLD_") {
            mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        }
        if !operator_set("MALLOC_ARENA_MAX") {
            mallopt(M_ARENA_MAX, i32::try_from(cores).unwrap_or(i32::MAX));
        }
    }
}

/// Other platforms' allocators are left as they are.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn fail(msg: &str) -> ExitCode {
    eprintln!("tessera: {msg}");
    ExitCode::FAILURE
}
