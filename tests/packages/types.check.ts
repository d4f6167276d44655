// Type-checked with `tsc` against the installed package: the public TypeScript surface
// must compile as partners use it, and misuse must not (each @ts-expect-error below
// fails the build if the line ever type-checks, i.e. if the types drift loose).
import {
  ready,
  VERSION,
  Verifier,
  MirairoIdError,
  fareDiscount,
  type MirairoIdErrorCode,
  type VerificationErrorCode,
  type VerifiedCertificate,
  type PresentedCertificate,
  type VerifyOptions,
  type IdTokenClaims,
  type Trip,
  type FareRates,
  type FareResult,
  type Ticket,
  PresentationRequest,
  MirairoPresentationQr,
  type PresentationErrorCode,
  type PresentationRequestOptions,
  type StoredPresentationRequest,
} from "@mirairo-id/sdk";

export async function partnerServer(credential: string, idToken: string): Promise<number> {
  const version: string = VERSION;
  const loaded: Promise<void> = ready();
  await loaded;

  const jwks = { keys: [{ kty: "EC", crv: "P-256", x: "…", y: "…", kid: "k1" }] };
  const direct = new Verifier({ issuer: "http://127.0.0.1:8080", jwks, vct: "urn:mirairo-id:disability-certificate:1", leewaySeconds: 60 });
  const fromText = new Verifier({ issuer: "http://127.0.0.1:8080", jwks: JSON.stringify(jwks) });
  const fetched: Verifier = await Verifier.fromIssuer("http://127.0.0.1:8080", { leewaySeconds: 30 });
  void fromText;

  const options: VerifyOptions = {
    now: 1_764_200_000,
    audience: "https://rail.example",
    nonce: "n",
    requireKeyBinding: true,
    maxKeyBindingAgeSeconds: 300,
    requiredClaims: ["fare_class", "valid_until"],
    statusList: "eyJ…",
    requireStatus: true,
  };
  const cert: VerifiedCertificate = direct.verify(credential, options);
  const online: Promise<VerifiedCertificate> = fetched.verifyOnline(credential);
  void online;

  const issuer: string = cert.issuer;
  const times: number = cert.issuedAt + cert.expiresAt;
  const bound: boolean = cert.keyBound;
  const thumb: string = cert.holderKeyThumbprint;
  const disclosed: string[] = cert.disclosed;
  const type: "physical" | "mental" | "intellectual" | undefined = cert.certificateType;
  const fareClass: 1 | 2 | null | undefined = cert.fareClass;
  const validUntil: string | null | undefined = cert.validUntil;
  const renewedOn: string | null | undefined = cert.renewedOn;
  const mynaportal: "unlinked" | "pending" | "linked" | undefined = cert.mynaportal;
  const names: (string | undefined)[] = [cert.familyName, cert.givenName, cert.familyNameKana, cert.givenNameKana, cert.birthdate, cert.grade, cert.issuerPrefecture, cert.certificateNumber, cert.issuedOn];
  const caregiver: boolean | undefined = cert.caregiver;
  void [issuer, times, bound, thumb, disclosed, type, fareClass, validUntil, renewedOn, mynaportal, names, caregiver, version];

  const claims: IdTokenClaims = direct.verifyIdToken(idToken, { audience: "demo-railway", nonce: "n", now: 1 });
  const aud: string | string[] = claims.aud;
  const wire: [string, string, number, number, number | undefined, string | undefined, string | undefined] = [claims.iss, claims.sub, claims.exp, claims.iat, claims.auth_time, claims.name, claims.name_kana];
  void [aud, wire];

  try {
    direct.verify(credential);
  } catch (e) {
    if (e instanceof MirairoIdError) {
      const code: MirairoIdErrorCode = e.code;
      const reason: string | undefined = e.reason;
      const providerError: string | undefined = e.providerError;
      const message: string = e.message;
      if (e.code === "revoked" || e.code === "bad_id_token" || e.code === "popup_blocked") void code;
      // @ts-expect-error: not a code of API.md / PROTOCOL.md §4
      if (e.code === "revokedd") void 0;
      void [reason, providerError, message];
    }
  }
  const made: Error = new MirairoIdError("network", "offline", { cause: new Error("x") });
  const verification: VerificationErrorCode = "certificate_expired";
  // @ts-expect-error: a login code is not a verification code
  const notVerification: VerificationErrorCode = "popup_closed";
  void [made, verification, notVerification];

  const ticket: Ticket = "limited_express";
  const trip: Trip = { fare: 1234, ticket, oneWayKm: 120.5, withCompanion: true, holderAge: 10, travelDate: "2026-11-27" };
  const rates: FareRates = { commuterDiscountPercent: 30 };
  const result: FareResult = fareDiscount(cert, trip, rates);
  const plain: FareResult = fareDiscount(cert, { fare: 100, ticket: "regular" });
  const holderFare: number = result.holderFare;
  const companionFare: number | null = result.companionFare;
  const rule: string = result.rule;
  const explanation: { ja: string; en: string } = result.explanation;
  const eligible: boolean = plain.eligible;
  // @ts-expect-error: not a ticket kind
  fareDiscount(cert, { fare: 100, ticket: "rocket" });
  // @ts-expect-error: verify needs a credential string
  direct.verify(42);
  // @ts-expect-error: verifyIdToken needs { audience }
  direct.verifyIdToken(idToken, {});
  // @ts-expect-error: fareClass is 1, 2 or null
  const badClass: VerifiedCertificate["fareClass"] = 3;
  void badClass;
  return holderFare + (companionFare ?? 0) + rule.length + explanation.ja.length + Number(eligible);
}

