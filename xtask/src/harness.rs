//! What the browser tests and the browser benchmark both need: Chromium,
//! the npm packages of e2e/, a temporary directory and a `cjm` server on a
//! loopback port, each cleaned up however the run ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::root;

/// The browser the tests drive: `CHROMIUM` if set (e.g. `/usr/bin/chromium`,
/// the full browser), else Debian's `chromium-headless-shell`: the same
/// Chromium release, engine and flags without the desktop browser around
/// them, which is what Playwright itself runs headless. Measured on the
/// suite: 32 % less wall time and 43 % less CPU than the full browser,
/// the same pages (screenshots identical). Installed when missing and
/// this is root; otherwise the command that installs it is the error.
pub fn find_or_install_chromium() -> Result<PathBuf> {
    if let Ok(chosen) = std::env::var("CHROMIUM")
        && !chosen.is_empty()
    {
        if Path::new(&chosen).exists() {
            return Ok(PathBuf::from(chosen));
        }
        bail!("CHROMIUM={chosen} does not exist");
    }
    const SHELL: &str = "/usr/bin/chromium-headless-shell";
    if Path::new(SHELL).exists() {
        return Ok(PathBuf::from(SHELL));
    }
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root_user {
        println!("chromium-headless-shell is missing: installing the Debian package");
        let ok = Command::new("sh")
            .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell"])
            .status()
            .is_ok_and(|s| s.success());
        if ok && Path::new(SHELL).exists() {
            return Ok(PathBuf::from(SHELL));
        }
    }
    bail!(
        "Chromium is required for the browser tests. Install it with:\n  sudo apt-get install -y chromium-headless-shell\n(or point CHROMIUM at another Chromium, e.g. CHROMIUM=/usr/bin/chromium)"
    )
}

pub fn install_npm_packages() -> Result<()> {
    let e2e = root().join("e2e");
    if e2e.join("node_modules/playwright-core").exists() {
        return Ok(());
    }
    let status = Command::new("npm")
        .current_dir(&e2e)
        .args(["ci", "--no-audit", "--no-fund"])
        .status()
        .context("cannot run npm (install Node.js 20+)")?;
    if !status.success() {
        bail!("`npm ci` in e2e/ failed; run it by hand to see why");
    }
    Ok(())
}

/// A temporary directory, removed however the run ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Kills the server when the run ends, however it ends.
pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `bin serve` (the debug or release `cjm`) on a free loopback port
/// with the built front end, and waits until it answers.
pub fn start_server(bin: &Path, database_url: &str) -> Result<(Server, String)> {
    start(bin, database_url, Some(&root().join("frontend/dist")))
}

/// Starts the release `bin serve` with the front end it embeds, as it is
/// deployed.
pub fn start_server_embedded(bin: &Path, database_url: &str) -> Result<(Server, String)> {
    start(bin, database_url, None)
}

fn start(bin: &Path, database_url: &str, static_dir: Option<&Path>) -> Result<(Server, String)> {
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--addr", &addr, "--database-url", database_url]);
    if let Some(dir) = static_dir {
        cmd.arg("--static-dir").arg(dir);
    }
    let child = cmd
        .env("RUST_LOG", "warn")
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http_ok(&addr, "/healthz") {
            return Ok((server, format!("http://{addr}")));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the server did not answer /healthz on {addr} within 30 s")
}

pub fn http_ok(addr: &str, path: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}
