//! Small helpers shared by the tasks: paths, running commands, timing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The result of a task step: `Err` carries a one-line message for the user.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// `$CARGO_HOME/bin`, where `cargo install` puts the wasm-bindgen CLI.
pub fn cargo_bin_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cargo").join("bin")
}

/// The `cargo` that runs this task.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// A PATH with the cargo bin directory and `tests/node_modules/.bin` first, so that the
/// pinned wasm-bindgen CLI, its test runner and npm's wasm-opt are found.
pub fn tool_path() -> String {
    let mut parts = vec![
        cargo_bin_dir().display().to_string(),
        root().join("tests/node_modules/.bin").display().to_string(),
    ];
    if let Ok(path) = std::env::var("PATH") {
        parts.push(path);
    }
    parts.join(":")
}

/// Rejects extra arguments for tasks that take none.
pub fn no_args(rest: &[String]) -> Result {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(format!(
            "unexpected argument `{arg}`: run `cargo xtask help`"
        )),
    }
}

/// Prints a step heading.
pub fn step(title: &str) {
    println!("\n==> {title}");
}

/// Runs a command with inherited output in `dir`; fails with a one-line message.
pub fn run(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result {
    let started = Instant::now();
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir).env("PATH", tool_path());
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let status = cmd.status().map_err(|e| {
        format!("cannot start `{program}`: {e} (is it installed? try `cargo xtask setup`)")
    })?;
    let shown = shown(program, args);
    if status.success() {
        println!("    ({shown}: {:.1}s)", started.elapsed().as_secs_f64());
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs a command and returns its standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", tool_path())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn shown(program: &str, args: &[&str]) -> String {
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.to_owned());
    let mut s = name;
    for arg in args {
        s.push(' ');
        s.push_str(arg);
    }
    s
}

/// Whether `output` exists and is newer than every file under `inputs`.
pub fn up_to_date(output: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(out_time) = output.metadata().and_then(|m| m.modified()) else {
        return false;
    };
    inputs
        .iter()
        .all(|input| newest(input).is_some_and(|t| t <= out_time))
}

fn newest(path: &Path) -> Option<std::time::SystemTime> {
    let meta = path.metadata().ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    let mut latest = meta.modified().ok()?;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        let t = newest(&entry.path())?;
        if t > latest {
            latest = t;
        }
    }
    Some(latest)
}

/// Copies a directory tree (files only), creating `to`.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .map_err(|e| format!("cannot copy {} to {}: {e}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}
