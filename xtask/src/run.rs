//! `cargo xtask run`: front end + server from the source tree, SQLite at
//! ./data/cjm.db unless DATABASE_URL says otherwise.

use std::process::Command;

use anyhow::{Context, Result};

use crate::{cargo_bin, frontend, root};

pub fn run(args: &[String]) -> Result<()> {
    frontend::build(false)?;
    println!("==> starting the server");
    let dist = root().join("frontend/dist");
    let status = Command::new(cargo_bin())
        .current_dir(root())
        .args([
            "run",
            "--quiet",
            "-p",
            "cjm-server",
            "--bin",
            "cjm",
            "--",
            "serve",
            "--static-dir",
        ])
        .arg(&dist)
        .args(args)
        .status()
        .context("cannot start the server")?;
    anyhow::ensure!(status.success(), "the server exited with {status}");
    Ok(())
}
