// PresentationRequest (PROTOCOL.md §7.1, API.md "Counter presentation"): every rule runs
// in wasm (the Rust core, sdk/src/openid4vp.rs); this file only holds the result.
import { MirairoIdError } from "./error.js";
import { assertReady, bindings } from "./load.js";

const fail = (code, message) => new MirairoIdError(code, message);
const made = Symbol("PresentationRequest");

// JSON.stringify would turn NaN and ±Infinity into null (that is, "not given"): refuse them.
const finite = (_key, v) => {
  if (typeof v === "number" && !Number.isFinite(v)) throw new RangeError(`${v} is not a finite number`);
  return v;
};

function stringify(value, what) {
  try {
    return JSON.stringify(value, finite);
  } catch (e) {
    throw new MirairoIdError("invalid_config", `${what} cannot be read as JSON: ${e.message}`, { cause: e });
  }
}

/**
 * The `direct_post` body as form text: a string as is, `URLSearchParams` or a record of
 * strings encoded as a form (the core decodes it, refusing repeated parameters).
 * @internal
 */
export function formBody(body) {
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body !== null && typeof body === "object" && Object.values(body).every((v) => typeof v === "string")) {
    return new URLSearchParams(body).toString();
  }
  throw fail("invalid_request", "the response body must be a string, URLSearchParams or a record of strings");
}

/**
 * A counter presentation request: the `openid4vp://` URL for the QR code, and what the
 * verifier stores (`toJSON`) to check the answer with `Verifier.verifyPresentationResponse`.
 */
export class PresentationRequest {
  #stored;
  #url;
  #clientId;

  /** @internal Use PresentationRequest.create or PresentationRequest.fromJSON. */
  constructor(token, described) {
    if (token !== made) throw new TypeError("use PresentationRequest.create() or PresentationRequest.fromJSON()");
    this.#stored = Object.freeze({ ...described.request, claims: Object.freeze([...described.request.claims]) });
    this.#url = described.url;
    this.#clientId = described.clientId;
  }

  /**
   * A fresh request (new random `state` and `nonce`).
   * @param {{ responseUri: string, claims: string[], clientName?: string, expiresInSeconds?: number }} opts
   * @returns {PresentationRequest}
   */
  static create(opts) {
    assertReady();
    if (opts === null || typeof opts !== "object") throw fail("invalid_config", "PresentationRequest.create({ responseUri, claims }) needs an object");
    return new PresentationRequest(made, JSON.parse(bindings().createPresentationRequest(stringify(opts, "options"))));
  }

  /**
   * Restores a request stored with `toJSON()` (the object, or its JSON text).
   * @param {object | string} json
   * @returns {PresentationRequest}
   */
  static fromJSON(json) {
    assertReady();
    const text = typeof json === "string" ? json : json !== null && typeof json === "object" ? stringify(json, "request") : undefined;
    if (text === undefined) throw fail("invalid_config", "PresentationRequest.fromJSON needs the object toJSON() returned");
    return new PresentationRequest(made, JSON.parse(bindings().readPresentationRequest(text)));
  }

  /**
   * The `state` of a `direct_post` body, to find the stored request it answers.
   * @param {string | URLSearchParams | Record<string, string>} body
   * @returns {string}
   */
  static stateOf(body) {
    assertReady();
    return bindings().presentationResponseState(formBody(body));
  }

  /** The `openid4vp://` URL for the QR code (and the same-device link). */
  get url() {
    return this.#url;
  }
  /** `"redirect_uri:"` + the response URI. */
  get clientId() {
    return this.#clientId;
  }
  get responseUri() {
    return this.#stored.response_uri;
  }
  /** The requested claims (wire names). */
  get claims() {
    return this.#stored.claims;
  }
  get clientName() {
    return this.#stored.client_name;
  }
  get state() {
    return this.#stored.state;
  }
  get nonce() {
    return this.#stored.nonce;
  }
  /** Unix seconds. */
  get expiresAt() {
    return this.#stored.expires_at;
  }

  /** What the verifier stores: `{ response_uri, claims, client_name?, state, nonce, expires_at }`. */
  toJSON() {
    return { ...this.#stored, claims: [...this.#stored.claims] };
  }
}
