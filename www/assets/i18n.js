// Japanese / English for the site's pages, without a framework.
//
// The HTML is written in Japanese (the default). Elements carry `data-i18n="key"`
// (text) and `data-i18n-attr="aria-label:key; placeholder:key2"` (attributes); a page
// passes its dictionary `{ key: { ja, en } }`. The language comes from `?lang=`, else
// from the last choice (localStorage), else Japanese, and is kept in `<html lang>`.

const STORAGE_KEY = "mirairo-site-lang";

/** The words every page shares: the header, the footer and the language switch. */
export const common = {
  brand: { ja: "ミライロID パートナーSDK", en: "Mirairo ID partner SDK" },
  skip: { ja: "本文へスキップ", en: "Skip to main content" },
  navLabel: { ja: "サイト内", en: "Site" },
  navHome: { ja: "ホーム", en: "Home" },
  navDemo: { ja: "デモ: みらい鉄道", en: "Demo: Mirai Railway" },
  navPlayground: { ja: "検証プレイグラウンド", en: "Verification playground" },
  navWidgets: { ja: "ウィジェット", en: "Widgets" },
  navDocs: { ja: "開発者ドキュメント", en: "Developer docs" },
  switchTo: { ja: "English", en: "日本語" },
  switchLabel: { ja: "Show this page in English", en: "このページを日本語で表示" },
  footer: {
    ja: "ミライロID パートナーSDK のサンドボックスです。表示される手帳・利用者・鉄道会社はすべて架空のものです。",
    en: "The Mirairo ID partner SDK sandbox. Every certificate, person and railway shown here is fictional.",
  },
};

/** "ja" or "en". */
export function currentLang() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl === "ja" || fromUrl === "en") return fromUrl;
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "ja" || saved === "en") return saved;
  } catch {
    // Storage may be off; the default is fine.
  }
  return "ja";
}

/** The text of `key` in `lang`; a missing key is a bug, shown as the key itself. */
export function t(dict, key, lang = document.documentElement.lang) {
  const entry = dict[key] ?? common[key];
  if (!entry) return key;
  return entry[lang === "en" ? "en" : "ja"];
}

/** Replaces `{name}` placeholders. */
export function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
}

/** Applies the dictionary to every `data-i18n` / `data-i18n-attr` element under `root`. */
export function applyTranslations(dict, root = document) {
  const lang = document.documentElement.lang;
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(dict, el.dataset.i18n, lang);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(dict, key, lang));
    }
  }
}

/**
 * Sets the page language: `<html lang>`, the saved choice, the `lang` query parameter
 * (so a shared link keeps it), every translated string and the switch button.
 */
export function setLang(lang, dict) {
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not saved; the page still switches.
  }
  const url = new URL(location.href);
  if (url.searchParams.get("lang") !== lang) {
    url.searchParams.set("lang", lang);
    history.replaceState(history.state, "", url);
  }
  applyTranslations(dict);
  for (const a of document.querySelectorAll("a[data-keep-lang]")) {
    const target = new URL(a.getAttribute("href"), location.href);
    target.searchParams.set("lang", lang);
    a.href = target.pathname + target.search + target.hash;
  }
  const button = document.getElementById("lang-switch");
  if (button) {
    const other = lang === "ja" ? "en" : "ja";
    button.lang = other;
    button.textContent = t(dict, "switchTo", lang);
    button.setAttribute("aria-label", t(dict, "switchLabel", lang));
  }
}

/**
 * Starts the page in the current language and wires the switch button.
 * `onChange(lang)` runs after every switch (to re-render dynamic parts).
 */
export function setupI18n(dict, onChange = () => {}) {
  setLang(currentLang(), dict);
  const button = document.getElementById("lang-switch");
  button?.addEventListener("click", () => {
    const next = document.documentElement.lang === "ja" ? "en" : "ja";
    setLang(next, dict);
    onChange(next);
  });
  return document.documentElement.lang;
}
