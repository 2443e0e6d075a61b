use clap::{Args, Parser, Subcommand};
use pantau_server::auth::{hash_secret, new_enrolment_code, normalise_code};
use pantau_server::store::{ReportFilter, Role, Store, EXPORT_PAGE};
use pantau_server::Config;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "pantau-server", version, about = "Pantau's report endpoint and PWA server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Database {
    /// SQLite database: a file path (created on first start) or a sqlite: URL.
    #[arg(long, env = "PANTAU_DATABASE", default_value = "data/pantau.db")]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the built PWA, when --static-dir is given).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PANTAU_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        #[command(flatten)]
        database: Database,
        /// Directory of the built PWA (Trunk's dist/). Default: the apps built
        /// into this binary, unpacked into the system's temporary folder.
        #[arg(long, env = "PANTAU_STATIC_DIR")]
        static_dir: Option<PathBuf>,
        /// Folder of the photos reports carry (created if missing). Default:
        /// `photos` beside the database file.
        #[arg(long, env = "PANTAU_PHOTOS")]
        photos: Option<PathBuf>,
        /// Keep complete photos in an S3-compatible bucket every server shares
        /// (s3://bucket or s3://bucket/prefix) instead of under --photos, which
        /// keeps only uploads in progress then. Endpoint and keys come from
        /// AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION
        /// (AWS_ALLOW_HTTP=true for an endpoint without TLS).
        #[arg(long, env = "PANTAU_PHOTO_STORE")]
        photo_store: Option<String>,
        /// Serve HTTPS with this certificate chain (PEM) instead of HTTP; with --tls-key.
        #[arg(long, env = "PANTAU_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, env = "PANTAU_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// With TLS: also listen for plain HTTP here (0.0.0.0:80, say), only to
        /// redirect each request to the same address on HTTPS.
        #[arg(long, env = "PANTAU_REDIRECT_BIND", requires = "tls_cert")]
        redirect_bind: Option<SocketAddr>,
        /// Average requests per second allowed per token.
        #[arg(long, env = "PANTAU_RATE_PER_SECOND", default_value_t = Config::default().rate_per_second)]
        rate_per_second: u64,
        /// Requests a token may make in a burst.
        #[arg(long, env = "PANTAU_RATE_BURST", default_value_t = Config::default().rate_burst)]
        rate_burst: u32,
        /// Allow the API to be called from this origin (repeatable). CORS is off without it.
        #[arg(long = "cors-origin", env = "PANTAU_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
        /// Address of GET /metrics (Prometheus text), apart from the API's so
        /// that a proxy in front of the API never exposes it; "off" for none.
        /// Default 127.0.0.1:9464, skipped with a warning if taken (another
        /// server on this machine); an address given here must be free.
        #[arg(long, env = "PANTAU_METRICS_BIND")]
        metrics_bind: Option<String>,
        /// Test builds only: inject network faults into /api, e.g. "reset=0.05,drop=0.2,delay=20".
        #[cfg(feature = "fault-injection")]
        #[arg(long)]
        inject_faults: Option<String>,
    },
    /// Manage volunteers.
    #[command(subcommand)]
    Volunteer(VolunteerCommand),
    /// Manage coordinators.
    #[command(subcommand)]
    Coordinator(CoordinatorCommand),
    /// Manage the ballots count results are typed against.
    #[command(subcommand)]
    Ballot(BallotCommand),
    /// Manage the TPS coordinators expect reports from.
    #[command(subcommand)]
    Tps(TpsCommand),
    /// Print every stored report as one JSON line ({"receipt":…,"volunteer":…,"report":…}),
    /// in arrival order.
    Reports {
        #[command(flatten)]
        database: Database,
    },
    /// Write a consistent copy of the database to a new file, while the server
    /// runs: every report acknowledged before the command started is in it.
    Backup {
        /// The copy to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum VolunteerCommand {
    /// Create a volunteer and print their one-time enrolment code and link.
    Add {
        #[arg(long)]
        name: String,
        /// The TPS they watch, e.g. 6471011001-003.
        #[arg(long, required_unless_present = "scope", conflicts_with = "scope")]
        tps: Option<String>,
        /// Instead of one TPS, every TPS whose code starts with these digits
        /// (6471011001: one village), for a volunteer who moves between TPS.
        #[arg(long)]
        scope: Option<String>,
        /// The address volunteers open, for the enrolment link.
        #[arg(long, env = "PANTAU_BASE_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
        #[command(flatten)]
        database: Database,
    },
    /// List volunteers: id (for revoke), enrolment, reports filed, TPS, name.
    List {
        #[command(flatten)]
        database: Database,
    },
    /// Revoke a volunteer's token (their reports are kept).
    Revoke {
        id: i64,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum TpsCommand {
    /// Import TPS from a CSV file: a TPS code per line, optionally a second
    /// column with its address; a header line is skipped. Checked whole first.
    Import {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum BallotCommand {
    /// Import ballots from a JSON file ({"ballots":[{"contest":"dpr","participants":[{"number":1,"name":"PKB"}]}]}):
    /// each replaces the ballot for its contest; the others stay.
    Import {
        file: PathBuf,
        #[command(flatten)]
        database: Database,
    },
    /// Print the ballots served to phones, as JSON.
    Show {
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum CoordinatorCommand {
    /// Create a coordinator and print their one-time sign-in code and desk link.
    Add {
        #[arg(long)]
        name: String,
        /// The TPS they see: every TPS whose code starts with these digits
        /// (6471: a city, 647101: a kecamatan). Without it, every TPS.
        #[arg(long)]
        scope: Option<String>,
        /// The address coordinators open, for the sign-in link.
        #[arg(long, env = "PANTAU_BASE_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
        #[command(flatten)]
        database: Database,
    },
    /// Print a new one-time sign-in link for an active coordinator.
    Link {
        id: i64,
        #[arg(long, env = "PANTAU_BASE_URL", default_value = "http://127.0.0.1:8080")]
        base_url: String,
        #[command(flatten)]
        database: Database,
    },
    /// List coordinators: id (for revoke), status, name.
    List {
        #[command(flatten)]
        database: Database,
    },
    /// Revoke a coordinator's token.
    Revoke {
        id: i64,
        #[command(flatten)]
        database: Database,
    },
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

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
        Command::Serve {
            bind,
            database,
            static_dir,
            photos,
            photo_store,
            tls_cert,
            tls_key,
            redirect_bind,
            rate_per_second,
            rate_burst,
            cors_origins,
            metrics_bind,
            #[cfg(feature = "fault-injection")]
            inject_faults,
        } => {
            let metrics_bind = match metrics_bind.as_deref() {
                None => Some(MetricsBind::Default(DEFAULT_METRICS_BIND.parse().expect("a valid address"))),
                Some("off") => None,
                Some(address) => {
                    match address.parse::<SocketAddr>() {
                        Ok(address) => Some(MetricsBind::Given(address)),
                        Err(e) => {
                            eprintln!("pantau-server: --metrics-bind {address:?}: {e} (an address like 127.0.0.1:9464, or off)");
                            return std::process::ExitCode::from(2);
                        }
                    }
                }
            };
            let photos_dir = Some(photos.unwrap_or_else(|| photos_beside(&database.database)));
            let config =
                Config { static_dir, rate_per_second, rate_burst, cors_origins, photos_dir, ..Config::default() };
            #[cfg(feature = "fault-injection")]
            let faults = match inject_faults.as_deref().map(pantau_server::faults::Faults::parse).transpose() {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("pantau-server: --inject-faults: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            #[cfg(not(feature = "fault-injection"))]
            let faults = None::<()>;
            let tls = tls_cert.zip(tls_key).map(|(cert, key)| Tls { cert, key, redirect_bind });
            serve(bind, metrics_bind, &database.database, photo_store.as_deref(), tls, config, faults).await
        }
        Command::Volunteer(VolunteerCommand::Add { name, tps, scope, base_url, database }) => {
            let watches = match (tps, scope) {
                (Some(tps), _) => Watches::Tps(tps),
                (None, Some(scope)) => Watches::Scope(scope),
                (None, None) => unreachable!("clap requires --tps or --scope"),
            };
            add_volunteer(&database.database, &name, watches, &base_url).await
        }
        Command::Volunteer(VolunteerCommand::Revoke { id, database }) => {
            revoke(&database.database, id, Role::Volunteer).await
        }
        Command::Volunteer(VolunteerCommand::List { database }) => {
            list_accounts(&database.database, Role::Volunteer).await
        }
        Command::Coordinator(CoordinatorCommand::Add { name, scope, base_url, database }) => {
            add_coordinator(&database.database, &name, scope.as_deref(), &base_url).await
        }
        Command::Coordinator(CoordinatorCommand::Link { id, base_url, database }) => {
            coordinator_link(&database.database, id, &base_url).await
        }
        Command::Coordinator(CoordinatorCommand::List { database }) => {
            list_accounts(&database.database, Role::Coordinator).await
        }
        Command::Coordinator(CoordinatorCommand::Revoke { id, database }) => {
            revoke(&database.database, id, Role::Coordinator).await
        }
        Command::Ballot(BallotCommand::Import { file, database }) => import_ballots(&database.database, &file).await,
        Command::Ballot(BallotCommand::Show { database }) => show_ballots(&database.database).await,
        Command::Tps(TpsCommand::Import { file, database }) => import_tps(&database.database, &file).await,
        Command::Reports { database } => print_reports(&database.database).await,
        Command::Backup { to, database } => backup(&database.database, &to).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pantau-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn open(database: &str) -> Result<Store> {
    Ok(Store::open(database).await.map_err(|e| format!("opening database {}: {e}", without_password(database)))?)
}

/// `database` as it may be printed: a URL's password replaced by `***`.
fn without_password(database: &str) -> String {
    match url::Url::parse(database) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => database.to_owned(),
    }
}

/// For commands that only read: a mistyped path must not create an empty database.
async fn open_existing(database: &str) -> Result<Store> {
    let url = ["sqlite:", "postgres://", "postgresql://"].iter().any(|scheme| database.starts_with(scheme));
    if !url && !std::path::Path::new(database).is_file() {
        return Err(format!("no database at {database}").into());
    }
    open(database).await
}

/// Reads the whole file before storing any of it: a line that is not a TPS
/// is named, and nothing is imported.
async fn import_tps(database: &str, file: &std::path::Path) -> Result {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| format!("reading {}: {e}", file.display()))?;
    let mut tps = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let record = record.map_err(|e| format!("{} line {line}: {e}", file.display()))?;
        let code = record.get(0).unwrap_or_default();
        let address = record.get(1).map(str::to_owned).filter(|a| !a.is_empty());
        match pantau_core::TpsCode::parse(code) {
            Ok(code) => {
                if address.as_ref().is_some_and(|a| a.chars().count() > pantau_core::validation::MAX_SHORT_CHARS) {
                    let max = pantau_core::validation::MAX_SHORT_CHARS;
                    return Err(format!("{} line {line}: the address is over {max} characters", file.display()).into());
                }
                tps.push((code.to_string(), address));
            }
            // A header names its columns.
            Err(_) if line == 1 => {}
            Err(e) => {
                return Err(format!(
                    "{} line {line}: {code:?} is not a TPS code ({e:?}); expected e.g. 6471011001-003",
                    file.display()
                )
                .into())
            }
        }
    }
    let store = open(database).await?;
    let imported = store.import_tps(&tps).await?;
    store.close().await;
    println!("{imported} TPS imported");
    Ok(())
}

/// Checks the whole file before storing any of it: a mistake names the
/// contest and the ballot number, and nothing is imported.
async fn import_ballots(database: &str, file: &std::path::Path) -> Result {
    let json = std::fs::read_to_string(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let catalogue = pantau_core::ballot::Catalogue::from_json(&json).map_err(|e| format!("{}: {e}", file.display()))?;
    let store = open(database).await?;
    store.import_ballots(&catalogue).await?;
    for ballot in &catalogue.ballots {
        println!("{}: {} participants", ballot.contest.as_str(), ballot.participants.len());
    }
    Ok(())
}

async fn show_ballots(database: &str) -> Result {
    let store = open_existing(database).await?;
    println!("{}", serde_json::to_string_pretty(&store.ballots().await?)?);
    Ok(())
}

#[cfg(feature = "fault-injection")]
type Faults = pantau_server::faults::Faults;
#[cfg(not(feature = "fault-injection"))]
type Faults = ();

const DEFAULT_METRICS_BIND: &str = "127.0.0.1:9464";

/// Where `GET /metrics` listens: the default may be taken by another server
/// on the machine (then there is none, with a warning); a given one must bind.
enum MetricsBind {
    Default(SocketAddr),
    Given(SocketAddr),
}

/// The default photo folder: `photos` beside the database file
/// (`data/pantau.db`: `data/photos`).
fn photos_beside(database: &str) -> PathBuf {
    let file = database.strip_prefix("sqlite://").or_else(|| database.strip_prefix("sqlite:")).unwrap_or(database);
    let file = file.split('?').next().unwrap_or_default();
    match std::path::Path::new(file).parent() {
        Some(folder) if !file.is_empty() && file != ":memory:" => folder.join("photos"),
        _ => PathBuf::from("photos"),
    }
}

async fn serve(
    bind: SocketAddr,
    metrics_bind: Option<MetricsBind>,
    database: &str,
    photo_store: Option<&str>,
    tls: Option<Tls>,
    mut config: Config,
    faults: Option<Faults>,
) -> Result {
    match &config.static_dir {
        Some(dir) if !dir.join("index.html").is_file() => {
            return Err(format!(
                "--static-dir {}: no index.html there (build the PWA first: cargo xtask run)",
                dir.display()
            )
            .into());
        }
        Some(_) => {}
        None => {
            let parent = std::env::temp_dir();
            config.static_dir = pantau_server::apps::unpack(&parent)
                .map_err(|e| format!("unpacking the built-in apps into {}: {e}", parent.display()))?;
            match &config.static_dir {
                Some(dir) => tracing::info!(folder = %dir.display(), "serving the apps built into this binary"),
                None => tracing::warn!("this binary was built without the apps (no dist/): serving the API only"),
            }
        }
    }
    let store = open(database).await?;
    if let Some(dir) = &config.photos_dir {
        pantau_server::photos::PhotoFiles::open(dir).map_err(|e| format!("--photos {}: {e}", dir.display()))?;
    }
    if let Some(url) = photo_store {
        let builder = object_store::aws::AmazonS3Builder::from_env();
        config.photo_bucket =
            Some(pantau_server::photos::bucket(url, builder).await.map_err(|e| format!("--photo-store {e}"))?);
    }
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| format!("listening on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let app = pantau_server::app(store.clone(), &config);
    #[cfg(feature = "fault-injection")]
    let app = match faults {
        Some(faults) => {
            eprintln!("pantau-server: injecting faults into /api: {faults:?}");
            pantau_server::faults::layer(app, faults)
        }
        None => app,
    };
    #[cfg(not(feature = "fault-injection"))]
    let _ = faults;
    let metrics_listener = match metrics_bind {
        None => None,
        Some(MetricsBind::Given(address)) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| format!("--metrics-bind: listening on {address}: {e}"))?,
        ),
        Some(MetricsBind::Default(address)) => match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => Some(listener),
            Err(e) => {
                tracing::warn!(%address, error = %e, "no /metrics: its default address is taken (set --metrics-bind)");
                None
            }
        },
    };
    if let Some(listener) = metrics_listener {
        let at = listener.local_addr()?;
        let metrics = pantau_server::metrics_app(store.metrics());
        // It ends with the process; scrapes need no graceful shutdown.
        tokio::spawn(async move { axum::serve(listener, metrics).await });
        println!("Metrics at http://{at}/metrics");
    }
    let database = without_password(database);
    match tls {
        None => {
            println!("Pantau is running at http://{addr}/ (database: {database}). Stop it with Ctrl-C.");
            axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
        }
        Some(tls) => {
            let certificate = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
                .await
                .map_err(|e| format!("--tls-cert {} --tls-key {}: {e}", tls.cert.display(), tls.key.display()))?;
            if let Some(redirect) = tls.redirect_bind {
                let plain = tokio::net::TcpListener::bind(redirect)
                    .await
                    .map_err(|e| format!("--redirect-bind: listening on {redirect}: {e}"))?;
                println!("Plain HTTP on http://{} redirects to HTTPS.", plain.local_addr()?);
                let to_https = axum::Router::new().fallback(move |request: axum::extract::Request| async move {
                    redirect_to_https(&request, addr.port())
                });
                tokio::spawn(async move { axum::serve(plain, to_https).await });
            }
            println!("Pantau is running at https://{addr}/ (database: {database}). Stop it with Ctrl-C.");
            let handle = axum_server::Handle::new();
            let stopping = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                // As axum::serve does: requests in flight finish first.
                stopping.graceful_shutdown(None);
            });
            axum_server::from_tcp_rustls(listener.into_std()?, certificate)?
                .handle(handle)
                .serve(app.into_make_service())
                .await?;
        }
    }
    // Requests in flight have finished; close the pool so the WAL is checkpointed.
    store.close().await;
    println!("Pantau stopped.");
    Ok(())
}

/// HTTPS served by the server itself.
struct Tls {
    cert: PathBuf,
    key: PathBuf,
    /// Where plain HTTP is answered with a redirect to HTTPS.
    redirect_bind: Option<SocketAddr>,
}

/// A permanent redirect of `request` to the same host, path and query on
/// HTTPS at `port` (left out when it is 443).
fn redirect_to_https(request: &axum::extract::Request, port: u16) -> axum::response::Response {
    use axum::response::IntoResponse;
    let host = request.headers().get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    // The host without its port ([::1]:80 keeps its brackets).
    let name = match host.rsplit_once(':') {
        Some((name, digits)) if !name.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b".-[]:".contains(&b));
    if !valid {
        return (axum::http::StatusCode::BAD_REQUEST, "a Host header is needed to redirect to HTTPS").into_response();
    }
    let port = if port == 443 { String::new() } else { format!(":{port}") };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    axum::response::Redirect::permanent(&format!("https://{name}{port}{path}")).into_response()
}

/// What a volunteer reports for: one TPS, or every TPS under a code prefix.
enum Watches {
    Tps(String),
    Scope(String),
}

async fn add_volunteer(database: &str, name: &str, watches: Watches, base_url: &str) -> Result {
    let tps = match watches {
        Watches::Tps(tps) => pantau_core::TpsCode::parse(&tps)
            .map_err(|e| format!("--tps {tps:?}: {e:?}; expected e.g. 6471011001-003"))?
            .to_string(),
        Watches::Scope(scope) => scope_arg(&scope)?,
    };
    if name.trim().is_empty() {
        return Err("--name must not be empty".into());
    }
    let store = open(database).await?;
    let code = new_enrolment_code();
    let id = store.create_volunteer(name.trim(), &tps, &hash_secret(&normalise_code(&code))).await?;
    store.close().await;
    println!("volunteer {id}: {} (TPS {tps})", name.trim());
    println!("enrolment code: {code}");
    println!("enrolment link: {}/#daftar={code}", base_url.trim_end_matches('/'));
    println!("The code works once. Show the link as a QR code, or read the code out.");
    Ok(())
}

fn scope_arg(scope: &str) -> Result<String> {
    let scope = scope.trim();
    if !pantau_core::TpsCode::is_scope_prefix(scope) {
        return Err(format!("--scope {scope:?}: 2 to 10 digits of a TPS code, e.g. 6471011001 (one village)").into());
    }
    Ok(scope.to_owned())
}

async fn add_coordinator(database: &str, name: &str, scope: Option<&str>, base_url: &str) -> Result {
    if name.trim().is_empty() {
        return Err("--name must not be empty".into());
    }
    let scope = scope.map(scope_arg).transpose()?;
    let store = open(database).await?;
    let code = new_enrolment_code();
    let id = store.create_coordinator(name.trim(), scope.as_deref(), &hash_secret(&normalise_code(&code))).await?;
    store.close().await;
    let sees = scope.map_or_else(|| "every TPS".to_owned(), |s| format!("TPS {s}…"));
    println!("coordinator {id}: {} ({sees})", name.trim());
    print_sign_in(&code, base_url);
    Ok(())
}

/// A new one-time sign-in code for an active coordinator whose session ended
/// or who moves to another laptop; using it ends the session open before.
async fn coordinator_link(database: &str, id: i64, base_url: &str) -> Result {
    let store = open_existing(database).await?;
    let code = new_enrolment_code();
    let issued = store.new_sign_in_code(id, &hash_secret(&normalise_code(&code))).await?;
    store.close().await;
    if !issued {
        return Err(format!("no active coordinator with id {id}").into());
    }
    print_sign_in(&code, base_url);
    Ok(())
}

fn print_sign_in(code: &str, base_url: &str) {
    println!("sign-in code: {code}");
    println!("sign-in link: {}/desk/#masuk={code}", base_url.trim_end_matches('/'));
    let hours = pantau_server::auth::DESK_SESSION.whole_hours();
    println!("The code works once; the desk session it opens lasts {hours} hours.");
}

async fn revoke(database: &str, id: i64, role: Role) -> Result {
    let store = open(database).await?;
    let revoked = store.revoke(id, role).await?;
    store.close().await;
    if revoked {
        println!("revoked {id}");
        Ok(())
    } else {
        Err(format!("no active {} with id {id}", if role == Role::Volunteer { "volunteer" } else { "coordinator" })
            .into())
    }
}

async fn list_accounts(database: &str, role: Role) -> Result {
    let store = open_existing(database).await?;
    let accounts = store.accounts(role).await?;
    store.close().await;
    let when = |t: time::OffsetDateTime| {
        t.format(&time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
    };
    let volunteers = role == Role::Volunteer;
    if volunteers {
        println!("{:>4}  {:<29}  {:>7}  {:<14}  name", "id", "status", "reports", "TPS");
    } else {
        println!("{:>4}  {:<29}  name", "id", "status");
    }
    for a in &accounts {
        let status = match (a.revoked_at, a.enrolled_at) {
            (Some(t), _) => format!("revoked {}", when(t)),
            (None, Some(t)) => format!("enrolled {}", when(t)),
            (None, None) => "code not yet used".to_owned(),
        };
        if volunteers {
            println!(
                "{:>4}  {:<29}  {:>7}  {:<14}  {}",
                a.id,
                status,
                a.reports,
                a.tps.as_deref().unwrap_or("-"),
                a.name
            );
        } else {
            println!("{:>4}  {:<29}  {}", a.id, status, a.name);
        }
    }
    if accounts.is_empty() {
        println!("(none yet: add one with `pantau-server {} add`)", role.as_str());
    }
    Ok(())
}

async fn backup(database: &str, to: &std::path::Path) -> Result {
    if to.exists() {
        return Err(format!("--to {}: already exists; a backup never overwrites a file", to.display()).into());
    }
    let store = open_existing(database).await?;
    store.backup_to(to).await.map_err(|e| format!("writing the backup to {}: {e}", to.display()))?;
    let copy = open_existing(&to.to_string_lossy()).await?;
    println!("backup written to {} ({} reports)", to.display(), copy.report_count().await?);
    Ok(())
}

async fn print_reports(database: &str) -> Result {
    use futures_util::TryStreamExt as _;
    let store = open_existing(database).await?;
    let mut pages = std::pin::pin!(store.report_pages(ReportFilter::default(), EXPORT_PAGE));
    while let Some(page) = pages.try_next().await? {
        for stored in page {
            let volunteer = stored.volunteer.map(|v| serde_json::json!({ "id": v.id, "name": v.name }));
            println!(
                "{}",
                serde_json::json!({ "receipt": stored.receipt, "volunteer": volunteer, "report": stored.report })
            );
        }
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
