//! Builds the wasm front end without downloaded tools (DESIGN.md recipe):
//! cargo for wasm32, then wasm-bindgen through its library, then
//! content-hashed file names so browsers may cache them forever, and a
//! brotli (`.br`) and a gzip (`.gz`) copy of every file for the server to
//! send to browsers that accept them.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::{cargo, cargo_linted, root, split, target_dir, toolchain};

pub struct Built {
    pub wasm_bytes: u64,
    pub wasm_gzip_bytes: u64,
    pub wasm_brotli_bytes: u64,
}

/// Brotli's quality for what is deployed (`build`, `build-frontend`, and
/// the release server of `bench` and `loadgen`): its highest. Measured on
/// the 4.2 MB wasm on this 2-core machine: 712 KB in 27–32 s (gzip's best:
/// 1,009 KB in 0.5 s); quality 10 is hardly faster (740 KB, 25 s). Paid
/// once per new wasm: unchanged files keep their copies.
pub const BROTLI_RELEASE: u32 = 11;
/// For `run` and `test`, which rebuild at every edit and serve on
/// loopback: 794 KB in 2.2 s.
pub const BROTLI_DEV: u32 = 9;
/// Brotli's window, 2^22 bytes (its default): every browser decodes it,
/// and 2^24 made the wasm no smaller.
const BROTLI_WINDOW: i32 = 22;
/// In `frontend/dist`: the quality its brotli copies were made with, so
/// that a build asking for another one makes them again. (Never served:
/// the server refuses names that start with a dot.)
const QUALITY_STAMP: &str = ".brotli-quality";

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

/// Builds the front end, its brotli copies at `brotli_quality`
/// (`BROTLI_RELEASE` or `BROTLI_DEV`); with `lint`, clippy compiles (and
/// checks) our crates for wasm on the way (`cargo_linted`).
pub fn build(lint: bool, brotli_quality: u32) -> Result<Built> {
    toolchain::ensure_wasm_target()?;
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
    let raw = fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    // One name for the whole build: the main module, its glue and the
    // split modules refer to each other by name, so the names cannot
    // each hash their own content; they hash what they are all made from.
    let build = content_hash(&[raw.as_slice(), wb.unwrap_or_default().as_bytes()].concat());
    let js_name = format!("app-{build}.js");
    let wasm_name = format!("app-{build}.wasm");
    let split = split::split(&raw, &staging, &build, &js_name)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&split.main)
        .out_name("app")
        .web(true)?
        .typescript(false)
        // The split modules call the main module's functions through
        // these exports.
        .keep_lld_exports(true)
        .demangle(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&staging)
        .context("wasm-bindgen failed")?;
    let bg = staging.join("app_bg.wasm");
    maybe_wasm_opt(&bg)?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let wasm_bytes = fs::read(&bg)?;
    let js = fs::read(staging.join("app.js"))?;
    let css = fs::read(root.join("frontend/style.css"))?;
    let css_name = format!("style-{}.css", content_hash(&css));
    // No inline script: the Content-Security-Policy allows only our files.
    let boot = format!(
        "if (\"serviceWorker\" in navigator) navigator.serviceWorker.register(\"/sw.js\").catch(() => {{}});\n\
         import init from \"/assets/{js_name}\";\ninit({{ module_or_path: \"/assets/{wasm_name}\" }});\n"
    );
    let boot_name = format!("boot-{}.js", content_hash(boot.as_bytes()));
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
    files.push((format!("assets/{wasm_name}"), wasm_bytes));
    files.push((format!("assets/{js_name}"), js));
    files.push((format!("assets/{css_name}"), css));
    files.push((format!("assets/{boot_name}"), boot.into_bytes()));
    for (name, bytes) in split.files {
        files.push((format!("assets/{name}"), bytes));
    }
    files.push(("sw.js".into(), sw.into_bytes()));
    files.push(("index.html".into(), index.into_bytes()));

    let dist = root.join("frontend/dist");
    let t = Instant::now();
    let sizes = write_dist(&dist, &files, brotli_quality)?;
    let wasm = &sizes[0];
    println!(
        "==> front end in {} ({:.1} s to write and compress): wasm {} KB raw, {} KB gzip, {} KB brotli (quality {brotli_quality})",
        dist.display(),
        t.elapsed().as_secs_f64(),
        wasm.raw / 1024,
        wasm.gzip / 1024,
        wasm.brotli / 1024,
    );
    Ok(Built {
        wasm_bytes: wasm.raw,
        wasm_gzip_bytes: wasm.gzip,
        wasm_brotli_bytes: wasm.brotli,
    })
}

