//! `cargo xtask bench [core|board|network|export|all]`: the criterion benches of cjm-core,
//! every export format of a 2,000-card board (wall and CPU time),
//! and the browser benchmark of a large board (40 stages × 12 lanes × 2,000
//! cards): time to first render and frame times while dragging a card, in
//! headless Chromium against the release server, loopback only. Results go
//! to target/bench/board.json, with Chrome traces of one open and one drag
//! beside it (open them in DevTools' Performance panel). Then (and alone as
//! `bench network`) the bytes on the wire of a cold load of a board page
//! and the cold open of a viewer link at 3 and 10 Mbit/s, in
//! target/bench/network.json.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, harness, release_server, root, target_dir};

pub fn bench(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str).unwrap_or("all") {
        "core" => core(),
        "board" => board(),
        "export" => export(),
        "network" => {
            println!("\n==> bench network");
            browser_bench(false)
        }
        "all" => {
            core()?;
            export()?;
            board()
        }
        other => bail!("unknown bench {other:?}: use core, board, network, export or all"),
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
    browser_bench(true)
}

/// The large board in Chromium (`board`), then what a person on a slow
/// line waits for: the bytes of a cold load of a board page and the cold
/// open of a viewer link at 3 and 10 Mbit/s (`network`, see
/// e2e/perf/network.mjs), against the release server.
fn browser_bench(board: bool) -> Result<()> {
    // The deployable build (`xtask build`, `xtask loadgen`): one binary.
    let server = release_server()?;
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
    // The binary's own front end, as deployed (embedded, precompressed).
    let (_server, base) = harness::start_server_embedded(&server, &db)?;
    let node = |script: &str, json: &str| -> Result<()> {
        let status = Command::new("node")
            .current_dir(root().join("e2e"))
            .arg(script)
            .env("BASE_URL", &base)
            .env("CHROMIUM", &chromium)
            .env("OUT", out.join(json))
            .env("TRACE_DIR", &out)
            .status()
            .context("cannot run node (install Node.js 20+)")?;
        if !status.success() {
            bail!("{script} failed ({status})");
        }
        Ok(())
    };
    if board {
        println!("==> server on {base}; building the board and measuring in Chromium");
        node("perf/board-perf.mjs", "board.json")?;
    }
    println!("\n==> bench network: server on {base}");
    node("perf/network.mjs", "network.json")
}
