// MirairoId: login with Mirairo ID in the browser. Every protocol decision (config
// validation, request building, the callback checks of PROTOCOL §2.2 in order, token
// response and ID token / credential verification, the JWK Set refetch rule, retry
// rules, presentations) is made by the wasm core (`LoginCore`); this file only does the
// effects: fetch, sessionStorage, IndexedDB, WebCrypto signing, redirects and popups.
//
// Where state lives:
// - tokens, ID token claims, the verified certificate: wasm memory (the LoginCore), never
//   written anywhere;
// - the DPoP / holder key: a non-extractable WebCrypto CryptoKeyPair in IndexedDB
//   (database "mirairo-id", store "keys", one per issuer + client), so a reload or the
//   return from the provider keeps it; the private key can sign but never be read.
//   Without a usable IndexedDB (Safari's Lockdown Mode, some private modes, or an
//   IndexedDB that throws or never answers) the key lives in memory for the page's life;
//   a redirect login then carries it across the trip to the provider inside its
//   one-use sessionStorage entry (below) and imports it back as non-extractable;
// - a login attempt (state, nonce, PKCE verifier, appState): sessionStorage under
//   "mirairo-id:tx:<state>", removed on first read (one use);
// - nothing in localStorage.
//
// Concurrency: refreshes are single-flight per instance (a second refresh() while one
// runs gets the same result: two requests with one rotating refresh token would make
// the provider revoke the whole grant) and run under a Web Lock named per issuer +
// client, as do the holder key's IndexedDB read-modify-write and deletion, so pages
// and tabs of one partner never interleave them. Tokens are never shared between
// tabs (each tab signs in for itself), so no tab can reuse another's refresh token.
// Without Web Locks (older browsers) the per-instance single-flight still holds and the
// key store relies on IndexedDB's `add` (the first key stored wins).
import { MirairoIdError } from "./error.js";
import { argJson, bindings, loadEs256, readyCore } from "./load.js";
import { run } from "./verifier.js";

const TX_PREFIX = "mirairo-id:tx:";
/** The popup window's name; a callback page loaded in it hands the URL to its opener. */
export const POPUP_NAME = "mirairo-id-login";
/** The BroadcastChannel on which a popup cut off by COOP hands the callback URL over. */
const HANDOFF_CHANNEL = "mirairo-id:popup";
const HANDOFF_WAIT_MS = 1_500;
/** How long a popup must be seen open on the provider before "closed" means closed. */
const AWAY_STABLE_MS = 1_000;
const TOKEN_TIMEOUT_MS = 10_000;
const FETCH_TIMEOUT_MS = 10_000;
const CALLBACK_PARAMS = ["code", "state", "iss", "error", "error_description", "error_uri", "session_state"];

const fail = (code, message, cause) => new MirairoIdError(code, message, cause === undefined ? undefined : { cause });
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------
// The holder (DPoP) key.

const DB_NAME = "mirairo-id";
const STORE = "keys";

function idb(mode, run) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(STORE, mode);
      const req = run(tx.objectStore(STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(req.result);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error);
      };
    };
  });
}

const IDB_TIMEOUT_MS = 3_000;
/** Set when this page's IndexedDB failed a read: keys then live in memory (see load). */
let idbFailed = false;

/**
 * `fn` under the exclusive Web Lock `name`, or directly where Web Locks are missing.
 * Chromium can refuse to run a lock's callback that became due while the page was busy
 * opening a window ("The provided callback is no longer runnable", seen on pages with
 * `Cross-Origin-Opener-Policy: same-origin`): a request refused before `fn` ran is made
 * once more, then `fn` runs without the lock.
 */
async function withLock(name, fn) {
  const locks = globalThis.navigator?.locks;
  if (typeof locks?.request !== "function") return fn();
  for (let attempt = 0; attempt < 2; attempt++) {
    let started = false;
    try {
      return await locks.request(name, { mode: "exclusive" }, () => {
        started = true;
        return fn();
      });
    } catch (e) {
      if (started) throw e;
    }
  }
  return fn();
}

/** An IndexedDB call that neither hangs (some private modes never answer) nor throws synchronously. */
function idbSafe(mode, run) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DOMException("IndexedDB did not answer", "TimeoutError")), IDB_TIMEOUT_MS);
    Promise.resolve()
      .then(() => idb(mode, run))
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

