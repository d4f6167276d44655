// The partner's server side (route handlers only): single-use nonces and the check of
// a presentation with @mirairo-id/sdk in Node, as examples/node-server does on node:http.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Verifier, type VerifiedCertificate } from "@mirairo-id/sdk";
import { settings } from "./settings";

const NONCE_TTL_MS = 5 * 60 * 1000;

let verifier: Promise<Verifier> | null = null;
/** Provider metadata and JWK Set, fetched once (refetched by the SDK for a new kid). */
function issuerVerifier(): Promise<Verifier> {
  verifier ??= Verifier.fromIssuer(settings().issuer);
  verifier.catch(() => {
    verifier = null;
  });
  return verifier;
}

// Nonces carry their expiry and this server's HMAC, so handing one out stores nothing.
// Only nonces of presentations being or already verified are remembered, until they
// expire: one use each. (Several server processes share the secret and the used set,
// e.g. in Redis; one `next start` process keeps them here.)
const secret = randomBytes(32);
const used = new Map<string, number>();
const mac = (body: string) => createHmac("sha256", secret).update(body).digest();

export function issueNonce(): string {
  const body = `${Date.now() + NONCE_TTL_MS}.${randomBytes(16).toString("base64url")}`;
  return `${body}.${mac(body).toString("base64url")}`;
}

/** True when this server issued `nonce`, it has not expired and nothing has taken it. */
function takeNonce(nonce: string | null): boolean {
  const [expires, random, tag, ...rest] = nonce?.split(".") ?? [];
  if (nonce === null || tag === undefined || rest.length > 0) return false;
  // One spelling per tag: Node's base64url decoder skips stray characters and unused bits.
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

/** The `nonce` claim of the KB-JWT (the last `~` segment), read without trusting it. */
function claimedNonce(presentation: string): string | null {
  try {
    const payload = presentation.slice(presentation.lastIndexOf("~") + 1).split(".")[1] ?? "";
    const nonce: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).nonce;
    return typeof nonce === "string" ? nonce : null;
  } catch {
    return null;
  }
}

/**
 * Verifies a presentation made by `MirairoId.present({ audience, nonce })` in the
 * browser. Throws a `MirairoIdError` with the PROTOCOL.md §4 code when it is refused.
 */
export async function verifyPresentation(presentation: string): Promise<VerifiedCertificate> {
  const claimed = claimedNonce(presentation);
  const taken = takeNonce(claimed);
  // An unknown, expired or replayed nonce becomes one no KB-JWT carries: the SDK then
  // answers bad_key_binding, in the order of PROTOCOL.md §4.
  const nonce = taken && claimed ? claimed : randomBytes(24).toString("base64url");
  try {
    return await (await issuerVerifier()).verifyOnline(presentation, {
      requireKeyBinding: true,
      audience: settings().audience,
      nonce,
      requiredClaims: ["fare_class"],
      requireStatus: true,
    });
  } catch (e) {
    // A refused presentation leaves nothing behind, so forged ones cannot fill `used`.
    if (taken && claimed) used.delete(claimed);
    throw e;
  }
}
