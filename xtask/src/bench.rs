//! `cargo xtask bench [core|board|export|all]`: the criterion benches of cjm-core,
//! every export format of a 2,000-card board (wall and CPU time),
//! and the browser benchmark of a large board (40 stages × 12 lanes × 2,000
//! cards): time to first render and frame times while dragging a card, in
//! headless Chromium against the release server, loopback only. Results go
//! to target/bench/board.json, with Chrome traces of one open and one drag
//! beside it (open them in DevTools' Performance panel).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, frontend, harness, root, target_dir};

pub fn bench(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str).unwrap_or("all") {
        "core" => core(),
        "board" => board(),
        "export" => export(),
        "all" => {
            core()?;
            export()?;
            board()
        }
        other => bail!("unknown bench {other:?}: use core, board, export or all"),
    }
}

/// Criterion: apply, validation, snapshot encode.
fn core() -> Result<()> {
    println!("\n==> bench core");
    cargo(&["bench", "-p", "cjm-core", "--bench", "core"])
}

/// Every export format of a 2,000-card board, wall and CPU time, twice.
fn export() -> Result<()> {
    println!("\n==> bench export");
    cargo(&[
        "run",
        "--release",
        "-p",
        "cjm-export",
        "--example",
        "export_bench",
    ])
}

fn board() -> Result<()> {
    println!("\n==> bench board");
    frontend::build(false)?;
    // The same build as `xtask loadgen`, so the two share it.
    cargo(&["build", "--release", "-p", "cjm-server", "--bin", "cjm"])?;
    // What people browse with, when it is here: the full browser (the
    // tests' headless shell paints the same, but these are user figures).
    let chromium = match std::env::var("CHROMIUM") {
        Err(_) if std::path::Path::new("/usr/bin/chromium").exists() => "/usr/bin/chromium".into(),
        _ => harness::find_or_install_chromium()?,
    };
    harness::install_npm_packages()?;
    let out = target_dir().join("bench");
    std::fs::create_dir_all(&out)?;

    // Dropped in reverse order: the server stops, then its database goes.
    let dir = harness::TempDir::new("cjm-bench")?;
    let db = format!("sqlite://{}", dir.0.join("bench.db").display());
    let (_server, base) = harness::start_server(&target_dir().join("release/cjm"), &db)?;
    println!("==> server on {base}; building the board and measuring in Chromium");
    let status = Command::new("node")
        .current_dir(root().join("e2e"))
        .arg("perf/board-perf.mjs")
        .env("BASE_URL", &base)
        .env("CHROMIUM", &chromium)
        .env("OUT", out.join("board.json"))
        .env("TRACE_DIR", &out)
        .status()
        .context("cannot run node (install Node.js 20+)")?;
    if !status.success() {
        bail!("the board benchmark failed ({status})");
    }
    Ok(())
}