const hasWebCrypto = () => typeof globalThis.crypto?.subtle?.generateKey === "function";
function hasIndexedDb() {
  try {
    return typeof globalThis.indexedDB?.open === "function"; // the getter itself may throw
  } catch {
    return false;
  }
}
const ECDSA = { name: "ECDSA", namedCurve: "P-256" };
/** Where the holder key of `issuer` + `clientId` is stored (and the name of its Web Lock). */
const holderId = ({ issuer, clientId }) => `dpop:${issuer}|${clientId}`;

/** A signer: `jwk` (JSON text of the public key) and `sign(text) → Uint8Array(64)`. */
class WebCryptoHolder {
  /** `persisted`: the key is in IndexedDB and survives a navigation. */
  constructor(pair, jwk, persisted) {
    this.pair = pair;
    this.jwk = jwk;
    this.persisted = persisted;
  }
  static async of(pair, persisted) {
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    return new WebCryptoHolder(pair, JSON.stringify({ kty, crv, x, y }), persisted);
  }
  /**
   * The key stored under `id`, read without the lock and without making one (what
   * create() starts while the core loads); undefined when there is none or no
   * IndexedDB. `load` does the rest under the lock.
   */
  static async peek(id) {
    if (!hasWebCrypto() || !hasIndexedDb()) return undefined;
    let pair;
    try {
      pair = await idbSafe("readonly", (s) => s.get(id));
    } catch {
      idbFailed = true; // as in load(): a key for this page's life, without waiting again
      return undefined;
    }
    return pair?.privateKey && pair?.publicKey ? WebCryptoHolder.of(pair, true) : undefined;
  }
  static load(id) {
    return withLock(`mirairo-id:key:${id}`, async () => {
      let pair;
      let usable = hasIndexedDb() && !idbFailed;
      if (usable) {
        try {
          pair = await idbSafe("readonly", (s) => s.get(id));
        } catch {
          usable = false; // no IndexedDB here: a key for this page's life
        }
      }
      if (pair?.privateKey && pair?.publicKey) return WebCryptoHolder.of(pair, true);
      pair = await crypto.subtle.generateKey(ECDSA, false, ["sign", "verify"]);
      let persisted = false;
      if (usable) {
        try {
          // `add`, not `put`: should two instances start at once where Web Locks are
          // missing, the first key stored wins and every instance reads it back, so all
          // prove possession of the key the provider bound the code to.
          await idbSafe("readwrite", (s) => s.add(pair, id));
          persisted = true;
        } catch {
          const stored = await idbSafe("readonly", (s) => s.get(id)).catch(() => undefined);
          if (stored?.privateKey && stored?.publicKey) [pair, persisted] = [stored, true];
        }
      }
      return WebCryptoHolder.of(pair, persisted);
    });
  }
  /**
   * A key for a redirect login where IndexedDB is missing: made extractable once, its
   * private JWK returned to be kept in the attempt's one-use sessionStorage entry, and
   * used from a non-extractable copy.
   */
  static async forRedirect() {
    const pair = await crypto.subtle.generateKey(ECDSA, true, ["sign", "verify"]);
    const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    return { holder: await WebCryptoHolder.fromJwk(privateJwk), privateJwk };
  }
  /** The key carried in a redirect's sessionStorage entry, imported non-extractable. */
  static async fromJwk(privateJwk) {
    const { kty, crv, x, y, d } = privateJwk ?? {};
    const privateKey = await crypto.subtle.importKey("jwk", { kty, crv, x, y, d }, ECDSA, false, ["sign"]);
    const publicKey = await crypto.subtle.importKey("jwk", { kty, crv, x, y }, ECDSA, true, ["verify"]);
    return WebCryptoHolder.of({ privateKey, publicKey }, false);
  }
  async sign(text) {
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.pair.privateKey, new TextEncoder().encode(text));
    return new Uint8Array(sig);
  }
  static async forget(id) {
    if (!hasIndexedDb()) return;
    await withLock(`mirairo-id:key:${id}`, () => idbSafe("readwrite", (s) => s.delete(id)).catch(() => undefined));
  }
}

/**
 * Without WebCrypto (an insecure context): a P-256 key in the ES256 module's wasm (loaded
 * on demand), living as long as the page. The core hashes, the module signs the digest.
 */
