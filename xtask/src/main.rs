//! `cargo xtask <command>`: the developer entry points, in plain Rust.
//!
//! - `build`: the wasm front end into `frontend/dist` (content-hashed assets,
//!   each with a brotli and a gzip copy) and the release `cjm` binary with
//!   the front end embedded.
//! - `run`: build the front end, then run the server from the source tree.
//! - `test`: everything CI checks, in order, ending with a one-line summary.

mod bench;
mod frontend;
mod harness;
mod loadgen;
mod run;
mod split;
mod test;
mod toolchain;

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
    let (cmd, rest) = command_args(std::env::args().skip(1).collect());
    match cmd.as_str() {
        "build" => {
            let bin = release_server()?;
            println!("release binary: {}", bin.display());
            Ok(())
        }
        "build-frontend" => frontend::build(false, frontend::BROTLI_RELEASE).map(|_| ()),
        "run" => run::run(&rest),
        "test" => {
            use_shared_target_dir();
            match rest.first().map(String::as_str) {
                None => test::test(),
                Some("--quick") => test::quick(),
                Some(other) => bail!("unknown option {other:?}; `cargo xtask test [--quick]`"),
            }
        }
        "loadgen" => loadgen::loadgen(&rest),
        "bench" => bench::bench(&rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 run [ARGS]       build the front end and start the server (ARGS go to `cjm serve`)\n  \
                 test             fmt, clippy, all Rust tests (SQLite + Postgres), wasm build, browser tests\n  \
                 test --quick     fmt, clippy on the crates you changed, core and store tests on SQLite\n  \
                 build            release binary with the front end embedded\n  \
                 build-frontend   only the wasm front end, into frontend/dist\n  \
                 bench [NAME]     core (criterion: apply, validation, snapshot encode),\n                   \
                 export (every export of a 2,000-card board),\n                   \
                 board (Chromium: open and drag on a 40×12×2000 board, then network),\n                   \
                 network (bytes of a cold board load; a viewer link opened at 3 and 10 Mbit/s),\n                   \
                 all (default)\n  \
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

/// The command and its arguments, without the `--` that may stand between
/// them: `cargo xtask run -- --addr …` hands the xtask `run -- --addr …`
/// (cargo passes a second `--` on), and the arguments are the command's.
pub fn command_args(mut argv: Vec<String>) -> (String, Vec<String>) {
    if argv.is_empty() {
        return (String::new(), argv);
    }
    let cmd = argv.remove(0);
    if argv.first().is_some_and(|a| a == "--") {
        argv.remove(0);
    }
    (cmd, argv)
}

/// The deployable binary, `target/release/cjm`: the front end built from
/// the source tree, then the release server, which embeds it (see
/// crates/cjm-server/build.rs). Every command that needs a release server
/// (`build`, `bench board`, `loadgen`) builds it this one way, the way a
/// plain `cargo build --release -p cjm-server` does, so that none of them
/// replaces the deployable binary with a different one.
pub fn release_server() -> Result<PathBuf> {
    frontend::build(false, frontend::BROTLI_RELEASE)?;
    cargo(&["build", "--release", "-p", "cjm-server", "--bin", "cjm"])?;
    Ok(target_dir().join("release/cjm"))
}

/// The workspace root. `cargo run` (the `cargo xtask` alias) says where
/// the xtask's manifest is when it runs, and that wins over where it was
/// compiled: with a target directory shared between checkouts (CI's cache),
/// the one binary may have been built from another checkout.
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Set by `test` to the shared cache (see `use_shared_target_dir`).
static TARGET_OVERRIDE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Where cargo builds: `CARGO_TARGET_DIR` if set, else `./target` (or, for
/// `test`, the shared cache). Every cargo this xtask runs uses the same one.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    TARGET_OVERRIDE
        .get()
        .cloned()
        .unwrap_or_else(|| root().join("target"))
}

/// For `test`: build in the target directory kept outside any clone
/// (`$XDG_CACHE_HOME/cjm-board/target`, else `~/.cache/…`) when it exists,
/// so that a fresh clone reuses what an earlier run built. `.ci/run`
/// creates it; `build` and `run` keep to `./target`.
pub fn use_shared_target_dir() {
    if std::env::var_os("CARGO_TARGET_DIR").is_none()
        && let Some(dir) = shared_target_dir().filter(|d| d.is_dir())
    {
        let _ = TARGET_OVERRIDE.set(dir);
    }
}

/// The target directory kept outside any clone (see `target_dir`).
pub fn shared_target_dir() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("cjm-board/target"))
}

pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs cargo in the workspace root, failing on a non-zero exit.
pub fn cargo(args: &[&str]) -> Result<()> {
    run_cargo(args, false)
}

/// Runs cargo with clippy as the compiler of the workspace's own crates
/// (`-D warnings`): one build both compiles and lints them, instead of a
/// `cargo clippy` pass whose check-mode artifacts no build can reuse.
/// Dependencies are compiled by plain rustc, as with `cargo clippy`.
pub fn cargo_linted(args: &[&str]) -> Result<()> {
    run_cargo(args, true)
}

fn run_cargo(args: &[&str], lint: bool) -> Result<()> {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(root())
        .env("CARGO_TARGET_DIR", target_dir())
        .args(args);
    // `CJM_TIMINGS=1`: cargo's HTML timing report of each build, in
    // <target>/cargo-timings (where the time goes, crate by crate).
    if args.first() == Some(&"build") && std::env::var_os("CJM_TIMINGS").is_some() {
        cmd.arg("--timings");
    }
    if lint {
        cmd.env("RUSTC_WORKSPACE_WRAPPER", clippy_driver()?).env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        );
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// clippy's compiler driver, from the toolchain that runs this xtask.
fn clippy_driver() -> Result<PathBuf> {
    let out = Command::new("rustup")
        .args(["which", "clippy-driver"])
        .current_dir(root())
        .output();
    if let Ok(out) = out
        && out.status.success()
    {
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if path.exists() {
            return Ok(path);
        }
    }
    let beside = Path::new(&cargo_bin())
        .parent()
        .map(|d| d.join("clippy-driver"))
        .filter(|p| p.exists());
    beside.context("clippy-driver not found; install it with:\n  rustup component add clippy")
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
