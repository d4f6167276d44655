//! The stylesheets' build-time minifier (used by `build.rs`; tested in `src/lib.rs`).
//!
//! Deliberately small and conservative: it removes comments, collapses each run of
//! whitespace to one space, drops that space where it never matters (next to `{`,
//! `}`, `;`, `,`, and after `:`) and the `;` before `}`. Quoted strings are copied
//! as they are. Nothing else is rewritten (no selectors, values, colours or
//! shorthands), so the served CSS is the source's tokens in the same order. Why
//! not a CSS library: docs/contract-notes.md, section widget-size.

/// Characters next to which whitespace never matters.
fn tight_before(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',')
}

/// Characters after which whitespace never matters (`:` only after it: a space
/// before `:` separates a descendant selector such as `.a :focus`).
fn tight_after(c: char) -> bool {
    tight_before(c) || c == ':'
}

/// `css` minified as described in the module documentation. A comment counts as
/// whitespace; an unterminated comment or string runs to the end, as in CSS.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut star = false;
            for d in chars.by_ref() {
                if star && d == '/' {
                    break;
                }
                star = d == '*';
            }
            space = true;
            continue;
        }
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        if space && !tight_before(c) && out.chars().next_back().is_some_and(|p| !tight_after(p)) {
            out.push(' ');
        }
        space = false;
        out.push(c);
        if c == '"' || c == '\'' {
            while let Some(d) = chars.next() {
                out.push(d);
                if d == '\\' {
                    if let Some(e) = chars.next() {
                        out.push(e);
                    }
                } else if d == c {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::minify;

    /// One rule per row, each beside the case it must leave alone.
    #[test]
    fn each_rule_one_case_at_a_time() {
        let cases = [
            // Comments go, wherever they are.
            ("a{/* x */color:red}", "a{color:red}"),
            ("/* a\n b */a{}", "a{}"),
            ("a{}/* never closed", "a{}"),
            // A comment counts as whitespace, so it never glues two words.
            ("a/* x */b{}", "a b{}"),
            // Whitespace runs become one space where they separate words.
            ("a  \n\t b{}", "a b{}"),
            (".a .b{}", ".a .b{}"),
            ("a{margin:0  auto}", "a{margin:0 auto}"),
            ("a{x:calc(1px + 2px)}", "a{x:calc(1px + 2px)}"),
            ("@media (a:b)  and (c:d){}", "@media (a:b) and (c:d){}"),
            ("a{x:y !important}", "a{x:y !important}"),
            // ... and disappear next to `{`, `}`, `;`, `,`.
            ("a {  x:y  }  b { }", "a{x:y}b{}"),
            ("a{x:y ; z:w}", "a{x:y;z:w}"),
            ("a , b{x:f(1 , 2)}", "a,b{x:f(1,2)}"),
            // After `:` too, but not before it (a descendant `:focus`).
            ("a{color: red}", "a{color:red}"),
            ("@media (min-width: 40rem){}", "@media (min-width:40rem){}"),
            (".a :focus{}", ".a :focus{}"),
            ("a:hover{}", "a:hover{}"),
            // The `;` before `}` goes; others stay.
            ("a{x:y;}", "a{x:y}"),
            ("a{x:y;z:w}", "a{x:y;z:w}"),
            // Strings are copied as they are, escapes included.
            (
                r#"a{content:"  /* x */  ;}"}"#,
                r#"a{content:"  /* x */  ;}"}"#,
            ),
            (r#"a{content:" \"  ' "}"#, r#"a{content:" \"  ' "}"#),
            ("a{content:'  \" '}", "a{content:'  \" '}"),
            (r#"[x="a  b"]{}"#, r#"[x="a  b"]{}"#),
            // Leading and trailing whitespace.
            ("\n a{} \n", "a{}"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(minify(input), want, "input {input:?}");
        }
    }

    /// The source without comments and whitespace, and `;}` as `}`: what the
    /// minifier may not change. (A plain reading: no string in our stylesheets holds
    /// whitespace, `;}` or a comment.)
    fn tokens_only(css: &str) -> String {
        let mut text = String::new();
        let mut rest = css;
        while let Some((before, after)) = rest.split_once("/*") {
            text.push_str(before);
            rest = after.split_once("*/").map_or("", |(_, a)| a);
        }
        text.push_str(rest);
        text.split_whitespace()
            .collect::<String>()
            .replace(";}", "}")
    }

    #[test]
    fn the_stylesheets_keep_every_token() {
        let sheets = [
            include_str!("../src/styles/base.css"),
            include_str!("../src/styles/places.css"),
            include_str!("../src/styles/coupons.css"),
        ];
        for source in sheets {
            let min = minify(source);
            assert_eq!(tokens_only(&min), tokens_only(source));
            assert!(!min.contains("/*") && !min.contains("  ") && !min.contains('\n'));
            assert!(
                min.len() < source.len() * 9 / 10,
                "{} of {}",
                min.len(),
                source.len()
            );
        }
    }
}
