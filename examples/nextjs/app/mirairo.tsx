"use client";
// Login with Mirairo ID and the places widget as React 19 components. This very file
// runs in examples/react (Vite) and in examples/nextjs (App Router: "use client" makes
// it a client component there, and Vite ignores the directive); www/docs shows it.
//
// The packages import cleanly during a server render: the login button is defined and
// the widget's wasm fetched only in the browser, so nothing here needs `typeof window`.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { MirairoId, MirairoIdError, type IdTokenClaims, type VerifiedCertificate } from "@mirairo-id/sdk";
import "@mirairo-id/widget";

export type Lang = "ja" | "en";

export interface MirairoConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
  lang: Lang;
}

const words = {
  login: { ja: "ミライロIDでログイン", en: "Log in with Mirairo ID" },
  lead: {
    ja: "ボタンを押すと、ミライロIDで障害者手帳の情報を確認します。",
    en: "Press the button to check a disability certificate with Mirairo ID.",
  },
  welcome: { ja: "ログインしました", en: "You are logged in" },
  name: { ja: "お名前", en: "Name" },
  type: { ja: "手帳の種類", en: "Certificate" },
  fareClass: { ja: "旅客運賃減額", en: "Fare discount class" },
  caregiver: { ja: "介護", en: "Caregiver mark" },
  validUntil: { ja: "有効期限", en: "Valid until" },
  noExpiry: { ja: "なし", en: "None" },
  yes: { ja: "あり", en: "Yes" },
  no: { ja: "なし", en: "No" },
  failed: { ja: "ログインできませんでした", en: "Login failed" },
  selected: { ja: "選んだ場所", en: "Place you chose" },
  widgetFailed: { ja: "場所の一覧を読み込めませんでした", en: "The places could not be loaded" },
} satisfies Record<string, Record<Lang, string>>;

const certificateTypes = {
  physical: { ja: "身体障害者手帳", en: "Physical disability certificate" },
  mental: { ja: "精神障害者保健福祉手帳", en: "Mental disability certificate" },
  intellectual: { ja: "療育手帳", en: "Intellectual disability certificate" },
} satisfies Record<NonNullable<VerifiedCertificate["certificateType"]>, Record<Lang, string>>;

let session: Promise<MirairoId> | null = null;

/**
 * The page's one `MirairoId`, created once (React may run an effect twice), which first
 * finishes the login when this page is the redirect URI coming back from Mirairo ID.
 */
export function mirairoSession(config: MirairoConfig): Promise<MirairoId> {
  // `profile` asks for the name too, to greet the holder; leave it out if you need no name.
  session ??= MirairoId.create({ ...config, profile: true }).then(async (client) => {
    if (MirairoId.isCallback()) await client.handleRedirectCallback();
    return client;
  });
  return session;
}

/**
 * Renders the component once more after it mounts. React 19 sets custom-element
 * properties and `on…` event props when it creates an element and when it updates one,
 * but not when it hydrates one from server-rendered HTML (react#35446), so in Next.js
 * the listeners would be missing until something re-rendered. Harmless without SSR.
 */
function useRenderAfterHydration(): void {
  const [, rerender] = useState(false);
  useEffect(() => rerender(true), []);
}

export interface SignedIn {
  client: MirairoId;
  claims: IdTokenClaims | null;
  certificate: VerifiedCertificate | null;
}

/**
 * `<mirairo-login-button>` as a React element until the user has logged in, then what
 * the login showed. `children` adds to the signed-in view (e.g. a check by your server).
 */
export function MirairoLogin({ config, children }: { config: MirairoConfig; children?: (s: SignedIn) => ReactNode }) {
  const { lang } = config;
  const [client, setClient] = useState<MirairoId | null>(null);
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useRenderAfterHydration();

  useEffect(() => {
    let live = true;
    mirairoSession(config).then(
      (c) => {
        if (!live) return;
        setClient(c);
        if (c.isAuthenticated()) setSignedIn({ client: c, claims: c.idTokenClaims(), certificate: c.certificate() });
      },
      (e: unknown) => live && setError(e instanceof MirairoIdError ? e.code : "network"),
    );
    return () => {
      live = false;
    };
  }, [config]);

  // Back from Mirairo ID: move focus to what changed, for keyboard and screen-reader users.
  useEffect(() => heading.current?.focus(), [signedIn]);

  const failure = error && (
    <p className="error" role="alert">
      {words.failed[lang]} ({error})
    </p>
  );
  if (!signedIn) {
    return (
      <section aria-labelledby="mirairo-login-h">
        <h2 id="mirairo-login-h">{words.login[lang]}</h2>
        <p>{words.lead[lang]}</p>
        {/* Drawn at once; `client` is set as a property when the SDK is ready. */}
        <mirairo-login-button client={client} lang={lang} onmirairo-error={(e) => setError(e.detail.code)} />
        {failure}
      </section>
    );
  }
  const { claims, certificate: c } = signedIn;
  const rows: Array<[string, string]> = [];
  if (claims?.name) rows.push([words.name[lang], claims.name]);
  if (c?.certificateType) rows.push([words.type[lang], certificateTypes[c.certificateType][lang]]);
  if (c?.fareClass !== undefined) rows.push([words.fareClass[lang], c.fareClass === null ? "—" : lang === "ja" ? `第${c.fareClass}種` : `Class ${c.fareClass}`]);
  if (c?.caregiver !== undefined) rows.push([words.caregiver[lang], c.caregiver ? words.yes[lang] : words.no[lang]]);
  if (c?.validUntil !== undefined) rows.push([words.validUntil[lang], c.validUntil ?? words.noExpiry[lang]]);
  return (
    <section aria-labelledby="mirairo-signed-in-h">
      <h2 id="mirairo-signed-in-h" tabIndex={-1} ref={heading}>
        {words.welcome[lang]}
      </h2>
      <dl className="certificate">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {children?.(signedIn)}
      {failure}
    </section>
  );
}

/** `<mirairo-places>` with its events as React props, the chosen place kept in state. */
export function MirairoPlaces({ issuer, lang }: { issuer: string; lang: Lang }) {
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useRenderAfterHydration();
  return (
    <>
      <mirairo-places
        api={issuer}
        lang={lang}
        onmirairo-place-select={(e) => setSelected(e.detail.id)}
        onmirairo-error={(e) => setError(e.detail.code)}
      />
      <p className="selected" role="status">
        {selected && `${words.selected[lang]}: ${selected}`}
      </p>
      {error && (
        <p className="error" role="alert">
          {words.widgetFailed[lang]} ({error})
        </p>
      )}
    </>
  );
}
