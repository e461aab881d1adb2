//! `cargo xtask <command>`: the developer entry points, in plain Rust.
//!
//! - `build`: the wasm front end into `frontend/dist` (content-hashed assets)
//!   and the release `cjm` binary with the front end embedded.
//! - `run`: build the front end, then run the server from the source tree.
//! - `test`: everything CI checks, in order, ending with a one-line summary.

mod bench;
mod frontend;
mod harness;
mod loadgen;
mod run;
mod test;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

fn main() {
    // Errors are for people: the chain of causes, without a backtrace.
    if let Err(e) = run_command() {
        eprintln!("\nerror: {e:#}");
        std::process::exit(1);
    }
}

fn run_command() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match cmd.as_str() {
        "build" => {
            frontend::build()?;
            cargo(&[
                "build",
                "--release",
                "-p",
                "cjm-server",
                "--features",
                "embed-frontend",
            ])?;
            println!(
                "release binary: {}",
                target_dir().join("release/cjm").display()
            );
            Ok(())
        }
        "build-frontend" => frontend::build().map(|_| ()),
        "run" => run::run(&rest),
        "test" => test::test(),
        "loadgen" => loadgen::loadgen(&rest),
        "bench" => bench::bench(&rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 run [ARGS]       build the front end and start the server (ARGS go to `cjm serve`)\n  \
                 test             fmt, clippy, all Rust tests (SQLite + Postgres), wasm build, browser tests\n  \
                 build            release binary with the front end embedded\n  \
                 build-frontend   only the wasm front end, into frontend/dist\n  \
                 bench [NAME]     core (criterion: apply, validation, snapshot encode),\n                   \
                 board (Chromium: open and drag on a 40×12×2000 board), all (default)\n  \
                 loadgen [NAME]   load scenarios on Postgres: workshop, max, boards, idle, all"
            );
            if cmd.is_empty() {
                Ok(())
            } else {
                bail!("unknown command {cmd:?}")
            }
        }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs cargo in the workspace root, failing on a non-zero exit.
pub fn cargo(args: &[&str]) -> Result<()> {
    let status = Command::new(cargo_bin())
        .current_dir(root())
        .args(args)
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Runs one SQL statement on the local Postgres (test and load databases).
pub fn psql(sql: &str) -> Result<()> {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ])
        .output()
        .context("cannot run psql (install the Debian package postgresql-client)")?;
    if !out.status.success() {
        bail!(
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
