//! `cargo xtask test`: every check CI runs, in order, failing fast. Missing
//! tools are installed when that is possible (npm packages; Debian chromium
//! when root) and otherwise reported with the command that fixes them. Under
//! `CI=true` nothing is ever skipped.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cargo, cargo_linted, frontend, harness, is_ci, psql, root, target_dir};

const PG_ADDR: &str = "127.0.0.1:5432";
const PG_START: &str = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

pub fn test() -> Result<()> {
    let started = Instant::now();
    if is_ci() {
        println!("CI=true: every step is required; a missing service or tool fails the run");
    }
    println!("target directory: {}", target_dir().display());
    let mut done: Vec<String> = Vec::new();

    step("format", || cargo(&["fmt", "--all", "--", "--check"]))?;
    done.push("fmt".into());

    // The front end first: the native build embeds it (`embed-frontend`),
    // which is how the release binary is checked. Both builds are linted
    // by clippy as they compile (`cargo_linted`), so there is no separate
    // clippy pass and every crate is compiled once per target.
    let mut wasm = String::new();
    step("wasm build (clippy-linted)", || {
        let built = frontend::build(true, frontend::BROTLI_DEV)?;
        wasm = format!(
            "wasm {} KB ({} KB br, {} KB gz)",
            built.wasm_bytes / 1024,
            built.wasm_brotli_bytes / 1024,
            built.wasm_gzip_bytes / 1024,
        );
        Ok(())
    })?;
    done.push(wasm);

    step("native build, all targets (clippy-linted)", || {
        let mut args = vec!["build", "--all-targets"];
        args.extend(NATIVE);
        cargo_linted(&args)?;
        // The xtask alone, as `cargo xtask` selects it: its dependencies
        // (wasm-bindgen's, the heaviest) are those `cargo xtask` built.
        cargo_linted(&["build", "-p", "xtask"])
    })?;
    done.push("clippy + build".into());

    step("docker-compose.yml", check_compose)?;
    done.push("compose config".into());

    step("postgres", require_postgres)?;
    drop_leftover_test_databases();
    step("rust tests (SQLite + Postgres)", rust_tests)?;
    done.push("rust tests".into());

    let chromium = step("chromium", harness::find_or_install_chromium)?;
    step("npm packages", harness::install_npm_packages)?;
    step("browser tests on SQLite and Postgres (in parallel)", || {
        browser_tests_on_both(&chromium)
    })?;
    done.push("browser tests (SQLite, Postgres)".into());

    println!(
        "\nxtask test: all passed in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        done.join(", ")
    );
    Ok(())
}

/// The native packages and features of the build and of the tests: the
/// same set in both, so that the tests reuse the build (another package
/// set would unify dependency features differently and rebuild them). The
/// xtask is left out: with the others its dependencies would be built a
/// second time, with other features than `cargo xtask` built them with.
/// `embed-frontend` is the release feature: the test build is also the
/// check that embedding the front end compiles.
const NATIVE: [&str; 7] = [
    "--workspace",
    "--exclude",
    "xtask",
    "--exclude",
    "frontend",
    "--features",
    "cjm-server/embed-frontend",
];

/// The Rust test suites, built by the linted build above (`NATIVE`: the
/// same packages, features and flags, so nothing is compiled again).
fn rust_tests() -> Result<()> {
    let mut args = if nextest_available() {
        vec!["nextest", "run", "--no-fail-fast"]
    } else {
        vec!["test"]
    };
    args.extend(NATIVE);
    cargo_linted(&args)
}

