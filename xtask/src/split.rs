//! Splits the front end's wasm into the module every page loads and the
//! modules loaded on first use (the functions marked `#[lazy]` in the front
//! end and what only they reach), with `wasm_split_cli_support`, the
//! library behind `cargo leptos --split`. A board link then downloads the
//! board and not the home page, the sign-in page or the version history.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

/// What the split made, before wasm-bindgen.
pub struct Split {
    /// The main module, for wasm-bindgen.
    pub main: PathBuf,
    /// The split modules and the script that loads them, named for the
    /// build: (file name under `assets/`, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// The loader script's name for `build`; the main module imports it.
pub fn loader_name(build: &str) -> String {
    format!("split-{build}.js")
}

/// Splits `raw` (cargo's wasm, linked with `--emit-relocs`) in `staging`.
/// The loader imports `initSync` from `./{js_name}` (wasm-bindgen's glue,
/// in the same directory) and fetches each split module relative to itself.
pub fn split(raw: &[u8], staging: &Path, build: &str, js_name: &str) -> Result<Split> {
    let out = staging.join("split");
    let main = staging.join("main.wasm");
    let loader = loader_name(build);
    let link_name = format!("./{loader}");
    let main_module = format!("./{js_name}");
    let mut opts = wasm_split_cli_support::Options::new(raw);
    opts.output_dir = &out;
    opts.main_out_path = &main;
    opts.link_name = &link_name;
    opts.main_module = &main_module;
    let made = wasm_split_cli_support::transform(opts)
        .map_err(|e| anyhow!("splitting the wasm failed: {e:?}"))?;
    let mut script = fs::read_to_string(out.join(&loader))
        .with_context(|| format!("the split left no {loader}"))?;
    let mut files = Vec::new();
    for path in made.split_modules {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("a split module without a name")?
            .to_string();
        let named = format!("{stem}-{build}.wasm");
        let reference = format!("\"./{stem}.wasm\"");
        anyhow::ensure!(
            script.contains(&reference),
            "the loader does not fetch {stem}.wasm as {reference}"
        );
        script = script.replace(&reference, &format!("\"./{named}\""));
        files.push((named, fs::read(&path)?));
    }
    files.push((loader, script.into_bytes()));
    Ok(Split { main, files })
}
