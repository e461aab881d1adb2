//! `cargo xtask test`: every check CI runs, in order, failing fast. Missing
//! tools are installed when that is possible (npm packages; Debian chromium
//! when root) and otherwise reported with the command that fixes them. Under
//! `CI=true` nothing is ever skipped.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cargo, frontend, harness, is_ci, psql, root, target_dir};

const PG_ADDR: &str = "127.0.0.1:5432";
const PG_START: &str = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

pub fn test() -> Result<()> {
    let started = Instant::now();
    if is_ci() {
        println!("CI=true: every step is required; a missing service or tool fails the run");
    }
    let mut done: Vec<String> = Vec::new();

    step("format", || cargo(&["fmt", "--all", "--", "--check"]))?;
    done.push("fmt".into());

    step("clippy", || {
        cargo(&["clippy", "--all-targets", "--", "-D", "warnings"])?;
        cargo(&[
            "clippy",
            "-p",
            "frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])
    })?;
    done.push("clippy".into());

    step("docker-compose.yml", check_compose)?;
    done.push("compose config".into());

    step("postgres", require_postgres)?;
    drop_leftover_test_databases();
    step("rust tests (SQLite + Postgres)", || {
        let nextest = Command::new(crate::cargo_bin())
            .args(["nextest", "--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let pkgs = ["-p", "cjm-core", "-p", "cjm-store", "-p", "cjm-server"];
        if nextest {
            let mut args = vec!["nextest", "run", "--no-fail-fast"];
            args.extend(pkgs);
            cargo(&args)
        } else {
            let mut args = vec!["test"];
            args.extend(pkgs);
            cargo(&args)
        }
    })?;
    done.push("rust tests".into());

    let mut wasm = String::new();
    step("wasm build", || {
        let built = frontend::build()?;
        wasm = format!(
            "wasm {} KB{}",
            built.wasm_bytes / 1024,
            built
                .wasm_gzip_bytes
                .map(|g| format!(" ({} KB gz)", g / 1024))
                .unwrap_or_default()
        );
        Ok(())
    })?;
    done.push(wasm);

    // The release binary embeds frontend/dist: check that it still builds.
    step("embedded front end", || {
        cargo(&["check", "-p", "cjm-server", "--features", "embed-frontend"])
    })?;
    done.push("embed check".into());

    // The integration tests already built `cjm` with the same features;
    // building it on its own would re-resolve features and recompile.
    if !target_dir().join("debug/cjm").exists() {
        step("server binary", || {
            cargo(&["build", "-p", "cjm-server", "--bin", "cjm"])
        })?;
    }
    let chromium = step("chromium", harness::find_or_install_chromium)?;
    step("npm packages", harness::install_npm_packages)?;
    let sqlite_dir = harness::TempDir::new("cjm-e2e")?;
    step("browser tests on SQLite", || {
        browser_tests(
            &format!("sqlite://{}/e2e.db", sqlite_dir.0.display()),
            &chromium,
            "sqlite",
        )
    })?;
    drop(sqlite_dir);
    done.push("browser tests (SQLite)".into());
    step("browser tests on Postgres", || {
        let db = format!("cjm_e2e_{}", std::process::id());
        psql(&format!("DROP DATABASE IF EXISTS {db}"))?;
        psql(&format!("CREATE DATABASE {db}"))?;
        let result = browser_tests(
            &format!("postgres://postgres@{PG_ADDR}/{db}"),
            &chromium,
            "postgres",
        );
        let _ = psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        result
    })?;
    done.push("browser tests (Postgres)".into());

    println!(
        "\nxtask test: all passed in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        done.join(", ")
    );
    Ok(())
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

fn browser_tests(database_url: &str, chromium: &Path, label: &str) -> Result<()> {
    let (_server, base) = harness::start_server(&target_dir().join("debug/cjm"), database_url)?;
    let shots = root().join("e2e/test-results").join(label);
    std::fs::create_dir_all(&shots)?;
    let status = Command::new("node")
        .current_dir(root().join("e2e"))
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .arg("tests/")
        .env("BASE_URL", &base)
        .env("CHROMIUM", chromium)
        .env("SCREENSHOTS", &shots)
        .status()
        .context("cannot run node")?;
    if !status.success() {
        bail!(
            "browser tests failed against {label} (screenshots in {})",
            shots.display()
        );
    }
    Ok(())
}