/// A file's size as written and as each compressed copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Writes `files` (paths relative to `dist`) and their `.br` and `.gz`
/// copies, and removes whatever else is in `dist`. A file whose bytes are
/// already there is not touched, so the release build, which embeds these
/// files, is not redone for nothing; the copies of an unchanged file are
/// kept too (their names hold the content hash, or they are
/// small). A copy that would not be smaller than the file is not written:
/// the server then sends the file itself. Returns the sizes, in order.
pub fn write_dist(dist: &Path, files: &[(String, Vec<u8>)], quality: u32) -> Result<Vec<Sizes>> {
    fs::create_dir_all(dist).with_context(|| format!("cannot create {}", dist.display()))?;
    let stamp = dist.join(QUALITY_STAMP);
    let same_quality = fs::read_to_string(&stamp).is_ok_and(|q| q.trim() == quality.to_string());
    let mut keep: BTreeSet<PathBuf> = BTreeSet::new();
    keep.insert(stamp.clone());
    let sizes = std::thread::scope(|s| {
        let jobs: Vec<_> = files
            .iter()
            .map(|(name, bytes)| {
                let path = dist.join(name);
                keep.insert(path.clone());
                keep.insert(sibling(&path, "br"));
                keep.insert(sibling(&path, "gz"));
                s.spawn(move || write_with_copies(&path, bytes, quality, same_quality))
            })
            .collect();
        jobs.into_iter()
            .map(|j| j.join().unwrap_or_else(|_| bail!("compression panicked")))
            .collect::<Result<Vec<_>>>()
    })?;
    remove_others(dist, &keep)?;
    // Last, and only when it changes (the release build embeds it too): a
    // build stopped before this point leaves the old quality, and the next
    // one asking for another makes every copy again.
    write_if_changed(&stamp, quality.to_string().as_bytes())?;
    Ok(sizes)
}

fn write_with_copies(path: &Path, bytes: &[u8], quality: u32, keep_copies: bool) -> Result<Sizes> {
    // The copies are written before the file: a build stopped in between
    // leaves the old file, and the next one makes the copies again.
    let changed = !fs::read(path).is_ok_and(|old| old == bytes);
    let raw = bytes.len() as u64;
    let copy = |ext: &str, compress: &dyn Fn(&[u8]) -> Vec<u8>| -> Result<u64> {
        let target = sibling(path, ext);
        if !changed
            && keep_copies
            && let Ok(m) = fs::metadata(&target)
        {
            return Ok(m.len());
        }
        let packed = compress(bytes);
        if (packed.len() as u64) < raw {
            write_if_changed(&target, &packed)?;
            Ok(packed.len() as u64)
        } else {
            let _ = fs::remove_file(&target);
            Ok(raw)
        }
    };
    let sizes = Sizes {
        raw,
        brotli: copy("br", &|b| brotli(b, quality))?,
        gzip: copy("gz", &gzip)?,
    };
    if changed {
        write_if_changed(path, bytes)?;
    }
    Ok(sizes)
}

/// `name.ext` beside `name`: `app-….wasm` → `app-….wasm.br`.
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Writes through a temporary file and a rename, so that a file is never
/// seen half written; returns whether anything was written.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = sibling(path, "tmp");
    fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

/// Removes every file under `dir` that is not in `keep` (an earlier
/// build's assets), and directories left empty.
fn remove_others(dir: &Path, keep: &BTreeSet<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_others(&path, keep)?;
            let _ = fs::remove_dir(&path);
        } else if !keep.contains(&path) {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

pub fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: quality as i32,
        lgwin: BROTLI_WINDOW,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 3);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("in memory");
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    enc.write_all(bytes).expect("in memory");
    enc.finish().expect("in memory")
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("card {} in stage {}\n", i % 97, i % 13))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn copies_decompress_to_the_file_and_stale_files_go() {
        let dist = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dist);
        fs::create_dir_all(dist.join("assets")).unwrap();
        fs::write(dist.join("assets/app-old.wasm"), b"old").unwrap();
        fs::write(dist.join("assets/app-old.wasm.br"), b"old").unwrap();
        let big = text(5000);
        let files = vec![
            ("assets/app-1.js".to_string(), big.clone()),
            ("index.html".to_string(), b"<p>".to_vec()),
        ];
        let sizes = write_dist(&dist, &files, BROTLI_DEV).unwrap();

        let br = fs::read(dist.join("assets/app-1.js.br")).unwrap();
        let gz = fs::read(dist.join("assets/app-1.js.gz")).unwrap();
        assert_eq!(sizes[0].raw, big.len() as u64);
        assert_eq!(sizes[0].brotli, br.len() as u64);
        assert_eq!(sizes[0].gzip, gz.len() as u64);
        assert!(br.len() < gz.len() && gz.len() < big.len() / 10);
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, big);
        back.clear();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, big);
        // Three bytes do not get smaller: no copies, the file itself is sent.
        assert!(!dist.join("index.html.br").exists());
        assert!(!dist.join("index.html.gz").exists());
        assert_eq!(sizes[1].brotli, 3);
        // The earlier build's files are gone.
        assert!(!dist.join("assets/app-old.wasm").exists());
        assert!(!dist.join("assets/app-old.wasm.br").exists());

        // The same build again touches nothing.
        let before = fs::metadata(dist.join("assets/app-1.js.br"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(write_dist(&dist, &files, BROTLI_DEV).unwrap(), sizes);
        for f in [
            "assets/app-1.js",
            "assets/app-1.js.br",
            "assets/app-1.js.gz",
        ] {
            assert!(dist.join(f).exists(), "{f}");
        }
        let after = fs::metadata(dist.join("assets/app-1.js.br"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
        // Another quality makes the copies again.
        assert_ne!(brotli(&big, BROTLI_RELEASE), brotli(&big, BROTLI_DEV));
        let best = write_dist(&dist, &files, BROTLI_RELEASE).unwrap();
        assert_eq!(best[0].brotli, brotli(&big, BROTLI_RELEASE).len() as u64);
        assert_eq!(
            fs::read(dist.join("assets/app-1.js.br")).unwrap(),
            brotli(&big, BROTLI_RELEASE)
        );
        assert_eq!(fs::read_to_string(dist.join(QUALITY_STAMP)).unwrap(), "11");
        fs::remove_dir_all(&dist).unwrap();
    }
}
