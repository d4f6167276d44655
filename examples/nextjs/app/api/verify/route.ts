// POST /api/verify {"presentation"} → 200 {"verified": VerifiedCertificate} (only the
// disclosed claims), 403 {"error": <PROTOCOL.md §4 code>}, 400 for a body that is not
// {"presentation": "…"}. @mirairo-id/sdk runs in Node here (serverExternalPackages).
import { MirairoIdError } from "@mirairo-id/sdk";
import { verifyPresentation } from "../../../lib/presentations";

const MAX_BODY_BYTES = 256 * 1024;
const headers = { "cache-control": "no-store" };

/** The body as text, or null once it exceeds `MAX_BODY_BYTES` (it is not read further). */
async function readBody(request: Request): Promise<string | null> {
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    size += part.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader?.cancel();
      return null;
    }
    chunks.push(part.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function POST(request: Request): Promise<Response> {
  let presentation: unknown;
  try {
    const text = await readBody(request);
    if (text !== null) presentation = (JSON.parse(text) as { presentation?: unknown } | null)?.presentation;
  } catch {
    presentation = undefined;
  }
  if (typeof presentation !== "string") {
    return Response.json({ error: "invalid_request", error_description: 'expected {"presentation": "…"}' }, { status: 400, headers });
  }
  try {
    return Response.json({ verified: await verifyPresentation(presentation) }, { headers });
  } catch (e) {
    if (e instanceof MirairoIdError) return Response.json({ error: e.code, error_description: e.message }, { status: 403, headers });
    return Response.json({ error: "server_error", error_description: "verification failed unexpectedly" }, { status: 500, headers });
  }
}
