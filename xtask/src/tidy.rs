//! Tidy checks: the invariants of ARCHITECTURE.md that a grep can hold, run by
//! `cargo xtask test` right after formatting (as rust-analyzer's tidy tests do).

use crate::util::{self, Result};
use std::path::{Path, PathBuf};

pub fn run() -> Result {
    util::step("tidy: ARCHITECTURE.md invariants");
    let root = util::root();
    let mut problems = Vec::new();

    // The SDK core never imports the JS bindings; only the crate sdk/wasm/ does.
    for file in files(&root.join("sdk/src"), &["rs"]) {
        for (n, line) in lines(&file) {
            if ["wasm_bindgen", "web_sys", "js_sys", "JsValue"]
                .iter()
                .any(|w| line.contains(w))
            {
                problems.push(format!(
                    "{}:{n}: the SDK core must not use the JS bindings",
                    rel(&root, &file)
                ));
            }
        }
    }

    // No HTML is built from strings in what partners load or see.
    let html_sinks = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "set_inner_html",
    ];
    let browser_code = [
        "sdk/js",
        "widget/js",
        "widget/src",
        "www",
        "examples/plain-html",
        "examples/vite-ts/src",
    ];
    for dir in browser_code {
        for file in files(&root.join(dir), &["js", "mjs", "ts", "rs", "html"]) {
            for (n, line) in lines(&file) {
                if html_sinks.iter().any(|s| line.contains(s)) {
                    problems.push(format!(
                        "{}:{n}: HTML from a string (render text as text)",
                        rel(&root, &file)
                    ));
                }
            }
        }
    }

    // We write 障害者, never 障がい者 (screen readers misread it), in every page and string.
    let texts = ["sdk/js", "widget/js", "www", "examples", "sandbox/src"];
    for dir in texts {
        for file in files(
            &root.join(dir),
            &["js", "mjs", "ts", "html", "css", "md", "rs"],
        ) {
            for (n, line) in lines(&file) {
                if line.contains("障がい")
                    && !line.contains("contains(\"障がい\")")
                    && !line.trim_start().starts_with("///")
                {
                    problems.push(format!(
                        "{}:{n}: write 障害者, not 障がい者",
                        rel(&root, &file)
                    ));
                }
            }
        }
    }

    // The SDK core depends on no JS binding crate (the widget and Rust servers use it
    // without linking the SDK's exports), and the SDK package never pulls in Yew.
    let tree = |krate: &str| {
        util::output(
            &util::cargo(),
            &[
                "tree",
                "-p",
                krate,
                "--target",
                "wasm32-unknown-unknown",
                "-e",
                "normal",
                "--prefix",
                "none",
            ],
        )
        .ok_or_else(|| format!("`cargo tree -p {krate}` failed"))
    };
    let core = tree("mirairo-id-sdk")?;
    for binding in ["wasm-bindgen ", "js-sys ", "web-sys "] {
        if core.lines().any(|l| l.starts_with(binding)) {
            problems.push(format!(
                "mirairo-id-sdk depends on {}: the core must not (the bindings are sdk/wasm/)",
                binding.trim_end()
            ));
        }
    }
    if tree("mirairo-id-sdk-wasm")?
        .lines()
        .any(|l| l.starts_with("yew"))
    {
        problems.push(
            "mirairo-id-sdk-wasm depends on Yew: the SDK package must not load it".to_owned(),
        );
    }

    if problems.is_empty() {
        println!("    invariants hold");
        Ok(())
    } else {
        for p in &problems {
            eprintln!("    {p}");
        }
        Err(format!("{} tidy problem(s), listed above", problems.len()))
    }
}

fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "node_modules" || name == "dist" || name == "target" {
            continue;
        }
        if path.is_dir() {
            out.extend(files(&path, extensions));
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            out.push(path);
        }
    }
    out
}

fn lines(file: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(file)
        .map(|text| {
            text.lines()
                .enumerate()
                .map(|(i, l)| (i + 1, l.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn rel(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}
