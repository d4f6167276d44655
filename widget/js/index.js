// @mirairo-id/widget: importing this module defines <mirairo-places> and
// <mirairo-coupons> (once, even if imported twice or alongside another copy of the
// package) wherever `customElements` exists, and does nothing else. The wasm is fetched
// and instantiated once, when the first element connects (or `ready()` is called), so
// the module imports cleanly on a server (Node, a Next.js / Nuxt / Astro server render):
// there it touches no DOM global and fetches nothing.
//
// Until the wasm has loaded, a connected element shows a placeholder in its shadow root
// ("読み込み中…" / "Loading…", in the element's or page's language) with the box that
// placeholder.css gives the element before it is defined, so nothing shifts.
//
// The custom-element shim is deliberately tiny: it owns the open shadow root and
// forwards connect / attribute changes / disconnect to a Rust handle that mounts
// the Yew app (src/element.rs). No inline script, no eval: works under
// `script-src 'self' 'wasm-unsafe-eval'`.
import init, { PlacesElement, CouponsElement } from "./wasm/mirairo_id_widget.js";

let loading = null;

/**
 * Fetches and instantiates the widget's wasm once; later calls return the same promise.
 * Elements call it when they first connect; call it yourself to start loading earlier.
 * A failed load may be retried by calling it again.
 * @returns {Promise<void>}
 */
export function ready() {
  if (loading === null) {
    loading = Promise.resolve()
      .then(() => init())
      .then(() => undefined);
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

const COMMON = ["api", "lang", "prefecture", "category"];

// The placeholder shown while the wasm loads: same box as placeholder.css gives the
// undefined element, text in the element's language (its `lang`, else the page's).
const LOADING = { ja: "読み込み中…", en: "Loading…" };
const LOAD_FAILED = {
  ja: "読み込めませんでした。接続を確認して、ページを再読み込みしてください。",
  en: "This could not be loaded. Check your connection and reload the page.",
};
// The min-block-size of each kind equals placeholder.css.
const PLACEHOLDER_CSS = `
:host { display: block; }
:host([hidden]) { display: none; }
.placeholder { box-sizing: border-box; display: flex; align-items: center; justify-content: center;
  padding: var(--mirairo-space, 1rem);
  border: 1px solid var(--mirairo-color-border, #6e6e6e); border-radius: var(--mirairo-radius, 0.5rem);
  background: var(--mirairo-color-surface, #f3f6fa); color: var(--mirairo-color-text, #1a1a1a);
  font-family: var(--mirairo-font-family, system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif);
  font-size: var(--mirairo-font-size, 1rem); }
.mirairo-places { min-block-size: 48rem; }
.mirairo-coupons { min-block-size: 27rem; }`;
let placeholderSheet = null;

function langOf(host) {
  const tag = host.closest("[lang]")?.getAttribute("lang") ?? "";
  return tag.toLowerCase().startsWith("en") ? "en" : "ja";
}

function define(tag, Handle, observed) {
  if (customElements.get(tag)) return;
  class MirairoElement extends HTMLElement {
    static get observedAttributes() {
      return observed;
    }
    #handle = null;
    #scheduled = false;
    #placeholder = null;
    constructor() {
      super();
      if (!this.shadowRoot) this.attachShadow({ mode: "open" });
    }
    connectedCallback() {
      if (this.#handle) return;
      this.#showPlaceholder();
      this.#placeholder.textContent = LOADING[langOf(this)];
      ready().then(
        () => this.#mount(),
        () => {
          // The wasm itself could not be fetched: say so, and tell the page like any
          // load failure. Connecting the element again retries.
          if (!this.isConnected || this.#handle) return;
          if (this.#placeholder) this.#placeholder.textContent = LOAD_FAILED[langOf(this)];
          this.dispatchEvent(new CustomEvent("mirairo-error", { detail: { code: "network" }, bubbles: true, composed: true }));
        },
      );
    }
    disconnectedCallback() {
      // A move within the document disconnects and reconnects in one task:
      // keep the app (and its state) unless the element is really gone.
      queueMicrotask(() => {
        if (!this.isConnected && this.#handle) {
          this.#handle.free();
          this.#handle = null;
        }
      });
    }
    attributeChangedCallback(name, oldValue, newValue) {
      if (name === "lang" && this.#placeholder) this.#placeholder.textContent = LOADING[langOf(this)];
      if (oldValue === newValue || !this.#handle || this.#scheduled) return;
      // Several attributes set in a row become one update.
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#handle?.attributesChanged();
      });
    }
    #showPlaceholder() {
      if (this.#placeholder) return;
      if (placeholderSheet === null) {
        placeholderSheet = new CSSStyleSheet();
        placeholderSheet.replaceSync(PLACEHOLDER_CSS);
      }
      this.shadowRoot.adoptedStyleSheets = [placeholderSheet];
      const p = document.createElement("div");
      p.className = `placeholder ${tag}`;
      p.setAttribute("part", "placeholder");
      p.setAttribute("role", "status");
      p.textContent = LOADING[langOf(this)];
      this.shadowRoot.append(p);
      this.#placeholder = p;
    }
    #mount() {
      if (this.#handle || !this.isConnected) return;
      this.#placeholder?.remove();
      this.#placeholder = null;
      this.#handle = new Handle(this);
    }
  }
  customElements.define(tag, MirairoElement);
}

// Only in a browser (or a DOM that has custom elements): on a server this module
// defines nothing and loads nothing.
if (globalThis.customElements && globalThis.HTMLElement) {
  define("mirairo-places", PlacesElement, COMMON);
  define("mirairo-coupons", CouponsElement, [...COMMON, "calendar"]);
}
