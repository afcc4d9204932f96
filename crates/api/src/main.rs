//! `tessera`: serve the API, run migrations, or print the OpenAPI document.

use std::process::ExitCode;

use tessera_api::{Application, Settings, db, openapi};

const USAGE: &str = "usage: tessera <serve|migrate|openapi>
  serve    run migrations, ensure start-up data and serve the API (default)
  migrate  apply pending migrations and exit
  openapi  print the OpenAPI document as YAML";

#[actix_web::main]
async fn main() -> ExitCode {
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

fn fail(msg: &str) -> ExitCode {
    eprintln!("tessera: {msg}");
    ExitCode::FAILURE
}
