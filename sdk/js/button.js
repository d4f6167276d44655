// The login button: <mirairo-login-button>, a real <button> in an open shadow root,
// styled by one adopted constructed stylesheet (no inline script or style attribute, so
// it works under `script-src 'self' 'wasm-unsafe-eval'` and a strict style-src).
//
// Importing this module defines the element (a side effect; see package.json
// "sideEffects"). Reserve its space before the SDK loads with button.css
// (`mirairo-login-button:not(:defined)` gets the same box as the defined element).
import { MirairoId, setButtonRenderer } from "./login.js";
import { MirairoIdError } from "./error.js";

const TEXT = {
  ja: { label: "ミライロIDでログイン", busy: "ミライロIDに移動しています…", popup: "ミライロIDのウィンドウでログインしています…" },
  en: { label: "Log in with Mirairo ID", busy: "Going to Mirairo ID…", popup: "Logging in in the Mirairo ID window…" },
};

// Colours (checked): white on #0B4F8A is 8.4:1; #0B4F8A on white is 8.4:1; the focus
// ring #0B4F8A against white pages 8.4:1 (≥ 3:1 for non-text); busy text keeps them.
const CSS = `
:host { display: inline-block; vertical-align: middle; box-sizing: border-box;
  inline-size: var(--mirairo-button-width, 17em); block-size: 48px; font-size: 16px; contain: layout; }
:host([size="small"]) { block-size: 32px; font-size: 14px; inline-size: var(--mirairo-button-width, 16.5em); }
:host([size="large"]) { block-size: 56px; font-size: 18px; inline-size: var(--mirairo-button-width, 17.5em); }
:host([hidden]) { display: none; }
button { all: unset; box-sizing: border-box; display: flex; align-items: center; justify-content: center; gap: 0.5em;
  inline-size: 100%; block-size: 100%; min-block-size: 24px; padding: 0 1em; border-radius: var(--mirairo-button-radius, 8px);
  border: 2px solid var(--mirairo-button-color, #0B4F8A); background: var(--mirairo-button-color, #0B4F8A); color: #FFFFFF;
  font: inherit; font-family: var(--mirairo-font, system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif); font-weight: 700;
  line-height: 1.2; white-space: nowrap; cursor: pointer; text-align: center; }
:host([theme="outline"]) button { background: #FFFFFF; color: var(--mirairo-button-color, #0B4F8A); }
button:hover { background: #083B67; border-color: #083B67; }
:host([theme="outline"]) button:hover { background: #EAF2FA; color: #083B67; }
button:focus-visible { outline: 3px solid var(--mirairo-focus-color, #0B4F8A); outline-offset: 3px; }
button[aria-disabled="true"] { cursor: progress; }
.mark { inline-size: 1.1em; block-size: 1.1em; flex: none; border-radius: 50%; border: 0.18em solid currentColor; box-sizing: border-box; }
.busy .mark { border-right-color: transparent; animation: spin 0.9s linear infinite; }
.text { overflow: hidden; text-overflow: ellipsis; }
.status { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@keyframes spin { to { transform: rotate(1turn); } }
@media (prefers-reduced-motion: reduce) { .busy .mark { animation: none; border-right-color: currentColor; border-style: dotted; } }
@media (forced-colors: active) {
  button, :host([theme="outline"]) button { border: 2px solid ButtonText; background: ButtonFace; color: ButtonText; forced-color-adjust: none; }
  button:hover { border-color: Highlight; }
  button:focus-visible { outline: 3px solid Highlight; }
  button[aria-disabled="true"] { color: GrayText; border-color: GrayText; }
}`;

