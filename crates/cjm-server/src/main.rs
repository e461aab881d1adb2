//! `cjm`: the CJM Board server binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use cjm_server::AppState;
use cjm_server::assets::Assets;
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
        } => serve(addr, &database_url, static_dir).await,
    }
}

async fn serve(
    addr: SocketAddr,
    database_url: &str,
    static_dir: Option<PathBuf>,
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
    let state = AppState::new(store.clone(), assets);
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
