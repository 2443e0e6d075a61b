use clap::{Parser, Subcommand};
use pantau_server::store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "pantau-server", version, about = "Pantau's report endpoint and PWA server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the built PWA, when --static-dir is given).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PANTAU_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// SQLite database: a file path (created on first start) or a sqlite: URL.
        #[arg(long, env = "PANTAU_DATABASE", default_value = "data/pantau.db")]
        database: String,
        /// Directory of the built PWA (Trunk's dist/).
        #[arg(long, env = "PANTAU_STATIC_DIR")]
        static_dir: Option<PathBuf>,
    },
    /// Print every stored report as one JSON line ({"receipt":…,"report":…}), in
    /// arrival order.
    Reports {
        #[arg(long, env = "PANTAU_DATABASE", default_value = "data/pantau.db")]
        database: String,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match Cli::parse().command {
        Command::Serve { bind, database, static_dir } => serve(bind, &database, static_dir).await,
        Command::Reports { database } => print_reports(&database).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pantau-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(bind: SocketAddr, database: &str, static_dir: Option<PathBuf>) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(dir) = &static_dir {
        if !dir.join("index.html").is_file() {
            return Err(format!("--static-dir {}: no index.html there (build the PWA first: cargo xtask run)", dir.display()).into());
        }
    }
    let store = Store::open(database).await.map_err(|e| format!("opening database {database}: {e}"))?;
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| format!("listening on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let app = pantau_server::app(store.clone(), static_dir.as_deref());
    println!("Pantau is running at http://{addr}/ (database: {database}). Stop it with Ctrl-C.");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    // Requests in flight have finished; close the pool so the WAL is checkpointed.
    store.close().await;
    println!("Pantau stopped.");
    Ok(())
}

async fn print_reports(database: &str) -> Result<(), Box<dyn std::error::Error>> {
    if !database.starts_with("sqlite:") && !std::path::Path::new(database).is_file() {
        return Err(format!("no database at {database}").into());
    }
    let store = Store::open(database).await.map_err(|e| format!("opening database {database}: {e}"))?;
    for (receipt, report) in store.all_reports().await? {
        println!("{}", serde_json::json!({ "receipt": receipt, "report": report }));
    }
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