fn nextest_available() -> bool {
    Command::new(crate::cargo_bin())
        .args(["nextest", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `cargo xtask test --quick`: the edit-compile loop. Format, clippy on the
/// crates changed since the last commit (cjm-core if none), and the
/// cjm-core and cjm-store tests on SQLite. CI always runs the full `test`.
pub fn quick() -> Result<()> {
    let started = Instant::now();
    step("format", || cargo(&["fmt", "--all", "--", "--check"]))?;
    let crates = changed_crates();
    step(&format!("clippy on {}", crates.join(", ")), || {
        let mut native: Vec<&str> = vec!["clippy", "--all-targets"];
        let mut wasm = false;
        for c in &crates {
            if c == "frontend" {
                wasm = true;
            } else {
                native.extend(["-p", c.as_str()]);
            }
        }
        if native.len() > 2 {
            native.extend(["--", "-D", "warnings"]);
            cargo(&native)?;
        }
        if wasm {
            crate::toolchain::ensure_wasm_target()?;
            cargo(&[
                "clippy",
                "-p",
                "frontend",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])?;
        }
        Ok(())
    })?;
    step("cjm-core and cjm-store tests on SQLite", || {
        if nextest_available() {
            cargo(&[
                "nextest",
                "run",
                "-p",
                "cjm-core",
                "-p",
                "cjm-store",
                "-E",
                "not test(/^postgres::/)",
            ])
        } else {
            cargo(&[
                "test",
                "-p",
                "cjm-core",
                "-p",
                "cjm-store",
                "--",
                "--skip",
                "postgres::",
            ])
        }
    })?;
    println!(
        "\nxtask test --quick: passed in {:.0} s (CI runs the full `cargo xtask test`)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The workspace crates with changes since the last commit (staged,
/// unstaged or new files).
fn changed_crates() -> Vec<String> {
    let out = Command::new("git")
        .current_dir(root())
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output();
    let mut crates: Vec<String> = Vec::new();
    if let Ok(out) = out {
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let path = line.get(3..).unwrap_or_default();
            let path = path.rsplit(" -> ").next().unwrap_or(path);
            let name = if let Some(rest) = path.strip_prefix("crates/") {
                rest.split('/').next().map(str::to_string)
            } else if path.starts_with("frontend/") {
                Some("frontend".into())
            } else if path.starts_with("xtask/") {
                Some("xtask".into())
            } else {
                None
            };
            if let Some(n) = name
                && !crates.contains(&n)
            {
                crates.push(n);
            }
        }
    }
    if crates.is_empty() {
        crates.push("cjm-core".into());
    }
    crates
}

fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n==> {name}");
    let t = Instant::now();
    let out = f().with_context(|| format!("step failed: {name}"))?;
    println!("==> {name}: ok ({:.1} s)", t.elapsed().as_secs_f64());
    Ok(out)
}

/// No Docker engine runs here, so the deployment file is validated, not run.
fn check_compose() -> Result<()> {
    let out = Command::new("docker-compose")
        .current_dir(root())
        .args(["-f", "docker-compose.yml", "config", "-q"])
        .output()
        .context("docker-compose is needed to validate docker-compose.yml; install it with:\n  sudo apt-get install -y docker-compose")?;
    if !out.status.success() {
        bail!(
            "docker-compose.yml is invalid:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn require_postgres() -> Result<()> {
    let addr = PG_ADDR.parse().expect("valid address");
    if TcpStream::connect_timeout(&addr, Duration::from_secs(3)).is_err() {
        bail!("PostgreSQL is not reachable at {PG_ADDR}. Start it with:\n  {PG_START}");
    }
    Ok(())
}

/// Test databases of runs that were killed midway.
fn drop_leftover_test_databases() {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-At", "-c"])
        .arg("SELECT datname FROM pg_database WHERE datname LIKE 'cjm\\_test\\_%' OR datname LIKE 'cjm\\_e2e\\_%'")
        .output();
    if let Ok(out) = out {
        for db in String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
        {
            let _ = psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        }
    }
}

/// Both stores' browser suites at once: each has its own server and
/// database, so they share nothing; the same `cjm` binary serves both.
fn browser_tests_on_both(chromium: &Path) -> Result<()> {
    let sqlite_dir = harness::TempDir::new("cjm-e2e")?;
    let sqlite_url = format!("sqlite://{}/e2e.db", sqlite_dir.0.display());
    let db = format!("cjm_e2e_{}", std::process::id());
    psql(&format!("DROP DATABASE IF EXISTS {db}"))?;
    psql(&format!("CREATE DATABASE {db}"))?;
    let pg_url = format!("postgres://postgres@{PG_ADDR}/{db}");
    let (sqlite, postgres) = std::thread::scope(|s| {
        let a = s.spawn(|| browser_tests(&sqlite_url, chromium, "sqlite"));
        let b = s.spawn(|| browser_tests(&pg_url, chromium, "postgres"));
        (
            a.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the SQLite suite panicked"))),
            b.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the Postgres suite panicked"))),
        )
    });
    let _ = psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    drop(sqlite_dir);
    match (sqlite, postgres) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        (Err(a), Err(b)) => Err(a.context(format!("{b:#}"))),
    }
}

fn browser_tests(database_url: &str, chromium: &Path, label: &str) -> Result<()> {
    let (_server, base) = harness::start_server(&target_dir().join("debug/cjm"), database_url)?;
    let shots = root().join("e2e/test-results").join(label);
    std::fs::create_dir_all(&shots)?;
    // The two suites run at once: each writes its report to a file, shown
    // whole when it fails and as its summary when it passes.
    let log_path = root().join("e2e/test-results").join(format!("{label}.log"));
    let log = std::fs::File::create(&log_path)?;
    let t = Instant::now();
    let status = Command::new("node")
        .current_dir(root().join("e2e"))
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .arg("tests/")
        .env("BASE_URL", &base)
        .env("CHROMIUM", chromium)
        .env("SCREENSHOTS", &shots)
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .context("cannot run node")?;
    let report = std::fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        println!("--- browser tests on {label} ---\n{report}");
        bail!(
            "browser tests failed against {label} (screenshots in {})",
            shots.display()
        );
    }
    let summary: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("ℹ tests") || l.starts_with("ℹ pass") || l.starts_with("ℹ fail"))
        .collect();
    println!(
        "browser tests on {label}: {} in {:.0} s (report: {})",
        summary.join(", "),
        t.elapsed().as_secs_f64(),
        log_path.display()
    );
    Ok(())
}
