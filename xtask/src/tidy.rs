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
        "dangerouslySetInnerHTML",
    ];
    let browser_code = [
        "sdk/js",
        "widget/js",
        "widget/src",
        "www",
        "examples/plain-html",
        "examples/vite-ts/src",
        "examples/react/src",
        "examples/nextjs/app",
    ];
    for dir in browser_code {
        for file in files(&root.join(dir), &["js", "mjs", "ts", "tsx", "rs", "html"]) {
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

    // The sandbox's pages are askama templates (sandbox/templates/, escaped by
    // default): no HTML tag in a string in its code (tests, which check the pages'
    // text, excepted).
    for file in files(&root.join("sandbox/src"), &["rs"]) {
        for (n, line) in lines(&file) {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if !line.trim_start().starts_with("//") && html_in_string(&line) {
                problems.push(format!(
                    "{}:{n}: HTML from a string (use a template in sandbox/templates/)",
                    rel(&root, &file)
                ));
            }
        }
    }

    // The sandbox's handlers fail with `?` (issue 11): an `async fn` answers
    // `Result<_, E>` or a typed answer, never a bare `Response` built with
    // `match … return` (middlewares, which take `Next`, excepted).
    for file in files(&root.join("sandbox/src"), &["rs"]) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for name in bare_response_handlers(&text) {
            problems.push(format!(
                "{}: handler `{name}` returns a bare Response (return Result<_, AppError> or a typed answer and use `?`)",
                rel(&root, &file)
            ));
        }
    }

    // We write 障害者, never 障がい者 (screen readers misread it), in every page and string.
    let texts = ["sdk/js", "widget/js", "www", "examples", "sandbox/src"];
    for dir in texts {
        for file in files(
            &root.join(dir),
            &["js", "mjs", "ts", "tsx", "html", "css", "md", "rs"],
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

    // The framework examples run one React file, and the docs show excerpts of it.
    problems.extend(framework_code_in_step(&root));

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

    // The browser build of the SDK's wasm has no p256 and no miniz_oxide (its ES256 is
    // WebCrypto, its zlib `DecompressionStream`, or both the separate ES256 module,
    // sdk/es256/).
    let browser = util::output(
        &util::cargo(),
        &[
            "tree",
            "-p",
            "mirairo-id-sdk-wasm",
            "--no-default-features",
            "--target",
            "wasm32-unknown-unknown",
            "-e",
            "normal",
            "--prefix",
            "none",
        ],
    )
    .ok_or("`cargo tree -p mirairo-id-sdk-wasm --no-default-features` failed")?;
    for (heavy, feature) in [
        ("p256 ", "es256"),
        ("ecdsa ", "es256"),
        ("primeorder ", "es256"),
        ("miniz_oxide ", "inflate"),
    ] {
        if browser.lines().any(|l| l.starts_with(heavy)) {
            problems.push(format!(
                "the browser build of mirairo-id-sdk-wasm depends on {}: it must not ({feature} feature)",
                heavy.trim_end()
            ));
        }
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

/// The React components of `examples/react` and `examples/nextjs` are one file, copied
/// (each example installs and builds on its own); every `<code data-source="…">` block of
/// the partner docs is consecutive lines of the file it names (indentation aside), so the
/// docs show the code the examples run.
fn framework_code_in_step(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (a, b) in [
        (
            "examples/react/src/mirairo.tsx",
            "examples/nextjs/app/mirairo.tsx",
        ),
        (
            "examples/react/src/mirairo-elements.d.ts",
            "examples/nextjs/app/mirairo-elements.d.ts",
        ),
    ] {
        if std::fs::read(root.join(a)).ok() != std::fs::read(root.join(b)).ok() {
            problems.push(format!("{b} must be an exact copy of {a}"));
        }
    }
    for page in files(&root.join("www/docs"), &["html"]) {
        let Ok(html) = std::fs::read_to_string(&page) else {
            continue;
        };
        let mut rest = html.as_str();
        while let Some((_, from)) = rest.split_once("<code data-source=\"") {
            let Some((source, after)) = from.split_once("\">") else {
                break;
            };
            let Some((code, after)) = after.split_once("</code>") else {
                break;
            };
            rest = after;
            let text = code
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            // Consecutive lines of the file, compared without their indentation (the
            // docs may show an excerpt dedented).
            let shown: Vec<&str> = text.trim().lines().map(str::trim).collect();
            let file = std::fs::read_to_string(root.join(source)).unwrap_or_default();
            let lines: Vec<&str> = file.lines().map(str::trim).collect();
            if shown.is_empty() || !lines.windows(shown.len()).any(|w| w == shown.as_slice()) {
                problems.push(format!(
                    "{}: the code shown from {source} is not an excerpt of it (consecutive lines)",
                    rel(root, &page)
                ));
            }
        }
    }
    problems
}

fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "node_modules" || name == "dist" || name == "target" || name == ".next" {
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

/// True when a line of Rust has an HTML tag in a string: a string that starts with
/// `<` and a letter (`"<p>"`), or a closing tag anywhere (`</p>`).
fn html_in_string(line: &str) -> bool {
    let tag_after = |pat: &str| {
        line.match_indices(pat).any(|(i, _)| {
            line.get(i + pat.len()..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_lowercase() || c == '!')
        })
    };
    tag_after("\"<") || tag_after("</")
}

/// The `async fn`s of a Rust file (before its tests) whose signature returns a bare
/// `Response` and takes no `Next` (so is a handler, not a middleware).
fn bare_response_handlers(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.match_indices("async fn ")
        .filter_map(|(i, pat)| {
            let rest = code.get(i + pat.len()..)?;
            let signature = rest.split('{').next()?;
            let returns_response = signature
                .split("->")
                .nth(1)
                .is_some_and(|r| r.trim() == "Response");
            (returns_response && !signature.contains("Next")).then(|| {
                signature
                    .split(['(', '<'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::{bare_response_handlers, html_in_string};

    #[test]
    fn bare_response_handlers_are_found() {
        // (Rust code, the handlers it names)
        let rows: [(&str, &[&str]); 6] = [
            (
                "pub async fn users(State(s): State<A>) -> Response {",
                &["users"],
            ),
            ("async fn f(\n    body: Bytes,\n) -> Response {\n}", &["f"]),
            ("async fn f() -> Result<Response, AppError> {", &[]),
            ("async fn f() -> impl IntoResponse {", &[]),
            (
                "pub async fn guard(req: Request, next: Next) -> Response {",
                &[],
            ),
            ("fn helper() -> Response {", &[]),
        ];
        for (code, expected) in rows {
            assert_eq!(bare_response_handlers(code), expected, "{code}");
        }
        // Test modules are not looked at.
        assert!(bare_response_handlers("#[cfg(test)]\nasync fn t() -> Response {").is_empty());
    }

    #[test]
    fn html_in_a_string_is_found() {
        // (line of Rust, has HTML in a string)
        let rows = [
            (r#"let s = "<p>hello</p>";"#, true),
            (r#"format!("<h1>{}</h1>\n", t)"#, true),
            (r#"s.push_str(" <strong class=\"warn\">x</strong>");"#, true),
            (r#""<!doctype html>""#, true),
            (
                r#""an Authorization: DPoP <access token> header is required""#,
                false,
            ),
            ("fn f(x: Option<String>) -> Vec<i64> {", false),
            (r#"if a < b && c > "d" {"#, false),
            (r#""<1&'\">""#, false),
        ];
        for (line, expected) in rows {
            assert_eq!(html_in_string(line), expected, "{line}");
        }
    }
}
