//! Whether the binary embeds the web front end (`frontend/dist`, made by
//! `cargo xtask build` or `cargo xtask build-frontend`).
//!
//! A release build always does: with the front end built, a plain
//! `cargo build --release -p cjm-server` embeds it; without, the build
//! stops and says how to make it, so that no release binary ever answers
//! "The front end is not built". The `embed-frontend` feature asks the same
//! of any build (the tests' build, to check embedding). Other debug builds
//! embed nothing and serve the front end with `--static-dir`.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cjm_embed_frontend)");
    println!("cargo::rerun-if-changed=build.rs");
    let feature = std::env::var_os("CARGO_FEATURE_EMBED_FRONTEND").is_some();
    // "release" for every profile that inherits from release (bench too).
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if !feature && !release {
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let index = manifest.join("../../frontend/dist/index.html");
    // A new front end has a new index.html (its assets' names are hashes).
    println!("cargo::rerun-if-changed={}", index.display());
    if index.exists() {
        println!("cargo::rustc-cfg=cjm_embed_frontend");
        return;
    }
    let why = if release {
        "a release build of cjm embeds the web front end"
    } else {
        "the embed-frontend feature embeds the web front end"
    };
    println!(
        "cargo::error={why}, which is not built (frontend/dist/index.html is missing). \
         Build both with `cargo xtask build`, or the front end alone with \
         `cargo xtask build-frontend` and then this command again."
    );
}
