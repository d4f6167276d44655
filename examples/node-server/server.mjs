// A partner's server on Node with no framework: it hands out single-use nonces and
// verifies the presentations that `MirairoId.present()` makes in the browser, and it
// runs the counter flow of PROTOCOL.md §7 (a QR code at the window, answered by the
// holder's app).
//
//   POST /nonce                      → 200 {"nonce", "audience"}
//   POST /verify {"presentation"}    → 200 {"verified": VerifiedCertificate}
//                                      403 {"error": <PROTOCOL.md §4 code>, "error_description"}
//                                      400 {"error": "invalid_request", …}
//   POST /api/counter/requests {"lang"}  → 201 {"id", "url", "expires_at", "expires_in"}
//   POST /api/counter/response           → the response_uri (direct_post, PROTOCOL.md §7.2)
//   GET  /api/counter/requests/{id}      → {"status", "certificate"?, "error"?}
//
// Run: ISSUER=http://127.0.0.1:8080 PORT=3000 node server.mjs
import { createServer } from "node:http";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Verifier, PresentationRequest, MirairoIdError } from "@mirairo-id/sdk";

const NONCE_TTL_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 256 * 1024;
/** The claims a railway counter asks the holder for (PROTOCOL.md §7.1). */
export const COUNTER_CLAIMS = ["fare_class", "valid_until", "certificate_type", "caregiver"];
/** The largest direct_post body read: the SDK's own limit for a response form. */
export const MAX_RESPONSE_BYTES = 512 * 1024;
/** At most this many counter requests (open, or settled and not yet read) are kept. */
export const MAX_COUNTER_REQUESTS = 1000;
/** After a request expires, how long an outcome nobody read is kept (ms). */
export const FORGET_AFTER_MS = 60 * 1000;

/** The `nonce` claim of the KB-JWT (the last `~` segment), read without trusting it. */
function claimedNonce(presentation) {
  try {
    const kb = presentation.slice(presentation.lastIndexOf("~") + 1);
    const payload = kb.split(".")[1];
    const nonce = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).nonce;
    return typeof nonce === "string" ? nonce : null;
  } catch {
    return null;
  }
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

class TooLarge extends Error {}

async function readBody(req, limit) {
  if (Number(req.headers["content-length"] ?? 0) > limit) throw new TooLarge();
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req) {
  return JSON.parse(await readBody(req, MAX_BODY_BYTES));
}

/**
 * The counter's requests, in memory. The first answer to a known `state` takes its
 * request (synchronously, so two answers arriving together cannot both take it); the
 * outcome keeps only the disclosed claims, and is forgotten once the counter page has
 * read it, or FORGET_AFTER_MS after the request expired (every call drops what is past
 * that time first, so an unread outcome is never readable later, new requests or not).
 */
class CounterStore {
  /** id → { request, outcome: { status, certificate?, error? } } */
  #byId = new Map();
  /** state → id, while the request can still be answered */
  #byState = new Map();

  #prune(now) {
    for (const [id, e] of this.#byId) {
      if (e.outcome.status !== "answering" && now >= e.request.expiresAt * 1000 + FORGET_AFTER_MS) {
        this.#byId.delete(id);
        this.#byState.delete(e.request.state);
      }
    }
  }

  /** Keeps `request`; its secret id (192 random bits), or null when full. */
  insert(request, now) {
    this.#prune(now);
    if (this.#byId.size >= MAX_COUNTER_REQUESTS) return null;
    const id = randomBytes(24).toString("base64url");
    this.#byId.set(id, { request, outcome: { status: "pending" } });
    this.#byState.set(request.state, id);
    return id;
  }

  /** Takes the request `state` names for one answer; null when unknown or answered. */
  take(state, now) {
    this.#prune(now);
    const id = this.#byState.get(state);
    if (id === undefined) return null;
    this.#byState.delete(state);
    const entry = this.#byId.get(id);
    if (!entry || entry.outcome.status !== "pending") return null;
    entry.outcome = { status: "answering" };
    return { id, request: entry.request };
  }

  settle(id, outcome) {
    const entry = this.#byId.get(id);
    if (entry) entry.outcome = outcome;
  }

  /** The status the counter page reads; a final one is forgotten once read. */
  read(id, now) {
    this.#prune(now);
    const entry = this.#byId.get(id);
    if (!entry) return null;
    let { outcome } = entry;
    if (outcome.status === "answering") outcome = { status: "pending" };
    else if (outcome.status === "pending" && now >= entry.request.expiresAt * 1000) outcome = { status: "expired" };
    if (outcome.status !== "pending") {
      this.#byId.delete(id);
      this.#byState.delete(entry.request.state);
    }
    return outcome;
  }
}