// Counter presentation (PROTOCOL.md §7): a partner server and a counter page.
export async function counter(verifier: Verifier, body: string, stored: StoredPresentationRequest): Promise<string> {
  const options: PresentationRequestOptions = { responseUri: "https://rail.example/r", claims: ["fare_class"], clientName: "みらい鉄道", expiresInSeconds: 300 };
  const request: PresentationRequest = PresentationRequest.create(options);
  const url: string = request.url;
  const fields: [string, string, string, number, readonly string[], string | undefined] = [request.clientId, request.state, request.nonce, request.expiresAt, request.claims, request.clientName];
  const saved: StoredPresentationRequest = request.toJSON();
  const back: PresentationRequest = PresentationRequest.fromJSON(saved);
  const fromText: PresentationRequest = PresentationRequest.fromJSON(JSON.stringify(stored));
  const state: string = PresentationRequest.stateOf(new URLSearchParams(body));
  const cert: PresentedCertificate = await verifier.verifyPresentationResponse(body, back, { now: 1 });
  const counterFare: FareResult = fareDiscount(cert, { fare: 1000, ticket: "regular", withCompanion: false });
  // @ts-expect-error: a counter presentation keeps no holder key thumbprint
  cert.holderKeyThumbprint;
  await verifier.verifyPresentationResponse({ state, error: "access_denied" }, stored);
  await verifier.verifyPresentationResponse(new URLSearchParams(body), fromText);
  const code: PresentationErrorCode = "request_expired";
  const any: MirairoIdErrorCode = code;
  // @ts-expect-error: the constructor is private (create or fromJSON)
  new PresentationRequest();
  // @ts-expect-error: claims are wire names in an array
  PresentationRequest.create({ responseUri: "https://rail.example/r", claims: "fare_class" });
  // @ts-expect-error: only { now } is an option
  await verifier.verifyPresentationResponse(body, back, { statusList: "x" });
  const qr: MirairoPresentationQr = document.createElement("mirairo-presentation-qr");
  qr.setAttribute("url", url);
  qr.addEventListener("mirairo-error", (e) => {
    const failure: MirairoIdError = e.detail;
    void failure;
  });
  void [fields, cert, any];
  return url;
}

// @mirairo-id/widget: ready() starts loading the wasm before any element connects.
import { ready as widgetReady } from "@mirairo-id/widget";
export async function preloadWidget(): Promise<void> {
  const loaded: Promise<void> = widgetReady();
  await loaded;
  // @ts-expect-error ready() takes no options
  void widgetReady({ eager: true });
}