class SoftwareHolder {
  static async create() {
    const es256 = await loadEs256();
    const key = es256.SigningKey.generate();
    if (key === undefined) throw fail("invalid_config", "no random number source for a key / 鍵を作るための乱数源がありません");
    return new SoftwareHolder(key);
  }
  constructor(key) {
    this.key = key;
    this.jwk = bindings().es256PublicJwk(key.publicKey());
  }
  async sign(text) {
    return this.key.signPrehash(bindings().es256Digest(new TextEncoder().encode(text)));
  }
}

// ---------------------------------------------------------------------------------------
// Small helpers.

function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled
  }
}

/** Reads and removes the transaction stored under `state` (one use). */
function takeTransaction(state) {
  const s = storage();
  if (!s || typeof state !== "string") return "";
  const key = TX_PREFIX + state;
  const value = s.getItem(key);
  s.removeItem(key);
  return value ?? "";
}

const isTimeout = (e) => e?.name === "TimeoutError" || e?.name === "AbortError";

function withTimeout(ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), ms);
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}

async function getText(url) {
  const t = withTimeout(FETCH_TIMEOUT_MS);
  try {
    const res = await fetch(url, { headers: { accept: "application/json" }, signal: t.signal });
    if (!res.ok) throw fail("network", `${url} answered HTTP ${res.status}`);
    return await res.text();
  } catch (e) {
    if (e instanceof MirairoIdError) throw e;
    const timeout = isTimeout(e);
    throw fail(timeout ? "timeout" : "network", `cannot fetch ${url}`, e);
  } finally {
    t.done();
  }
}

/** The address without the authorization response parameters. */
function cleanUrl(href) {
  const url = new URL(href);
  for (const p of CALLBACK_PARAMS) url.searchParams.delete(p);
  return url.pathname + (url.search === "?" ? "" : url.search) + url.hash;
}

const EVENTS = ["login", "logout", "refresh", "error"];

// ---------------------------------------------------------------------------------------

/**
 * Login with Mirairo ID (authorization code + PKCE + DPoP), the verified certificate,
 * presentations for the partner's server, and the login button. See API.md "Login".
 */
export class MirairoId {
  #core;
  #options;
  #holder = null;
  #holderLoading = null;
  #listeners = new Map(EVENTS.map((e) => [e, new Set()]));
  #discoveryLoaded = null;
  #metadataLoaded = null;
  #handoff = Promise.resolve(false);
  #refreshing = null;

  /** @internal Use `MirairoId.create`. */
  constructor(core, options, token) {
    if (token !== CREATE) throw fail("invalid_config", "use await MirairoId.create({ issuer, clientId, redirectUri })");
    this.#core = core;
    this.#options = options;
  }