let sheet = null;
function styleSheet() {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

// How long a click made before the page set `client` waits for it (the wasm to load).
const CLIENT_WAIT_MS = 30_000;

const OBSERVED = ["issuer", "client-id", "redirect-uri", "lang", "theme", "size", "mode"];

/**
 * `<mirairo-login-button issuer client-id redirect-uri lang theme size mode>`.
 * Events: `mirairo-login` (detail: LoginResult), `mirairo-error` (detail: MirairoIdError).
 * With `issuer`/`client-id`/`redirect-uri` it creates its own client and, in redirect
 * mode on the redirect URI page, completes the callback itself; `renderButton` gives it
 * an existing client instead (set as the `client` property).
 */
export class MirairoLoginButton extends (globalThis.HTMLElement ?? class {}) {
  static observedAttributes = OBSERVED;
  #button;
  #text;
  #status;
  #client = null;
  #clientPromise = null;
  // Resolves the wait of a click that came before the page set `client` (see #ensureClient).
  #awaitClient = null;
  #busy = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [styleSheet()];
    this.#button = document.createElement("button");
    this.#button.type = "button";
    this.#button.setAttribute("part", "button");
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-hidden", "true");
    this.#text = document.createElement("span");
    this.#text.className = "text";
    this.#button.append(mark, this.#text);
    this.#status = document.createElement("span");
    this.#status.className = "status";
    this.#status.setAttribute("role", "status");
    root.append(this.#button, this.#status);
    this.#button.addEventListener("click", () => this.#login());
    this.#render();
  }

  /** The `MirairoId` client this button uses. */
  get client() {
    return this.#client;
  }
  set client(value) {
    this.#client = value instanceof MirairoId ? value : null;
    this.#clientPromise = null;
    if (this.#client && this.#awaitClient) {
      this.#awaitClient(this.#client);
      this.#awaitClient = null;
    }
  }

  /** The inner <button> (for focus management). */
  focus(options) {
    this.#button.focus(options);
  }

  connectedCallback() {
    this.#render();
    if (!this.#client && this.getAttribute("mode") === "popup" && this.hasAttribute("issuer")) {
      // Ready before the click, so that the popup opens within it.
      this.#ensureClient().catch((e) => this.#dispatch("mirairo-error", e));
    }
    if (!this.#client && this.getAttribute("mode") !== "popup" && this.hasAttribute("issuer") && MirairoId.isCallback()) {
      // Standalone element on its own redirect URI page: finish the login.
      this.#ensureClient()
        .then((client) => client.handleRedirectCallback())
        .then((result) => this.#dispatch("mirairo-login", result), (e) => this.#dispatch("mirairo-error", e));
    }
  }

  attributeChangedCallback(name) {
    if (name === "issuer" || name === "client-id" || name === "redirect-uri" || name === "lang") this.#clientPromise = null;
    this.#render();
  }

  get #lang() {
    const l = this.getAttribute("lang") ?? this.#client?.lang;
    return l === "en" ? "en" : "ja";
  }

  #render() {
    const t = TEXT[this.#lang];
    const mode = this.getAttribute("mode") === "popup" ? "popup" : "redirect";
    this.#text.textContent = this.#busy ? t[mode === "popup" ? "popup" : "busy"] : t.label;
    this.#button.lang = this.#lang;
    this.#button.classList.toggle("busy", this.#busy);
    if (this.#busy) {
      this.#button.setAttribute("aria-disabled", "true");
      this.#button.setAttribute("aria-busy", "true");
    } else {
      this.#button.removeAttribute("aria-disabled");
      this.#button.removeAttribute("aria-busy");
    }
  }

  #setBusy(busy) {
    this.#busy = busy;
    this.#render();
    // Announced once by screen readers (role=status), since the button keeps focus.
    this.#status.textContent = busy ? this.#text.textContent : "";
  }

  #ensureClient() {
    if (this.#client) return Promise.resolve(this.#client);
    if (this.#clientPromise === null && !this.hasAttribute("issuer")) {
      // No attributes to make a client from: the page gives one as the `client` property
      // (renderButton, or a framework such as React once its MirairoId is created). The
      // button is drawn without waiting for the wasm, so a click may come first: it waits
      // for the client, and fails as invalid_config if none comes.
      this.#clientPromise = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#awaitClient = null;
          reject(new MirairoIdError("invalid_config", "<mirairo-login-button> has no client: set its client property or its issuer, client-id and redirect-uri attributes"));
        }, CLIENT_WAIT_MS);
        this.#awaitClient = (client) => {
          clearTimeout(timer);
          resolve(client);
        };
      });
      this.#clientPromise.catch(() => {
        this.#clientPromise = null;
      });
      return this.#clientPromise;
    }
    if (this.#clientPromise === null) {
      const lang = this.getAttribute("lang");
      this.#clientPromise = MirairoId.create({
        issuer: this.getAttribute("issuer") ?? "",
        clientId: this.getAttribute("client-id") ?? "",
        redirectUri: this.getAttribute("redirect-uri") ?? "",
        ...(lang ? { lang } : {}),
      }).then((c) => (this.#client = c));
      this.#clientPromise.catch(() => {
        this.#clientPromise = null;
      });
    }
    return this.#clientPromise;
  }

  async #login() {
    if (this.#busy) return;
    const popup = this.getAttribute("mode") === "popup";
    this.#setBusy(true);
    try {
      if (popup) {
        // The popup must open within the click: only possible with a ready client.
        const client = this.#client ?? (await this.#ensureClient());
        const result = await client.loginWithPopup();
        this.#setBusy(false);
        this.#dispatch("mirairo-login", result);
      } else {
        const client = await this.#ensureClient();
        await client.loginWithRedirect();
        // Stays busy while the browser leaves; back/forward cache restores it idle.
        addEventListener("pageshow", () => this.#setBusy(false), { once: true });
      }
    } catch (e) {
      this.#setBusy(false);
      this.#dispatch("mirairo-error", e);
    }
  }

  #dispatch(type, detail) {
    const error = type === "mirairo-error" && !(detail instanceof MirairoIdError) ? new MirairoIdError("network", String(detail?.message ?? detail)) : detail;
    this.dispatchEvent(new CustomEvent(type, { detail: error, bubbles: true, composed: true }));
  }
}

if (globalThis.customElements && !customElements.get("mirairo-login-button")) {
  customElements.define("mirairo-login-button", MirairoLoginButton);
}

setButtonRenderer((client, target, opts) => {
  if (!(target instanceof Element)) throw new MirairoIdError("invalid_config", "renderButton needs a target element");
  const { theme = "filled", size = "medium", lang = client.lang, mode = "redirect" } = opts;
  const check = (value, allowed, what) => {
    if (!allowed.includes(value)) throw new MirairoIdError("invalid_config", `${what} must be one of ${allowed.join(", ")}`);
  };
  check(theme, ["filled", "outline"], "theme");
  check(size, ["small", "medium", "large"], "size");
  check(lang, ["ja", "en"], "lang");
  check(mode, ["redirect", "popup"], "mode");
  const el = document.createElement("mirairo-login-button");
  el.client = client;
  for (const [k, v] of Object.entries({ theme, size, lang, mode })) el.setAttribute(k, v);
  target.replaceChildren(el);
  return el;
});
