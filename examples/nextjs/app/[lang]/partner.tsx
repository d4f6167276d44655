"use client";
// The Mirairo ID parts of the page (app/mirairo.tsx, the same file as examples/react's),
// plus the check by this partner's own server: a presentation for its nonce, verified
// by the route handler app/api/verify/route.ts.
import { useState } from "react";
import type { MirairoId } from "@mirairo-id/sdk";
import { MirairoLogin, MirairoPlaces, type Lang, type MirairoConfig } from "../mirairo";

const words = {
  check: { ja: "手帳をサーバーで確認する", en: "Check the certificate on our server" },
  verified: { ja: "サーバーで確認できました", en: "Our server verified the certificate" },
  refused: { ja: "サーバーで確認できませんでした", en: "Our server refused the certificate" },
} satisfies Record<string, Record<Lang, string>>;

export function Partner({ config }: { config: MirairoConfig }) {
  return (
    <>
      <MirairoLogin config={config}>{({ client }) => <VerifyAtServer client={client} lang={config.lang} />}</MirairoLogin>
      <MirairoPlaces issuer={config.issuer} lang={config.lang} />
    </>
  );
}

function VerifyAtServer({ client, lang }: { client: MirairoId; lang: Lang }) {
  const [result, setResult] = useState("");
  async function check(): Promise<void> {
    try {
      const { nonce, audience } = (await (await fetch("/api/nonce", { method: "POST" })).json()) as { nonce: string; audience: string };
      const presentation = await client.present({ audience, nonce });
      const res = await fetch("/api/verify", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ presentation }),
      });
      const body = (await res.json()) as { error?: string };
      setResult(res.ok ? words.verified[lang] : `${words.refused[lang]} (${body.error ?? res.status})`);
    } catch (e) {
      setResult(`${words.refused[lang]} (${e instanceof Error && "code" in e ? String(e.code) : "network"})`);
    }
  }
  return (
    <>
      <button type="button" onClick={() => void check()}>
        {words.check[lang]}
      </button>
      <p role="status">{result}</p>
    </>
  );
}
