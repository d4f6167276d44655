// The docs pages are written once per language (docs/ and docs/en/); this only keeps
// the saved language choice in step with the page being read.
try {
  localStorage.setItem("mirairo-site-lang", document.documentElement.lang === "en" ? "en" : "ja");
} catch {
  // Storage off: nothing to keep.
}
