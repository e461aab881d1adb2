//! `cargo xtask run`: front end + server from the source tree, SQLite at
//! ./data/cjm.db unless DATABASE_URL says otherwise.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cargo_bin, frontend, root, target_dir};

pub fn run(args: &[String]) -> Result<()> {
    frontend::build(false, frontend::BROTLI_DEV)?;
    println!("==> starting the server");
    let status = Command::new(cargo_bin())
        .current_dir(root())
        .env("CARGO_TARGET_DIR", target_dir())
        .args(cargo_run_args(&root().join("frontend/dist"), args))
        .status()
        .context("cannot start the server")?;
    anyhow::ensure!(status.success(), "the server exited with {status}");
    Ok(())
}

/// `cargo run … -- serve --static-dir DIST ARGS`: the arguments given to
/// `cargo xtask run` go to `cjm serve` as they are (the `--` that may come
/// first was already taken out by `main`).
fn cargo_run_args(dist: &Path, args: &[String]) -> Vec<OsString> {
    let mut out: Vec<OsString> = [
        "run",
        "--quiet",
        "-p",
        "cjm-server",
        "--bin",
        "cjm",
        "--",
        "serve",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    out.push("--static-dir".into());
    out.push(dist.into());
    out.extend(args.iter().map(OsString::from));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_args;

    fn strs(v: &[OsString]) -> Vec<&str> {
        v.iter().map(|s| s.to_str().unwrap()).collect()
    }

    /// What cargo hands the xtask for `cargo xtask run -- --addr 0.0.0.0:8080`
    /// (the alias is `run --quiet -p xtask --`, and cargo passes on the
    /// user's own `--`) and for the same without `--`.
    #[test]
    fn readme_run_commands_reach_cjm_serve_without_the_separator() {
        for argv in [
            vec!["run", "--", "--addr", "0.0.0.0:8080"],
            vec!["run", "--addr", "0.0.0.0:8080"],
        ] {
            let argv: Vec<String> = argv.into_iter().map(String::from).collect();
            let (cmd, rest) = command_args(argv);
            assert_eq!(cmd, "run");
            let args = cargo_run_args(Path::new("/x/dist"), &rest);
            assert_eq!(
                strs(&args),
                [
                    "run",
                    "--quiet",
                    "-p",
                    "cjm-server",
                    "--bin",
                    "cjm",
                    "--",
                    "serve",
                    "--static-dir",
                    "/x/dist",
                    "--addr",
                    "0.0.0.0:8080"
                ]
            );
        }
    }

    #[test]
    fn plain_run_starts_serve_with_the_built_front_end() {
        let (cmd, rest) = command_args(vec!["run".into()]);
        assert_eq!(cmd, "run");
        assert_eq!(
            strs(&cargo_run_args(Path::new("/x/dist"), &rest))[7..],
            ["serve", "--static-dir", "/x/dist"]
        );
    }

    /// Only the first `--` is cargo's separator: a later one is the
    /// server's to read.
    #[test]
    fn only_a_leading_separator_is_dropped() {
        let argv = ["loadgen", "--", "idle", "--", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            command_args(argv),
            (
                "loadgen".to_string(),
                ["idle", "--", "x"].map(String::from).to_vec()
            )
        );
    }
}
