//! The front end is compiled for `wasm32-unknown-unknown`. A toolchain
//! without that target's standard library fails minutes into a build with
//! rustc's "can't find crate for `core`", so every command that builds the
//! front end checks for it first and, with rustup, adds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};

use crate::root;

pub const WASM: &str = "wasm32-unknown-unknown";

/// What the check needs to know about, and do to, the toolchain.
trait Toolchain {
    /// The standard library for wasm32 is in the sysroot of the rustc that
    /// cargo runs.
    fn has_wasm_std(&self) -> bool;
    /// rustup is installed (and so can add targets).
    fn has_rustup(&self) -> bool;
    /// `rustup target add wasm32-unknown-unknown`; true when it succeeded.
    fn add_wasm_target(&self) -> bool;
}

/// Makes sure the toolchain can build for wasm32: nothing when its
/// standard library is there (with or without rustup), else
/// `rustup target add`, else one error naming the fix.
pub fn ensure_wasm_target() -> Result<()> {
    ensure(&Installed)
}

fn ensure(tc: &impl Toolchain) -> Result<()> {
    if tc.has_wasm_std() {
        return Ok(());
    }
    let fix = format!("rustup target add {WASM}");
    if !tc.has_rustup() {
        bail!(
            "the Rust toolchain has no standard library for {WASM}, which the front end is \
             built for, and rustup is not installed to add it. Install the target with:\n  {fix}"
        );
    }
    println!("==> the {WASM} target is not installed: running `{fix}`");
    if !tc.add_wasm_target() || !tc.has_wasm_std() {
        bail!(
            "could not install the {WASM} target, which the front end is built for. Run:\n  {fix}"
        );
    }
    Ok(())
}

/// The toolchain this workspace builds with (rust-toolchain.toml, or
/// whatever `rustc` is when there is no rustup).
struct Installed;

impl Toolchain for Installed {
    fn has_wasm_std(&self) -> bool {
        sysroot().is_some_and(|s| has_core(&s))
    }

    fn has_rustup(&self) -> bool {
        Command::new("rustup")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn add_wasm_target(&self) -> bool {
        Command::new("rustup")
            .current_dir(root())
            .args(["target", "add", WASM])
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// `rustc --print sysroot`, run where cargo runs it (the workspace root,
/// so that rust-toolchain.toml picks the toolchain).
fn sysroot() -> Option<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .current_dir(root())
        .args(["--print", "sysroot"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The sysroot holds `core` compiled for wasm32: what "can't find crate
/// for `core`" is missing.
fn has_core(sysroot: &Path) -> bool {
    let lib = sysroot.join("lib/rustlib").join(WASM).join("lib");
    std::fs::read_dir(lib).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcore-") && name.ends_with(".rlib")
        })
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    struct Fake {
        std: Cell<bool>,
        rustup: bool,
        add_works: bool,
        added: Cell<u32>,
    }

    impl Fake {
        fn new(std: bool, rustup: bool, add_works: bool) -> Self {
            Self {
                std: Cell::new(std),
                rustup,
                add_works,
                added: Cell::new(0),
            }
        }
    }

    impl Toolchain for Fake {
        fn has_wasm_std(&self) -> bool {
            self.std.get()
        }
        fn has_rustup(&self) -> bool {
            self.rustup
        }
        fn add_wasm_target(&self) -> bool {
            self.added.set(self.added.get() + 1);
            if self.add_works {
                self.std.set(true);
            }
            self.add_works
        }
    }

    #[test]
    fn installed_target_needs_nothing_with_or_without_rustup() {
        for rustup in [true, false] {
            let tc = Fake::new(true, rustup, false);
            ensure(&tc).unwrap();
            assert_eq!(tc.added.get(), 0);
        }
    }

    #[test]
    fn missing_target_is_added_with_rustup() {
        let tc = Fake::new(false, true, true);
        ensure(&tc).unwrap();
        assert_eq!(tc.added.get(), 1);
    }

    #[test]
    fn failed_add_stops_with_the_fix() {
        let tc = Fake::new(false, true, false);
        let e = ensure(&tc).unwrap_err().to_string();
        assert_eq!(tc.added.get(), 1);
        assert!(
            e.contains("rustup target add wasm32-unknown-unknown"),
            "{e}"
        );
    }

    #[test]
    fn no_rustup_and_no_target_stops_with_the_fix() {
        let tc = Fake::new(false, false, true);
        let e = ensure(&tc).unwrap_err().to_string();
        assert_eq!(tc.added.get(), 0);
        assert!(
            e.contains("rustup target add wasm32-unknown-unknown"),
            "{e}"
        );
    }

    #[test]
    fn core_is_found_in_a_sysroot() {
        let dir = std::env::temp_dir().join(format!("xtask-sysroot-{}", std::process::id()));
        let lib = dir.join("lib/rustlib/wasm32-unknown-unknown/lib");
        std::fs::create_dir_all(&lib).unwrap();
        assert!(!has_core(&dir));
        std::fs::write(lib.join("libcore-0123abcd.rlib"), b"").unwrap();
        assert!(has_core(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!has_core(&dir));
    }
}
