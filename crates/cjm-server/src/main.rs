//! `cjm`: the CJM Board server binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use cjm_server::AppState;
use cjm_server::assets::Assets;
use cjm_server::state::Options;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "cjm",
    version,
    about = "CJM Board: real-time collaborative customer journey maps"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CJM_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// sqlite://path/to/file.db (created if missing) or postgres://...
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/cjm.db")]
        database_url: String,
        /// Serve the front end from this directory instead of the one built
        /// into the binary (for development).
        #[arg(long, env = "CJM_STATIC_DIR")]
        static_dir: Option<PathBuf>,
        /// Mark session cookies Secure (set when users reach the server over
        /// https; a proxy's `X-Forwarded-Proto: https` does it per request).
        #[arg(long, env = "CJM_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Sites allowed to embed boards in a frame (CSP frame-ancestors),
        /// space-separated, e.g. "https://wiki.example.com". Default: none.
        #[arg(long, env = "CJM_FRAME_ANCESTORS")]
        frame_ancestors: Option<String>,
        /// The URL people reach the server at, e.g. https://board.example.com.
        /// When set, requests for other host names are refused (421) and a
        /// browser's Origin must be exactly this; an https URL implies
        /// Secure cookies.
        #[arg(long, env = "CJM_PUBLIC_URL")]
        public_url: Option<String>,
        /// Believe X-Forwarded-For/-Host/-Proto: set only when a reverse
        /// proxy in front of the server sets them.
        #[arg(long, env = "CJM_TRUST_PROXY")]
        trust_proxy: bool,
        /// Websockets one person (account or guest) may have open at once;
        /// 0 for no cap.
        #[arg(long, env = "CJM_MAX_SOCKETS_PER_PERSON", default_value_t = cjm_server::state::SOCKETS_PER_PERSON)]
        max_sockets_per_person: usize,
    },
    /// Compact every board's op log (ops of all but the last 1,000 batches
    /// dropped, entities deleted over a day ago removed for good) and remove
    /// images nothing refers to. A running server does this every hour.
    Maintenance {
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/cjm.db")]
        database_url: String,
    },
    /// Manage accounts from the command line (the first account of a server
    /// becomes its admin).
    User {
        #[command(subcommand)]
        action: UserAction,
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://./data/cjm.db",
            global = true
        )]
        database_url: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account. The password is read from CJM_PASSWORD, else from
    /// the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Set a new password (from CJM_PASSWORD or standard input) and end all
    /// of the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr; stdout carries only the start-up banner.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            addr,
            database_url,
            static_dir,
            secure_cookies,
            frame_ancestors,
            public_url,
            trust_proxy,
            max_sockets_per_person,
        } => {
            let public_url = public_url
                .as_deref()
                .map(cjm_server::origin::PublicUrl::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--public-url: {e}"))?;
            let options = Options {
                secure_cookies,
                frame_ancestors,
                public_url,
                trust_proxy,
                max_sockets_per_person: Some(max_sockets_per_person),
                session_recheck: None,
                quotas: None,
            };
            serve(addr, &database_url, static_dir, options).await
        }
        Command::User {
            action,
            database_url,
        } => user(action, &database_url).await,
        Command::Maintenance { database_url } => {
            let store = cjm_store::connect(&database_url)
                .await
                .with_context(|| format!("cannot open the database {}", redact(&database_url)))?;
            let policy = cjm_server::maintenance::Policy::default();
            let r = cjm_server::maintenance::run_once(&*store, &policy).await?;
            println!(
                "compacted {} board(s): {} batch(es) stripped of their ops, {} deleted item(s) removed; {} unused image(s) removed; {} daily version(s) saved, {} old automatic version(s) removed",
                r.boards,
                r.batches_stripped,
                r.entities_purged,
                r.uploads_removed,
                r.versions_saved,
                r.versions_removed
            );
            Ok(())
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("CJM_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn user(action: UserAction, database_url: &str) -> anyhow::Result<()> {
    use cjm_server::auth::{api::normalize_email, password};
    let store = cjm_store::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(database_url)))?;
    let now = cjm_server::clock::now_ms();
    match action {
        UserAction::Create { email, name } => {
            let email = normalize_email(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let pw = read_password()?;
            password::check_new(&pw, &email).map_err(|e| anyhow::anyhow!(e))?;
            let name = if name.trim().is_empty() {
                email.split('@').next().unwrap_or_default().to_string()
            } else {
                name.trim().to_string()
            };
            let hash = password::hash(&pw).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .create_user(uuid::Uuid::now_v7(), &email, &name, &hash, now)
                .await?;
            println!(
                "created {} ({}){}",
                user.email,
                user.id,
                if user.is_admin { ", admin" } else { "" }
            );
        }
        UserAction::ResetPassword { email } => {
            let email = normalize_email(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no account with the email {email}"))?;
            let pw = read_password()?;
            password::check_new(&pw, &email).map_err(|e| anyhow::anyhow!(e))?;
            let hash = password::hash(&pw).map_err(|e| anyhow::anyhow!("{e}"))?;
            store.set_password(user.id, &hash, now).await?;
            // Servers on Postgres close the account's sockets at once; any
            // server re-checks an account's sockets' sessions every minute.
            store.announce_sessions_ended(user.id, None).await?;
            println!("new password set for {email}; all its sessions ended");
        }
    }
    Ok(())
}

async fn serve(
    addr: SocketAddr,
    database_url: &str,
    static_dir: Option<PathBuf>,
    options: Options,
) -> anyhow::Result<()> {
    let store = cjm_store::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(database_url)))?;
    let assets = match static_dir {
        Some(dir) => {
            anyhow::ensure!(
                dir.join("index.html").exists(),
                "{} has no index.html",
                dir.display()
            );
            Assets::Dir(dir)
        }
        None => Assets::builtin(),
    };
    let state = AppState::with_options(store.clone(), assets, options);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(
        backend = store.backend(),
        "CJM Board is running at http://{local}/"
    );
    println!(
        "CJM Board is running at http://{local}/ ({} store)",
        store.backend()
    );
    cjm_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Hides a password in a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight commits");
}
