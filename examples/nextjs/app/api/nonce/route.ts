// POST /api/nonce → {"nonce", "audience"}: a single-use challenge for MirairoId.present().
import { issueNonce } from "../../../lib/presentations";
import { settings } from "../../../lib/settings";

export function POST(): Response {
  return Response.json({ nonce: issueNonce(), audience: settings().audience }, { headers: { "cache-control": "no-store" } });
}
