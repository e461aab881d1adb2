//! Builds the wasm front end without downloaded tools (DESIGN.md recipe):
//! cargo for wasm32, then wasm-bindgen through its library, then
//! content-hashed file names so browsers may cache them forever.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::{cargo, cargo_linted, root, target_dir};

pub struct Built {
    pub wasm_bytes: u64,
    pub wasm_gzip_bytes: Option<u64>,
}

/// Version of a package as recorded in Cargo.lock (first match).
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\nversion = \"");
    let i = lock.find(&needle)? + needle.len();
    Some(lock[i..].split('"').next()?.to_string())
}

/// FNV-1a: a stable content hash for cache-busting file names.
fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")[..12].to_string()
}

/// Builds the front end; with `lint`, clippy compiles (and checks) our
/// crates for wasm on the way (`cargo_linted`).
pub fn build(lint: bool) -> Result<Built> {
    let root = root();
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let (wb, cli) = (
        lock_version(&lock, "wasm-bindgen"),
        lock_version(&lock, "wasm-bindgen-cli-support"),
    );
    ensure!(
        wb.is_some() && wb == cli,
        "wasm-bindgen {wb:?} != wasm-bindgen-cli-support {cli:?} in Cargo.lock; pin both to the same =version"
    );
    println!("==> building the front end (wasm)");
    let args = [
        "build",
        "-p",
        "frontend",
        "--profile",
        "wasm-release",
        "--target",
        "wasm32-unknown-unknown",
    ];
    if lint {
        cargo_linted(&args)?;
    } else {
        cargo(&args)?;
    }

    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/frontend.wasm");
    let staging = target_dir().join("wasm-bindgen");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&wasm)
        .out_name("app")
        .web(true)?
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&staging)
        .context("wasm-bindgen failed")?;
    let bg = staging.join("app_bg.wasm");
    maybe_wasm_opt(&bg)?;

    let dist = root.join("frontend/dist");
    let _ = fs::remove_dir_all(&dist);
    let assets = dist.join("assets");
    fs::create_dir_all(&assets)?;
    let wasm_bytes = fs::read(&bg)?;
    let wasm_name = format!("app-{}.wasm", content_hash(&wasm_bytes));
    fs::write(assets.join(&wasm_name), &wasm_bytes)?;
    let js = fs::read(staging.join("app.js"))?;
    let js_name = format!("app-{}.js", content_hash(&js));
    fs::write(assets.join(&js_name), &js)?;
    let css = fs::read(root.join("frontend/style.css"))?;
    let css_name = format!("style-{}.css", content_hash(&css));
    fs::write(assets.join(&css_name), &css)?;
    // No inline script: the Content-Security-Policy allows only our files.
    let boot = format!(
        "if (\"serviceWorker\" in navigator) navigator.serviceWorker.register(\"/sw.js\").catch(() => {{}});\n\
         import init from \"/assets/{js_name}\";\ninit({{ module_or_path: \"/assets/{wasm_name}\" }});\n"
    );
    let boot_name = format!("boot-{}.js", content_hash(boot.as_bytes()));
    fs::write(assets.join(&boot_name), &boot)?;
    let index = format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>CJM Board</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/{css_name}">
  <link rel="modulepreload" href="/assets/{js_name}">
  <link rel="preload" href="/assets/{wasm_name}" as="fetch" type="application/wasm" crossorigin>
</head>
<body>
  <noscript>CJM Board needs JavaScript and WebAssembly.</noscript>
  <script type="module" src="/assets/{boot_name}"></script>
</body>
</html>
"#
    );
    // The service worker's cache is named after this build, so a new
    // release replaces the old shell.
    let sw = fs::read_to_string(root.join("frontend/static/sw.js"))?
        .replace("__BUILD__", &content_hash(index.as_bytes()));
    fs::write(dist.join("sw.js"), sw)?;
    fs::write(dist.join("index.html"), index)?;
    let gz = gzip_size(&assets.join(&wasm_name));
    println!(
        "==> front end in {}: wasm {} KB raw{}",
        dist.display(),
        wasm_bytes.len() / 1024,
        gz.map(|g| format!(", {} KB gzipped", g / 1024))
            .unwrap_or_default()
    );
    Ok(Built {
        wasm_bytes: wasm_bytes.len() as u64,
        wasm_gzip_bytes: gz,
    })
}

/// Optional shrink with binaryen's wasm-opt, opt-in via WASM_OPT=/path.
/// Old binaryen (Debian's 108) produces a wasm that fails in Chromium.
fn maybe_wasm_opt(wasm: &Path) -> Result<()> {
    let Some(wasm_opt) = std::env::var_os("WASM_OPT") else {
        return Ok(());
    };
    let v = Command::new(&wasm_opt)
        .arg("--version")
        .output()
        .context("running wasm-opt")?;
    let v = String::from_utf8_lossy(&v.stdout).to_string();
    let n: u32 = v
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    ensure!(n >= 132, "wasm-opt too old ({}); need >= 132", v.trim());
    let s = Command::new(&wasm_opt)
        .arg("-Oz")
        .arg(wasm)
        .arg("-o")
        .arg(wasm)
        .status()?;
    if !s.success() {
        bail!("wasm-opt failed: {s}");
    }
    Ok(())
}

fn gzip_size(path: &Path) -> Option<u64> {
    let out = Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(path)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout.len() as u64)
}
