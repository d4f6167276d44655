// @mirairo-id/widget: importing this module instantiates the wasm once and defines
// <mirairo-places> and <mirairo-coupons> (once, even if imported twice or alongside
// another copy of the package).
//
// The custom-element shim is deliberately tiny: it owns the open shadow root and
// forwards connect / attribute changes / disconnect to a Rust handle that mounts
// the Yew app (src/element.rs). No inline script, no eval: works under
// `script-src 'self' 'wasm-unsafe-eval'`.
import init, { PlacesElement, CouponsElement } from "./wasm/mirairo_id_widget.js";

await init();

const COMMON = ["api", "lang", "prefecture", "category"];

function define(tag, Handle, observed) {
  if (customElements.get(tag)) return;
  class MirairoElement extends HTMLElement {
    static get observedAttributes() {
      return observed;
    }
    #handle = null;
    #scheduled = false;
    constructor() {
      super();
      if (!this.shadowRoot) this.attachShadow({ mode: "open" });
    }
    connectedCallback() {
      if (!this.#handle) this.#handle = new Handle(this);
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
    attributeChangedCallback(_name, oldValue, newValue) {
      if (oldValue === newValue || !this.#handle || this.#scheduled) return;
      // Several attributes set in a row become one update.
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#handle?.attributesChanged();
      });
    }
  }
  customElements.define(tag, MirairoElement);
}

define("mirairo-places", PlacesElement, COMMON);
define("mirairo-coupons", CouponsElement, [...COMMON, "calendar"]);
