//! `cargo xtask loadgen [workshop|max|boards|idle|all]`: release builds of
//! the server (the deployable one, front end included) and the load generator, a fresh Postgres database per
//! scenario, and the figures issue notes ask for. Loopback only, bounded in
//! time.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, psql, release_server, root, target_dir};

const PG: &str = "postgres://postgres@127.0.0.1:5432";

pub fn loadgen(args: &[String]) -> Result<()> {
    let which = args.first().map(String::as_str).unwrap_or("all");
    // The deployable server, built as `cargo xtask build` builds it (with
    // the front end), so that a load run leaves target/release/cjm as it
    // was; then the load generator.
    let server = release_server()?;
    cargo(&["build", "--release", "-p", "cjm-loadgen"])?;
    let scenarios: Vec<(&str, Vec<&str>)> = vec![
        (
            "workshop",
            vec![
                "--editors",
                "200",
                "--viewers",
                "1000",
                "--rate",
                "1",
                "--seconds",
                "20",
            ],
        ),
        (
            "max",
            vec!["--editors", "30", "--rate", "200", "--seconds", "15"],
        ),
        (
            "boards",
            vec![
                "--editors",
                "200",
                "--boards",
                "20",
                "--rate",
                "5",
                "--seconds",
                "15",
            ],
        ),
        // 19,500: the machines here allow 20,000 open files per process.
        ("idle", vec!["--idle", "19500"]),
    ];
    let mut ran = false;
    for (name, extra) in scenarios {
        if which != "all" && which != name {
            continue;
        }
        ran = true;
        println!("\n==> loadgen {name}: {}", extra.join(" "));
        let db = format!("cjm_load_{}", std::process::id());
        psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))?;
        psql(&format!("CREATE DATABASE {db}"))?;
        let status = Command::new(target_dir().join("release/cjm-loadgen"))
            .current_dir(root())
            .arg("--server-bin")
            .arg(&server)
            .args(["--database-url", &format!("{PG}/{db}")])
            .args(&extra)
            .status()
            .context("running cjm-loadgen")?;
        let _ = psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        if !status.success() {
            bail!("loadgen {name} failed");
        }
    }
    if !ran {
        bail!("unknown scenario {which:?}: use workshop, max, boards, idle or all");
    }
    Ok(())
}
