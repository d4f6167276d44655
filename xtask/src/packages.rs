//! `npm pack` of both packages into `target/packages/`, and the package tests: the
//! tarballs installed into a fresh project under `target/package-test/` exactly as a
//! partner would, then type-checked and imported by name from Node and from a page
//! (`tests/packages/`).

use crate::build::{package_dir, PACKAGES};
use crate::util::{self, Result};

/// A packed package: its npm name and the tarball's path.
pub struct Tarball {
    pub npm: &'static str,
    pub path: String,
    pub file: String,
}

/// Packs both built packages into `target/packages/` (in `PACKAGES` order).
pub fn pack() -> Result<Vec<Tarball>> {
    let packs = util::root().join("target/packages");
    if packs.exists() {
        std::fs::remove_dir_all(&packs)
            .map_err(|e| format!("cannot clean {}: {e}", packs.display()))?;
    }
    std::fs::create_dir_all(&packs)
        .map_err(|e| format!("cannot create {}: {e}", packs.display()))?;
    let packs_s = packs.display().to_string();
    let mut tarballs = Vec::new();
    for pkg in &PACKAGES {
        let dir = package_dir(pkg);
        let out = std::process::Command::new("npm")
            .args(["pack", "--silent", "--pack-destination", &packs_s])
            .current_dir(&dir)
            .env("PATH", util::tool_path())
            .output()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`npm pack` failed in {}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let file = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .map(|l| l.trim().to_owned())
            .filter(|l| l.ends_with(".tgz"))
            .ok_or_else(|| format!("`npm pack` in {} printed no tarball name", dir.display()))?;
        println!("    packed {} -> target/packages/{file}", pkg.npm);
        tarballs.push(Tarball {
            npm: pkg.npm,
            path: packs.join(&file).display().to_string(),
            file,
        });
    }
    Ok(tarballs)
}

/// Installs the tarballs into a fresh project and runs `tests/packages/` there.
pub fn test(tarballs: &[Tarball]) -> Result {
    let root = util::root();
    util::step("package tests: install the tarballs by name, import from Node and a page");
    let project = root.join("target/package-test");
    if project.exists() {
        std::fs::remove_dir_all(&project)
            .map_err(|e| format!("cannot clean {}: {e}", project.display()))?;
    }
    util::copy_dir(&root.join("tests/packages"), &project)?;
    let deps: Vec<String> = tarballs
        .iter()
        .map(|t| format!("    \"{}\": \"file:../packages/{}\"", t.npm, t.file))
        .collect();
    let manifest = format!(
        "{{\n  \"name\": \"partner-project\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"dependencies\": {{\n{}\n  }}\n}}\n",
        deps.join(",\n")
    );
    std::fs::write(project.join("package.json"), manifest)
        .map_err(|e| format!("cannot write package.json: {e}"))?;
    util::run(
        &project,
        "npm",
        &["install", "--no-audit", "--no-fund", "--prefer-offline"],
        &[],
    )?;
    util::run(&project, "tsc", &["-p", "."], &[])?;
    util::run(
        &project,
        "node",
        &["--test", "--test-reporter=spec", "."],
        &[],
    )
}
