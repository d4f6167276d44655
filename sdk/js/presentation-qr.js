// <mirairo-presentation-qr url="openid4vp://…" lang="ja">: a counter presentation request
// (PROTOCOL.md §7.1) as a QR code drawn in SVG, with a visible text alternative and an
// "open in the Mirairo ID app" link for a holder on the same phone. Drawn without Yew and
// without the SDK's wasm: the QR encoder (qr-encode.js, lean-qr) is loaded with import()
// the first time an element has a URL. Built with DOM calls only (no HTML from strings);
// styled by one adopted stylesheet, so it works under a strict CSP.
//
// Importing this module defines the element (a side effect; see package.json
// "sideEffects"), but only where customElements exists (server-side imports are safe).
import { MirairoIdError } from "./error.js";

const TEXT = {
  ja: {
    name: "Mirairo IDアプリで読み取るQRコード",
    instructions:
      "スマートフォンでMirairo IDアプリを開き、このQRコードを読み取ってください。アプリに表示される項目を確かめてから送信してください。",
    link: "Mirairo IDアプリで開く",
    linkHint: "このスマートフォンにアプリがあるときは、こちらから開けます。",
  },
  en: {
    name: "QR code to scan with the Mirairo ID app",
    instructions:
      "Open the Mirairo ID app on your phone and scan this QR code. Check the items the app shows, then send them.",
    link: "Open in the Mirairo ID app",
    linkHint: "If the app is on this phone, open the request here.",
  },
};

/** Light modules around the code, as ISO 18004 requires (4 modules). */
const QUIET_ZONE = 4;
const SVG = "http://www.w3.org/2000/svg";

// Black on white in every colour scheme, forced colours included (a scanner needs it).
// Text #1A1A1A on #FFFFFF is 17.4:1; the link #0B4F8A on #FFFFFF 8.4:1, its focus ring too.
const CSS = `
:host { display: block; box-sizing: border-box; inline-size: var(--mirairo-qr-width, 360px); max-inline-size: 100%;
  min-inline-size: 280px; color: #1A1A1A; background: #FFFFFF; padding: 16px; border-radius: 12px;
  font-family: var(--mirairo-font, system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif); font-size: 16px; line-height: 1.6; }
:host([hidden]) { display: none; }
.code { display: block; inline-size: 100%; min-inline-size: 248px; aspect-ratio: 1; block-size: auto; background: #FFFFFF;
  forced-color-adjust: none; shape-rendering: crispEdges; }
.code[data-empty] { visibility: hidden; }
p { margin: 12px 0 0; }
a { display: inline-flex; align-items: center; box-sizing: border-box; min-block-size: 44px; min-inline-size: 44px;
  margin-block-start: 4px; padding: 8px 16px; border: 2px solid #0B4F8A; border-radius: 8px; color: #0B4F8A; background: #FFFFFF;
  font-weight: 700; text-decoration: underline; text-underline-offset: 0.2em; }
a:hover { background: #EAF2FA; }
a:focus-visible { outline: 3px solid var(--mirairo-focus-color, #0B4F8A); outline-offset: 3px; }
.hint { font-size: 14px; margin-block-start: 8px; }
[hidden] { display: none; }
@media (forced-colors: active) {
  a { border-color: LinkText; color: LinkText; }
  a:focus-visible { outline-color: Highlight; }
}`;

