// Login with Mirairo ID in a Vite + TypeScript app: the SDK and the widget are plain
// npm dependencies, with no Vite plugin (the wasm is found via import.meta.url).
import { MirairoId, MirairoIdError, fareDiscount } from "@mirairo-id/sdk";
import type { FareResult, VerifiedCertificate } from "@mirairo-id/sdk";
import "@mirairo-id/widget";
import "./style.css";

type Lang = "ja" | "en";
/** `?lang=`, kept in sessionStorage so that it survives the trip to the provider and back. */
function pageLang(): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "ja" || asked === "en") {
    sessionStorage.setItem("lang", asked);
    return asked;
  }
  return sessionStorage.getItem("lang") === "en" ? "en" : "ja";
}
const lang: Lang = pageLang();

const words = {
  title: { ja: "ミライロIDでログイン（Vite + TypeScript の例）", en: "Log in with Mirairo ID (Vite + TypeScript example)" },
  lead: {
    ja: "ボタンを押すと、ミライロIDで障害者手帳の情報を確認します。",
    en: "Press the button to check a disability certificate with Mirairo ID.",
  },
  result: { ja: "確認できた手帳の情報", en: "What the certificate shows" },
  fareClass: { ja: "旅客運賃減額", en: "Fare discount class" },
  type: { ja: "手帳の種類", en: "Certificate" },
  caregiver: { ja: "介護", en: "Caregiver mark" },
  validUntil: { ja: "有効期限", en: "Valid until" },
  failed: { ja: "ログインできませんでした", en: "Login failed" },
} satisfies Record<string, Record<Lang, string>>;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};

function show(certificate: VerifiedCertificate): void {
  const rows: Array<[string, string]> = [];
  if (certificate.certificateType !== undefined) rows.push([words.type[lang], certificate.certificateType]);
  if (certificate.fareClass !== undefined) rows.push([words.fareClass[lang], String(certificate.fareClass ?? "—")]);
  if (certificate.caregiver !== undefined) rows.push([words.caregiver[lang], String(certificate.caregiver)]);
  if (certificate.validUntil !== undefined) rows.push([words.validUntil[lang], certificate.validUntil ?? "—"]);
  $("certificate").replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  // A 1,000-yen regular ticket, 120 km one way, with a companion.
  const fare: FareResult = fareDiscount(certificate, { fare: 1000, ticket: "regular", oneWayKm: 120, withCompanion: true });
  $("fare").textContent = fare.explanation[lang];
  $("result-h").textContent = words.result[lang];
  $("result").hidden = false;
  $("result-h").focus();
}

async function main(): Promise<void> {
  document.documentElement.lang = lang;
  document.title = words.title[lang];
  $("title").textContent = words.title[lang];
  $("lead").textContent = words.lead[lang];
  const coupons = $("coupons");
  coupons.setAttribute("api", location.origin);
  coupons.setAttribute("lang", lang);

  const mirairo = await MirairoId.create({
    issuer: location.origin, // the sandbox serves this build
    clientId: "example-vite-ts",
    redirectUri: new URL(import.meta.env.BASE_URL, location.origin).href,
    lang,
  });
  if (MirairoId.isCallback()) await mirairo.handleRedirectCallback();
  const certificate = mirairo.certificate();
  if (mirairo.isAuthenticated() && certificate) show(certificate);
  else mirairo.renderButton($("login"), { lang });
}

main().catch((e: unknown) => {
  const code = e instanceof MirairoIdError ? e.code : "network";
  $("error").textContent = `${words.failed[lang]} (${code})`;
  console.error(e);
});