/**
 * Starts the server. `issuer` is the Mirairo ID provider; `audience` this partner's
 * identifier, expected in the KB-JWT's `aud`; `nonceTtlMs` how long a nonce stays usable;
 * `publicUrl` the address wallets reach this server at (default: where it listens),
 * whose `/api/counter/response` is the counter requests' `response_uri`;
 * `now` the clock of the counter requests (ms; tests move it).
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ issuer, audience, host = "127.0.0.1", port = 0, nonceTtlMs = NONCE_TTL_MS, publicUrl, clientName = "Mirai Railway", now = Date.now }) {
  // Reads the provider metadata and its JWK Set once; refetches the set for a new kid.
  const verifier = await Verifier.fromIssuer(issuer);
  // Nonces carry their own expiry and this server's HMAC, so handing one out stores
  // nothing (a flood of POST /nonce costs no memory). Only nonces of presentations that
  // are being or have been verified are remembered, until they expire: one use each.
  const secret = randomBytes(32);
  /** nonce → expiry (ms) of nonces taken by a presentation. */
  const used = new Map();
  const mac = (body) => createHmac("sha256", secret).update(body).digest();

  function issueNonce() {
    const body = `${Date.now() + nonceTtlMs}.${randomBytes(16).toString("base64url")}`;
    return `${body}.${mac(body).toString("base64url")}`;
  }

  /** Takes `nonce` for one presentation: true when this server issued it, it has not
   *  expired and no other presentation has taken it. */
  function takeNonce(nonce) {
    const [expires, random, tag, ...rest] = typeof nonce === "string" ? nonce.split(".") : [];
    if (tag === undefined || rest.length > 0) return false;
    // Node's base64url decoder skips stray characters and unused bits, so one tag has
    // many spellings: accept only the canonical one, or a nonce could be used once per
    // spelling.
    const given = Buffer.from(tag, "base64url");
    if (given.toString("base64url") !== tag) return false;
    const expected = mac(`${expires}.${random}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const now = Date.now();
    const until = Number(expires);
    if (!(until > now)) return false;
    for (const [n, u] of used) if (u <= now) used.delete(n);
    if (used.has(nonce)) return false;
    used.set(nonce, until);
    return true;
  }

  async function verify(presentation) {
    const claimed = claimedNonce(presentation);
    const taken = takeNonce(claimed);
    // An unknown, expired or replayed nonce becomes a random one no KB-JWT carries: the
    // SDK then answers bad_key_binding, in the order of PROTOCOL.md §4.
    const nonce = taken ? claimed : randomBytes(24).toString("base64url");
    try {
      return await verifier.verifyOnline(presentation, {
        requireKeyBinding: true,
        audience,
        nonce,
        requiredClaims: ["fare_class"],
        requireStatus: true,
      });
    } catch (e) {
      // A refused presentation leaves nothing behind (its nonce proved nothing), so
      // posting forged presentations cannot fill `used` either.
      if (taken) used.delete(claimed);
      throw e;
    }
  }

  const counter = new CounterStore();
  let responseUri;

  async function createCounterRequest(req, res) {
    let lang;
    try {
      const body = await readBody(req, MAX_BODY_BYTES);
      lang = body === "" ? "ja" : (JSON.parse(body)?.lang ?? "ja");
    } catch {
      lang = null;
    }
    if (lang !== "ja" && lang !== "en") {
      return send(res, 400, { error: "invalid_request", error_description: 'expected {"lang": "ja" | "en"}' });
    }
    let request;
    try {
      request = PresentationRequest.create({ responseUri, claims: COUNTER_CLAIMS, clientName });
    } catch {
      return send(res, 500, { error: "server_error", error_description: "the counter request could not be made" });
    }
    const id = counter.insert(request, now());
    if (id === null) {
      res.setHeader("retry-after", "60");
      return send(res, 503, { error: "temporarily_unavailable", error_description: "too many open counter requests" });
    }
    // expires_in too: a counter page counts down from it, whatever its own clock says.
    return send(res, 201, { id, url: request.url, expires_at: request.expiresAt, expires_in: request.expiresAt - Math.floor(now() / 1000) });
  }

  /** The response_uri: find the request by `state`, verify once, settle whatever happens. */
  async function counterResponse(req, res) {
    let body;
    try {
      body = await readBody(req, MAX_RESPONSE_BYTES);
    } catch (e) {
      if (!(e instanceof TooLarge)) return send(res, 400, { error: "invalid_request", error_description: "the body could not be read" });
      // Refused before it is read: it settles nothing.
      res.setHeader("connection", "close");
      return send(res, 413, { error: "request_too_large", error_description: `the body is larger than ${MAX_RESPONSE_BYTES} bytes` });
    }
    // The SDK reads the form and says which state it answers; a body that is not a
    // response (not a form, no state, neither vp_token nor error) settles nothing.
    let state;
    try {
      state = PresentationRequest.stateOf(body);
    } catch (e) {
      return send(res, 400, { error: e?.code ?? "invalid_request", error_description: e?.message ?? "not a response" });
    }
    const taken = counter.take(state, now());
    if (!taken) {
      return send(res, 400, { error: "request_not_found", error_description: "no open request has this state" });
    }
    try {
      const certificate = await verifier.verifyPresentationResponse(body, taken.request, { now: Math.floor(now() / 1000) });
      counter.settle(taken.id, { status: "verified", certificate }); // only the asked claims, no holder key thumbprint (the SDK)
      return send(res, 200, {});
    } catch (e) {
      const code = e instanceof MirairoIdError ? e.code : "server_error";
      if (code === "access_denied") {
        counter.settle(taken.id, { status: "declined" });
        return send(res, 200, {});
      }
      counter.settle(taken.id, code === "request_expired" ? { status: "expired" } : { status: "failed", error: code });
      return send(res, code === "server_error" ? 500 : 400, { error: code, error_description: e?.message ?? code });
    }
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "POST" && path === "/api/counter/requests") return createCounterRequest(req, res);
    if (req.method === "POST" && path === "/api/counter/response") return counterResponse(req, res);
    const status = /^\/api\/counter\/requests\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (req.method === "GET" && status) {
      const outcome = counter.read(status[1], now());
      if (!outcome) return send(res, 404, { error: "not_found", error_description: "no counter request with this id" });
      return send(res, 200, outcome);
    }
    if (req.method === "POST" && path === "/nonce") {
      return send(res, 200, { nonce: issueNonce(), audience });
    }
    if (req.method === "POST" && path === "/verify") {
      let presentation;
      try {
        presentation = (await readJson(req))?.presentation;
      } catch {
        presentation = undefined;
      }
      if (typeof presentation !== "string") {
        return send(res, 400, { error: "invalid_request", error_description: 'expected {"presentation": "…"}' });
      }
      try {
        return send(res, 200, { verified: await verify(presentation) });
      } catch (e) {
        if (e instanceof MirairoIdError) return send(res, 403, { error: e.code, error_description: e.message });
        return send(res, 500, { error: "server_error", error_description: "verification failed unexpectedly" });
      }
    }
    return send(res, 404, { error: "not_found", error_description: `no route ${req.method} ${path}` });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address();
  const url = `http://${host}:${bound}`;
  responseUri = `${publicUrl ?? url}/api/counter/response`;
  try {
    // A response_uri the SDK refuses (http beyond loopback…) fails here, at start.
    PresentationRequest.create({ responseUri, claims: COUNTER_CLAIMS, clientName });
  } catch (e) {
    server.close();
    throw e;
  }
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const issuer = process.env.ISSUER ?? "http://127.0.0.1:8080";
  const port = Number(process.env.PORT ?? 3000);
  const audience = process.env.AUDIENCE ?? `http://127.0.0.1:${port}`;
  const { url } = await startServer({ issuer, audience, port });
  console.log(`partner server listening on ${url} (issuer ${issuer}, audience ${audience})`);
}