let sheet = null;
function styleSheet() {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

let encoder = null;
/** The QR encoder chunk, loaded once (a failed load may be retried). */
function loadEncoder() {
  if (encoder === null) {
    encoder = import("./qr-encode.js");
    encoder.catch(() => (encoder = null));
  }
  return encoder;
}

/** The SVG path of the dark modules, one `M x y h n v1 h-n z` per horizontal run. */
function pathOf({ size, dark }) {
  const parts = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; ) {
      if (!dark[y * size + x]) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < size && dark[y * size + x + run]) run++;
      parts.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`);
      x += run;
    }
  }
  return parts.join("");
}

/**
 * `<mirairo-presentation-qr url="openid4vp://…" lang="ja|en">`. The `url` must be an
 * `openid4vp:` request (what `PresentationRequest.url` gives); anything else, or a URL
 * too long for a QR code, draws nothing and dispatches `mirairo-error` (detail: a
 * `MirairoIdError` with code `invalid_config`). Follows `url` and `lang` changes.
 */
export class MirairoPresentationQr extends (globalThis.HTMLElement ?? class {}) {
  static observedAttributes = ["url", "lang"];
  #svg;
  #background;
  #path;
  #instructions;
  #link;
  #hint;
  #linkLine;
  #drawn = null; // the URL the SVG shows
  #generation = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [styleSheet()];
    this.#svg = document.createElementNS(SVG, "svg");
    this.#svg.setAttribute("class", "code");
    this.#svg.setAttribute("part", "code");
    this.#svg.setAttribute("role", "img");
    this.#svg.setAttribute("data-empty", "");
    this.#background = document.createElementNS(SVG, "rect");
    this.#background.setAttribute("fill", "#FFFFFF");
    this.#background.setAttribute("width", "100%");
    this.#background.setAttribute("height", "100%");
    this.#path = document.createElementNS(SVG, "path");
    this.#path.setAttribute("fill", "#000000");
    this.#svg.append(this.#background, this.#path);
    this.#instructions = document.createElement("p");
    this.#instructions.setAttribute("part", "instructions");
    const linkLine = document.createElement("p");
    linkLine.hidden = true;
    this.#linkLine = linkLine;
    this.#hint = document.createElement("span");
    this.#hint.className = "hint";
    this.#link = document.createElement("a");
    this.#link.setAttribute("part", "link");
    linkLine.append(this.#hint, document.createElement("br"), this.#link);
    root.append(this.#svg, this.#instructions, linkLine);
    this.#renderText();
  }

  connectedCallback() {
    this.#renderText();
    this.#update();
  }

  attributeChangedCallback(name) {
    this.#renderText();
    if (name === "url" && this.isConnected) this.#update();
  }

  get #lang() {
    return this.getAttribute("lang") === "en" ? "en" : "ja";
  }

  #renderText() {
    const t = TEXT[this.#lang];
    for (const el of [this.#svg, this.#instructions, this.#link, this.#hint]) el.setAttribute("lang", this.#lang);
    this.#svg.setAttribute("aria-label", t.name);
    this.#instructions.textContent = t.instructions;
    this.#link.textContent = t.link;
    this.#hint.textContent = t.linkHint;
  }

  #clear() {
    this.#drawn = null;
    this.#path.removeAttribute("d");
    this.#svg.setAttribute("data-empty", "");
    this.#link.removeAttribute("href");
    this.#linkLine.hidden = true;
  }

  async #update() {
    const url = this.getAttribute("url");
    const generation = ++this.#generation;
    if (url === this.#drawn) return;
    if (url === null || url === "") {
      this.#clear();
      return;
    }
    // The link's href is this URL: only an openid4vp: request may be one (never javascript:).
    if (!/^openid4vp:/i.test(url)) {
      this.#clear();
      this.#fail(new MirairoIdError("invalid_config", "url must be an openid4vp: request (PresentationRequest.url)"));
      return;
    }
    let modules;
    try {
      const { qrModules } = await loadEncoder();
      if (generation !== this.#generation) return;
      modules = qrModules(url);
    } catch (e) {
      if (generation !== this.#generation) return;
      this.#clear();
      const code = e instanceof TypeError || e?.name === "TypeError" ? "network" : "invalid_config";
      this.#fail(new MirairoIdError(code, `cannot draw the QR code: ${e?.message ?? e}`, { cause: e }));
      return;
    }
    const side = modules.size + 2 * QUIET_ZONE;
    this.#svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
    this.#path.setAttribute("d", pathOf(modules));
    this.#svg.removeAttribute("data-empty");
    this.#link.href = url;
    this.#linkLine.hidden = false;
    this.#drawn = url;
  }

  #fail(error) {
    this.dispatchEvent(new CustomEvent("mirairo-error", { detail: error, bubbles: true, composed: true }));
  }
}

if (globalThis.customElements && !customElements.get("mirairo-presentation-qr")) {
  customElements.define("mirairo-presentation-qr", MirairoPresentationQr);
}
