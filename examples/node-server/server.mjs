// A partner's server on Node with no framework: it hands out single-use nonces and
// verifies the presentations that `MirairoId.present()` makes in the browser.
//
//   POST /nonce                      → 200 {"nonce", "audience"}
//   POST /verify {"presentation"}    → 200 {"verified": VerifiedCertificate}
//                                      403 {"error": <PROTOCOL.md §4 code>, "error_description"}
//                                      400 {"error": "invalid_request", …}
//
// Run: ISSUER=http://127.0.0.1:8080 PORT=3000 node server.mjs
import { createServer } from "node:http";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Verifier, MirairoIdError } from "@mirairo-id/sdk";

const NONCE_TTL_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 256 * 1024;

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

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * Starts the server. `issuer` is the Mirairo ID provider; `audience` this partner's
 * identifier, expected in the KB-JWT's `aud`; `nonceTtlMs` how long a nonce stays usable.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ issuer, audience, host = "127.0.0.1", port = 0, nonceTtlMs = NONCE_TTL_MS }) {
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

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
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
  return {
    url: `http://${host}:${bound}`,
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