  /**
   * Loads the SDK, validates the options (a bad one throws `invalid_config` here and
   * never later) and starts fetching the provider metadata and keys (on a callback page
   * the login attempt brings its own metadata: see handleRedirectCallback).
   * @param {{ issuer: string, clientId: string, redirectUri: string, certificateClaims?: string[], profile?: boolean, lang?: "ja" | "en" }} opts
   * @returns {Promise<MirairoId>}
   */
  static async create(opts) {
    // The stored holder key is read while the core loads (IndexedDB needs no wasm): on
    // the callback page the token request needs it at once. Only read: a key is made
    // and stored once the core has accepted the options.
    const stored =
      typeof opts?.issuer === "string" && typeof opts?.clientId === "string"
        ? WebCryptoHolder.peek(holderId(opts)).catch(() => undefined)
        : undefined;
    // The core only: the login verifies its tokens with WebCrypto (no ES256 module).
    await readyCore();
    const origin = globalThis.location?.origin ?? "";
    // The core checks every member (types, URLs, origin, claims, lang).
    const core = new (bindings().LoginCore)(argJson(opts, "options"), origin);
    const client = new MirairoId(core, { ...opts, lang: core.lang() }, CREATE);
    // In the login popup, a callback page hands the URL to the opener and closes; cut
    // off from it by COOP, over a BroadcastChannel.
    if (client.#isPopupCallback()) client.#handOverToOpener();
    else if (MirairoId.isCallback()) client.#handoff = client.#handOverByChannel(globalThis.location.href);
    // Warm up for the click (metadata, keys, holder key); errors surface at login. A
    // callback page fetches no metadata first: the login attempt carries its own, which
    // the core takes back in acceptCallback (see #finishCallback).
    if (!MirairoId.isCallback()) client.#loadMetadata().catch(() => {});
    client.#loadHolder(stored).catch(() => {});
    return client;
  }

  /** The configured language. */
  get lang() {
    return this.#options.lang;
  }

  /** @internal The options given to create (for the button). */
  get options() {
    return { ...this.#options };
  }

  /** The provider's metadata (PROTOCOL §1): what every request to it needs. Resolves to the `jwks_uri`. */
  #loadDiscovery() {
    if (this.#discoveryLoaded === null) {
      this.#discoveryLoaded = getText(this.#core.discoveryUrl()).then((doc) => this.#core.setMetadata(doc));
      this.#discoveryLoaded.catch(() => {
        this.#discoveryLoaded = null; // retry on the next call
      });
    }
    return this.#discoveryLoaded;
  }

  /** The metadata and then the provider's JWK Set: what verifying its tokens needs. */
  #loadMetadata() {
    if (this.#metadataLoaded === null) {
      this.#metadataLoaded = (async () => {
        const jwksUri = await this.#loadDiscovery();
        this.#core.setJwks(await getText(jwksUri), nowSeconds(), false);
        return jwksUri;
      })();
      this.#metadataLoaded.catch(() => {
        this.#metadataLoaded = null; // retry on the next call
      });
    }
    return this.#metadataLoaded;
  }

  #holderId() {
    return holderId(this.#options);
  }

  /** The holder key: `stored` (the key read ahead by create()), else loaded or made under the lock. */
  #loadHolder(stored) {
    if (this.#holder) return Promise.resolve(this.#holder);
    if (this.#holderLoading === null) {
      const load = () => (hasWebCrypto() ? WebCryptoHolder.load(this.#holderId()) : SoftwareHolder.create());
      this.#holderLoading = Promise.resolve(stored)
        .then((h) => h ?? load())
        .then(
          (h) => (this.#holder ??= h), // a key carried by a redirect login (set meanwhile) wins
        );
      this.#holderLoading.catch(() => {
        this.#holderLoading = null;
      });
    }
    return this.#holderLoading;
  }

  async #authorizationRequest(opts, mode) {
    // The JWK Set is needed only once tokens come back: going to the provider waits for
    // its metadata alone (create() is already fetching the keys).
    let [holder] = await Promise.all([this.#loadHolder(), this.#loadDiscovery()]);
    const options = argJson(opts, "options");
    const s = storage();
    if (!s) throw fail("invalid_config", "sessionStorage is not available: login needs it");
    // Without IndexedDB the key would not survive the trip to the provider: a redirect
    // login carries it in its one-use entry (see the top of this file).
    let key;
    if (mode === "redirect" && holder instanceof WebCryptoHolder && !holder.persisted) {
      const carried = await WebCryptoHolder.forRedirect();
      holder = this.#holder = carried.holder;
      key = carried.privateJwk;
    }
    // The core validates the options (invalid_config naming the member).
    const request = JSON.parse(this.#core.authorizationRequest(options, holder.jwk, nowSeconds()));
    s.setItem(TX_PREFIX + request.state, JSON.stringify({ mode, tx: request.transaction, key }));
    return request;
  }

  /**
   * Sends the browser to the provider's sign-in page. The page at `redirectUri` then
   * calls `handleRedirectCallback()`.
   * @param {{ appState?: unknown, certificateClaims?: string[] }} [opts]
   */
  async loginWithRedirect(opts) {
    const request = await this.#authorizationRequest(opts, "redirect");
    globalThis.location.assign(request.url);
  }

  /**
   * Signs in through a popup window and resolves with the result. Call it from a
   * click (or key press) handler, or the browser blocks the popup (`popup_blocked`).
   * Rejects with `popup_closed` when the user closes it and `timeout` after 5 minutes.
   * @param {{ certificateClaims?: string[], timeoutSeconds?: number }} [opts]
   */
  async loginWithPopup(opts) {
    // Opened before any await, so that the user's click still counts.
    const width = 520;
    const height = 720;
    const left = Math.max(0, (globalThis.screenX ?? 0) + ((globalThis.outerWidth ?? width) - width) / 2);
    const top = Math.max(0, (globalThis.screenY ?? 0) + ((globalThis.outerHeight ?? height) - height) / 2);
    const popup = globalThis.open("", POPUP_NAME, `popup,width=${width},height=${height},left=${left},top=${top}`);
    if (!popup) throw this.#emitError(fail("popup_blocked", "the browser blocked the login popup"));
    let request;
    try {
      // Validates the options too (`timeoutSeconds`: 1 to 2147483, default 300).
      request = await this.#authorizationRequest(opts, "popup");
      popup.location.href = request.url;
    } catch (e) {
      popup.close();
      throw this.#emitError(e);
    }
    const url = await this.#waitForPopup(popup, request.state, request.timeoutSeconds * 1000).catch((e) => {
      takeTransaction(request.state);
      throw this.#emitError(e);
    });
    return this.#finishCallback(url, false);
  }

  /**
   * Resolves with the callback URL once the popup reaches the redirect URI. Two ways,
   * whichever comes first: the callback page posts it (`create()` in the popup), or the
   * opener reads the popup's address once it is same-origin again.
   */
  #waitForPopup(popup, state, timeoutMs) {
    return new Promise((resolve, reject) => {
      const origin = globalThis.location.origin;
      let finished = false;
      // Under `Cross-Origin-Opener-Policy: same-origin` the browser cuts this page's link
      // to the popup as soon as it leaves for the provider: `popup.closed` turns true
      // although the window is open, and the callback page has no `opener`. It then
      // hands the URL over on a BroadcastChannel (same origin only). A popup seen
      // "closed" before it was seen open and away from its blank start (readable on
      // another page, or unreadable for a second: while being cut off it is briefly
      // unreadable, then "closed") is taken as cut off, not closed: the wait goes on
      // (bounded by the timeout) for the channel.
      let seenAway = false;
      let awaySince = null;
      let detached = false;
      const channel = typeof globalThis.BroadcastChannel === "function" ? new BroadcastChannel(HANDOFF_CHANNEL) : null;
      const end = (fn, value) => {
        if (finished) return;
        finished = true;
        clearInterval(poll);
        clearTimeout(timer);
        globalThis.removeEventListener("message", onMessage);
        channel?.close();
        try {
          popup.close();
        } catch {
          /* already gone */
        }
        fn(value);
      };
      if (channel) {
        channel.onmessage = (event) => {
          const data = event.data;
          if (data?.type !== "mirairo-id:callback" || typeof data.url !== "string") return;
          if (bindings().LoginCore.callbackState(data.url) !== state) return;
          channel.postMessage({ type: "mirairo-id:ack", state });
          accept(data.url);
        };
      }
      const accept = (href) => {
        if (typeof href === "string" && bindings().LoginCore.callbackState(href) === state) {
          end(resolve, href);
          return true;
        }
        return false;
      };
      const onMessage = (event) => {
        if (event.origin !== origin || event.source !== popup) return;
        if (event.data?.type === "mirairo-id:callback") accept(event.data.url);
      };
      globalThis.addEventListener("message", onMessage);
      const poll = setInterval(() => {
        if (detached) return;
        let href;
        try {
          href = popup.location.href; // throws while the popup is on the provider
        } catch {
          href = undefined;
        }
        if (accept(href)) return;
        if (!popup.closed) {
          // Readable on another page: never cut off. Unreadable: on the provider, or
          // being cut off; only a second of it counts.
          if (href === "about:blank") awaySince = null;
          else if (href !== undefined || (awaySince ??= Date.now()) <= Date.now() - AWAY_STABLE_MS) seenAway = true;
          return;
        }
        if (!seenAway && channel) {
          detached = true; // cut off by COOP: the callback page will broadcast
          return;
        }
        end(reject, fail("popup_closed", "the login popup was closed before the login finished"));
      }, 100);
      const timer = setTimeout(() => end(reject, fail("timeout", "the login popup did not finish in time")), timeoutMs);
    });
  }

  /**
   * On a callback page that has no login attempt of its own in this tab's storage: the
   * login popup cut off from its opener by COOP. Offers the URL on the BroadcastChannel
   * and resolves true once the opening page took it (then this window closes), false
   * after a short wait or without BroadcastChannel.
   */
  #handOverByChannel(href) {
    const state = bindings().LoginCore.callbackState(href);
    const s = storage();
    if (typeof globalThis.BroadcastChannel !== "function" || !state || s?.getItem(TX_PREFIX + state) != null) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const channel = new BroadcastChannel(HANDOFF_CHANNEL);
      const done = (taken) => {
        clearTimeout(timer);
        channel.close();
        if (taken) {
          try {
            globalThis.close();
          } catch {
            /* the page asks the user to close it */
          }
        }
        resolve(taken);
      };
      const timer = setTimeout(() => done(false), HANDOFF_WAIT_MS);
      channel.onmessage = (event) => {
        if (event.data?.type === "mirairo-id:ack" && event.data.state === state) done(true);
      };
      channel.postMessage({ type: "mirairo-id:callback", url: href });
    });
  }

  #isPopupCallback() {
    try {
      return (
        globalThis.name === POPUP_NAME &&
        globalThis.opener != null &&
        globalThis.opener !== globalThis &&
        MirairoId.isCallback(globalThis.location.href)
      );
    } catch {
      return false;
    }
  }

  #handOverToOpener() {
    try {
      globalThis.opener.postMessage({ type: "mirairo-id:callback", url: globalThis.location.href }, globalThis.location.origin);
    } catch {
      /* the opener polls our address as well */
    }
  }

  /**
   * Completes a redirect login on the page at `redirectUri`: checks `state` (one use),
   * then `iss`, then `error`/`code` (PROTOCOL §2.2), redeems the code and verifies the
   * ID token and credential. Removes `code`, `state` and `iss` from the address bar.
   * In the login popup it hands the URL to the opening page instead and never settles.
   * @param {string} [url] default: `location.href`
   * @returns {Promise<LoginResult>}
   */
  async handleRedirectCallback(url) {
    const href = url ?? globalThis.location.href;
    if (url === undefined && (this.#isPopupCallback() || (await this.#handoff))) {
      this.#handOverToOpener();
      return new Promise(() => {}); // the opener finishes the login and closes this window
    }
    return this.#finishCallback(href, href === globalThis.location?.href);
  }

  /**
   * True when `url` (default: the current address) looks like an authorization response
   * (`state` plus `code` or `error`). Works before `ready()`; the checks proper are
   * `handleRedirectCallback`'s.
   */
  static isCallback(url) {
    try {
      const params = new URL(url ?? globalThis.location.href).searchParams;
      return params.has("state") && (params.has("code") || params.has("error"));
    } catch {
      return false;
    }
  }

  async #finishCallback(href, cleanAddressBar) {
    try {
      const state = bindings().LoginCore.callbackState(href);
      const stored = takeTransaction(state);
      if (cleanAddressBar) {
        try {
          globalThis.history.replaceState(globalThis.history.state, "", cleanUrl(href));
        } catch {
          /* not a same-document URL: nothing to clean */
        }
      }
      let tx = "";
      let key;
      try {
        ({ tx = "", key } = stored ? JSON.parse(stored) : {});
      } catch {
        tx = ""; // unreadable entry: the core reports state_mismatch
      }
      // state, then iss, then error / code: the core's order (PROTOCOL §2.2).
      const code = this.#core.acceptCallback(href, tx, nowSeconds());
      // The metadata the attempt was made with, taken back by the core from the stored
      // attempt (after the same checks as a fetched one): no discovery round trip.
      const jwksUri = this.#core.jwksUri();
      if (jwksUri !== undefined) this.#discoveryLoaded ??= Promise.resolve(jwksUri);
      // The key a redirect login carried because IndexedDB was missing.
      if (key && hasWebCrypto()) {
        const carried = await WebCryptoHolder.fromJwk(key);
        this.#holder = carried;
        this.#holderLoading = Promise.resolve(carried);
      }
      // The token request needs the metadata; the JWK Set is fetched meanwhile and awaited
      // only before the tokens are verified (one round trip fewer before the login ends).
      // If it failed, the core finds no key and asks for the JWK Set again (#verify), so a
      // provider's error answer is still reported as such.
      const keys = this.#loadMetadata().catch(() => {});
      const [holder] = await Promise.all([this.#loadHolder(), this.#loadDiscovery()]);
      const request = JSON.parse(this.#core.codeTokenRequest(code, tx));
      const answer = await this.#tokenRequest(request, holder);
      await keys;
      const result = await this.#verify(() => this.#core.prepareLogin(answer.status, answer.body, tx, holder.jwk, nowSeconds()));
      this.#emit("login", result);
      return result;
    } catch (e) {
      throw this.#emitError(e);
    }
  }

  /**
   * POSTs a token request with a fresh DPoP proof. At most one retry, as the core allows:
   * only when `fetch` itself rejected (no response) or on a 503. Once a response exists the
   * provider may have redeemed the code or refresh token, and a second use revokes its
   * tokens, so a failed body read or any other status ends here.
   */
  async #tokenRequest(request, holder) {
    let retriedNonce = false;
    for (let attempt = 1; ; attempt++) {
      const pending = this.#core.dpopProof(holder.jwk, "POST", request.url, nowSeconds(), false);
      const proof = pending.finish(await holder.sign(pending.signingInput));
      const t = withTimeout(TOKEN_TIMEOUT_MS);
      try {
        let res;
        try {
          res = await fetch(request.url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", DPoP: proof },
            body: request.body,
            signal: t.signal,
            cache: "no-store",
            credentials: "omit",
          });
        } catch (e) {
          const timeout = isTimeout(e);
          const kind = timeout ? "timeout" : "network";
          if (!bindings().LoginCore.shouldRetry(kind, 0, attempt)) {
            throw fail(kind, timeout ? "the token endpoint did not answer in time" : "cannot reach the token endpoint", e);
          }
        }
        if (res !== undefined) {
          const status = res.status;
          let body;
          try {
            body = await res.text();
          } catch (e) {
            // A response exists: never retried.
            const timeout = isTimeout(e);
            throw fail(
              timeout ? "timeout" : "network",
              timeout ? "the token endpoint's answer did not arrive in time" : "cannot read the token endpoint's answer",
              e,
            );
          }
          // A DPoP nonce demand (RFC 9449 §8): the core remembers the nonce and allows
          // one more request with it (nothing was redeemed); a second one is an error.
          const next = this.#core.afterTokenAnswer(request.url, status, body, res.headers.get("DPoP-Nonce") ?? undefined, retriedNonce);
          if (next === "retry_nonce") {
            retriedNonce = true;
            attempt--;
            continue;
          }
          if (res.ok || !bindings().LoginCore.shouldRetry("status", status, attempt)) return { status, body };
        }
      } finally {
        t.done();
      }
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }

  /** Runs a core verification step, refetching the JWK Set when the core asks for it. */
  /**
   * Verifies a token answer in two phases, as `Verifier.verifyOnline` does: the core's
   * checks (`prepare`), the ECDSA checks with WebCrypto (`run`), the core's `finish`.
   * The core may ask for one JWK Set refetch (`undefined` or `{refetch}`), then again.
   */
  async #verify(prepare) {
    for (;;) {
      const pending = prepare();
      let out = { refetch: true };
      if (pending !== undefined) {
        try {
          out = JSON.parse(this.#core.finishLogin(pending, await run(pending.checks)));
        } finally {
          pending.free();
        }
      }
      if (!out.refetch) return out.result;
      const jwksUri = await this.#loadMetadata();
      this.#core.setJwks(await getText(jwksUri), nowSeconds(), true);
    }
  }

  /** @returns {boolean} */
  isAuthenticated() {
    return this.#core.isAuthenticated();
  }

  /** @returns {VerifiedCertificate | null} */
  certificate() {
    const text = this.#core.certificate();
    return text ? JSON.parse(text) : null;
  }

  /** @returns {IdTokenClaims | null} */
  idTokenClaims() {
    const text = this.#core.idTokenClaims();
    return text ? JSON.parse(text) : null;
  }

  /**
   * `<issuer JWT>~<chosen disclosures>~<KB-JWT>` for the partner's own server, which
   * checks it with `Verifier.verify(…, { requireKeyBinding: true, audience, nonce })`.
   * @param {{ audience: string, nonce: string, disclose?: string[] }} opts
   * @returns {Promise<string>}
   */
  async present(opts) {
    try {
      const text = argJson(opts, "options");
      const holder = await this.#loadHolder();
      // The core validates { audience, nonce, disclose? } (invalid_config naming the member).
      const pending = this.#core.preparePresentation(text, nowSeconds());
      return pending.finish(await holder.sign(pending.signingInput));
    } catch (e) {
      throw this.#emitError(e);
    }
  }

  /**
   * Exchanges the refresh token (rotated by the provider) for new tokens and a fresh
   * credential.
   * @returns {Promise<LoginResult>}
   */
  async refresh() {
    const joining = this.#refreshing !== null; // its "error" event is the first caller's
    try {
      return await this.#refreshOnce();
    } catch (e) {
      throw joining ? e : this.#emitError(e);
    }
  }

  /**
   * One refresh at a time: a call while one runs shares its result (the refresh token
   * rotates, so a second request with it would revoke the grant), under the partner's
   * Web Lock.
   */
  #refreshOnce() {
    if (this.#refreshing === null) {
      const run = async () => {
        const request = JSON.parse(this.#core.refreshTokenRequest());
        const holder = await this.#loadHolder();
        const answer = await this.#tokenRequest(request, holder);
        const result = await this.#verify(() => this.#core.prepareRefresh(answer.status, answer.body, holder.jwk, nowSeconds()));
        this.#emit("refresh", result);
        return result;
      };
      this.#refreshing = withLock(`mirairo-id:session:${this.#options.issuer}|${this.#options.clientId}`, run)
        .catch((e) => {
          throw e instanceof MirairoIdError ? e : fail("network", String(e?.message ?? e), e);
        })
        .finally(() => {
          this.#refreshing = null;
        });
    }
    return this.#refreshing;
  }

  /**
   * The signed-in user's claims from the provider's userinfo endpoint (PROTOCOL §2.5):
   * `{ sub, name?, name_kana? }`, `sub` checked against the ID token's. A DPoP nonce
   * demand is retried once with the nonce; an expired access token (`invalid_token`)
   * is refreshed once and asked again; a refused proof is `provider_error` with
   * `providerError` `invalid_dpop_proof`. The rules are the core's.
   * @returns {Promise<{ sub: string, name?: string, name_kana?: string }>}
   */
  async userinfo() {
    try {
      const retried = { nonce: false, refreshed: false };
      for (;;) {
        const url = this.#core.userinfoUrl();
        const holder = await this.#loadHolder();
        const pending = this.#core.dpopProof(holder.jwk, "GET", url, nowSeconds(), true);
        const proof = pending.finish(await holder.sign(pending.signingInput));
        const t = withTimeout(FETCH_TIMEOUT_MS);
        let res;
        let body;
        try {
          res = await fetch(url, {
            headers: { accept: "application/json", authorization: this.#core.authorizationHeader(), DPoP: proof },
            signal: t.signal,
            cache: "no-store",
            credentials: "omit",
          });
          body = await res.text();
        } catch (e) {
          const timeout = isTimeout(e);
          throw fail(timeout ? "timeout" : "network", timeout ? "userinfo did not answer in time" : "cannot reach userinfo", e);
        } finally {
          t.done();
        }
        const header = (name) => res.headers.get(name) ?? undefined;
        const out = JSON.parse(
          this.#core.afterUserinfoAnswer(url, res.status, body, header("WWW-Authenticate"), header("DPoP-Nonce"), retried.nonce, retried.refreshed),
        );
        if (out.next === "done") return out.claims;
        if (out.next === "retry_nonce") retried.nonce = true;
        else {
          await this.#refreshOnce();
          retried.refreshed = true;
        }
      }
    } catch (e) {
      throw this.#emitError(e);
    }
  }

  /**
   * Forgets the session and the holder key. With `returnTo` (a registered
   * post-logout URI) the browser also goes through the provider's end-session endpoint.
   * @param {{ returnTo?: string }} [opts]
   */
  async logout(opts = {}) {
    const returnTo = opts?.returnTo;
    const endSession = this.#core.logout(returnTo);
    this.#holder = null;
    this.#holderLoading = null;
    await WebCryptoHolder.forget(this.#holderId());
    this.#emit("logout", {});
    if (returnTo !== undefined && endSession) globalThis.location.assign(endSession);
  }

  /**
   * Subscribes to "login" | "logout" | "refresh" | "error".
   * @returns {() => void} unsubscribe
   */
  on(event, listener) {
    const set = this.#listeners.get(event);
    if (!set) throw fail("invalid_config", `unknown event ${JSON.stringify(event)}: use ${EVENTS.join(", ")}`);
    if (typeof listener !== "function") throw fail("invalid_config", "the listener must be a function");
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(event, detail) {
    for (const listener of [...this.#listeners.get(event)]) {
      try {
        listener(detail);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  #emitError(e) {
    const error = e instanceof MirairoIdError ? e : fail("network", String(e?.message ?? e), e);
    this.#emit("error", error);
    return error;
  }

  /**
   * Renders the login button into `target` (see `<mirairo-login-button>`).
   * @param {Element} target
   * @param {{ theme?: "filled" | "outline", size?: "small" | "medium" | "large", lang?: "ja" | "en", mode?: "redirect" | "popup" }} [opts]
   */
  renderButton(target, opts = {}) {
    if (!renderer) throw fail("invalid_config", "the login button module is not loaded");
    return renderer(this, target, opts ?? {});
  }
}

const CREATE = Symbol("create");

let renderer = null;
/** @internal button.js registers how to render the button (keeps the modules acyclic). */
export function setButtonRenderer(render) {
  renderer = render;
}
