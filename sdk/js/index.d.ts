// The TypeScript surface of @mirairo-id/sdk (API.md). tests/packages checks it against
// the built package: every runtime export is declared here and every value declared here
// is exported (golden check), and types.check.ts must compile.

/** The SDK version, equal to the npm package version. */
export const VERSION: string;

/**
 * Fetches and instantiates the WebAssembly module once; later calls return at once.
 * In browsers it also loads the small ES256 module (ECDSA and zlib inflate) that the
 * synchronous `Verifier.verify` and `Verifier.verifyIdToken` need: `await ready()`
 * before them. The login (`MirairoId.create`, the button), `Verifier.fromIssuer`,
 * `verifyOnline` and `verifyPresentationResponse` never need you to call it (they check
 * signatures with WebCrypto and load the core themselves; `verifyOnline` given a
 * `statusList` of your own loads the module too). On Node everything is loaded while
 * the package is imported.
 */
export function ready(): Promise<void>;

// ---------------------------------------------------------------------------- errors

/** The verification codes of PROTOCOL.md §4, in the order the checks run. */
export type VerificationErrorCode =
  | "malformed"
  | "unsupported_algorithm"
  | "wrong_type"
  | "unknown_key"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_credential_type"
  | "expired"
  | "not_yet_valid"
  | "bad_disclosure"
  | "key_binding_required"
  | "bad_key_binding"
  | "missing_claim"
  | "revoked"
  | "suspended"
  | "status_unavailable"
  | "certificate_expired";

/** The login codes of API.md. */
export type LoginErrorCode =
  | "state_mismatch"
  | "issuer_mismatch"
  | "provider_error"
  | "bad_id_token"
  | "popup_blocked"
  | "popup_closed"
  | "network"
  | "timeout"
  | "not_authenticated"
  | "invalid_config";

/**
 * The codes of a counter presentation response (PROTOCOL.md §7.2) before §4's, and of a
 * request a wallet refuses (`invalid_request` with a `reason`).
 */
export type PresentationErrorCode =
  | "invalid_request"
  | "request_not_found"
  | "request_expired"
  | "access_denied"
  | "wallet_error";

/** Every `MirairoIdError.code`. */
export type MirairoIdErrorCode = VerificationErrorCode | LoginErrorCode | PresentationErrorCode;

/** Every failure of the SDK: thrown, or the rejection of a promise. */
export class MirairoIdError extends Error {
  constructor(
    code: MirairoIdErrorCode,
    message?: string,
    details?: { reason?: string; providerError?: string; cause?: unknown },
  );
  readonly name: "MirairoIdError";
  /** A stable code: branch on this, not on the message. */
  readonly code: MirairoIdErrorCode;
  /**
   * For `bad_id_token`: the failed check (`malformed`, `unsupported_algorithm`,
   * `wrong_type`, `unknown_key`, `bad_signature`, `missing_claim`, `wrong_issuer`,
   * `wrong_audience`, `expired`, `not_yet_valid`, `nonce_mismatch`, …).
   */
  readonly reason?: string;
  /** For `provider_error`: the OAuth `error` the provider answered (e.g. `access_denied`). */
  readonly providerError?: string;
}

// -------------------------------------------------------------------------- verifier

/** Per-call options of `Verifier.verify` and `Verifier.verifyOnline`. */
export interface VerifyOptions {
  /** Unix seconds; default: the current time. */
  now?: number;
  /** Expected KB-JWT `aud`. */
  audience?: string;
  /** Expected KB-JWT `nonce`. */
  nonce?: string;
  /** Fail with `key_binding_required` when there is no KB-JWT; default false. */
  requireKeyBinding?: boolean;
  /** Maximum KB-JWT age; default 300. */
  maxKeyBindingAgeSeconds?: number;
  /** Wire names that must have been disclosed, e.g. `["fare_class", "valid_until"]`. */
  requiredClaims?: string[];
  /** A status list JWT the caller already has. */
  statusList?: string;
  /** Fail with `status_unavailable` unless a verified status list says valid; default
   * false for `verify`, true for `verifyOnline`. */
  requireStatus?: boolean;
}

/** A verified certificate credential. A claim that was not disclosed is absent. */
export interface VerifiedCertificate {
  issuer: string;
  /** `iat`, Unix seconds. */
  issuedAt: number;
  /** `exp`, Unix seconds. */
  expiresAt: number;
  /** True only when a KB-JWT was present and passed every check. */
  keyBound: boolean;
  /** RFC 7638 thumbprint of `cnf.jwk`. */
  holderKeyThumbprint: string;
  /** Wire names of the disclosed claims, in disclosure order. */
  disclosed: string[];
  certificateType?: "physical" | "mental" | "intellectual";
  grade?: string;
  fareClass?: 1 | 2 | null;
  caregiver?: boolean;
  issuerPrefecture?: string;
  certificateNumber?: string;
  /** `YYYY-MM-DD`. */
  issuedOn?: string;
  renewedOn?: string | null;
  validUntil?: string | null;
  familyName?: string;
  givenName?: string;
  familyNameKana?: string;
  givenNameKana?: string;
  birthdate?: string;
  mynaportal?: "unlinked" | "pending" | "linked";
}

/**
 * The result of `Verifier.verifyPresentationResponse`: only the requested claims, and no
 * `holderKeyThumbprint` (a persistent identifier of the holder no counter asks for).
 */
export type PresentedCertificate = Omit<VerifiedCertificate, "holderKeyThumbprint">;

/** The claims of a verified ID token, with their wire names. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  azp?: string;
  name?: string;
  name_kana?: string;
}

/** Verifies certificate credentials and ID tokens against one issuer. */
export class Verifier {
  /**
   * @throws {MirairoIdError} `invalid_config` when `jwks` is not a JWK Set or `issuer`
   * is not an http(s) URL.
   */
  constructor(opts: { issuer: string; jwks: object | string; vct?: string; leewaySeconds?: number });
  /** Fetches the issuer's metadata (checking its `issuer`) and JWK Set. */
  static fromIssuer(issuer: string, opts?: { vct?: string; leewaySeconds?: number }): Promise<Verifier>;
  /**
   * Every check of PROTOCOL.md §4, synchronously. In browsers `await ready()` first
   * (it loads the ES256 module); before that this throws `invalid_config`.
   * `verifyOnline` never needs you to call it.
   */
  verify(credential: string, opts?: VerifyOptions): VerifiedCertificate;
  /** `verify` with the status list fetched and cached, and one JWK Set refetch for an unknown `kid`. */
  verifyOnline(credential: string, opts?: VerifyOptions): Promise<VerifiedCertificate>;
  /**
   * PROTOCOL.md §2.4; failures are `bad_id_token` with a `reason`. Synchronous: in
   * browsers `await ready()` first, else `invalid_config`.
   */
  verifyIdToken(idToken: string, opts: { audience: string; nonce?: string; now?: number }): IdTokenClaims;
  /**
   * A counter presentation response (PROTOCOL.md §7.2): the `direct_post` form posted to
   * `request.responseUri`, checked against the request (or what its `toJSON()` returned).
   * The result holds only the requested claims, and no `holderKeyThumbprint`.
   * @throws {MirairoIdError} `invalid_request`, `request_not_found`, `request_expired`,
   * `access_denied` (the holder declined), `wallet_error`, or a §4 code.
   */
  verifyPresentationResponse(
    body: string | URLSearchParams | Record<string, string>,
    request: PresentationRequest | StoredPresentationRequest,
    opts?: { now?: number },
  ): Promise<PresentedCertificate>;
}

// ------------------------------------------------------------------------ fare rules

/** The kind of ticket. */
export type Ticket = "regular" | "coupon" | "ordinary_express" | "commuter" | "limited_express" | "green";

/** One purchase to price. */
export interface Trip {
  /** Full adult fare in yen (an integer, at most 10,000,000). */
  fare: number;
  ticket: Ticket;
  /** One-way 営業キロ. */
  oneWayKm?: number;
  withCompanion?: boolean;
  holderAge?: number;
  /** `YYYY-MM-DD` in Japan; default today in Japan. */
  travelDate?: string;
}

/** An operator's own rates; every member defaults to JR's. */
export interface FareRates {
  /** Percent off regular, coupon and ordinary express tickets (JR: 50). */
  discountPercent?: number;
  /** Percent off commuter passes (JR: 50; some buses: 30). */
  commuterDiscountPercent?: number;
  /** A trip must exceed this one-way distance for the holder-alone discount (JR: 100). */
  longDistanceKm?: number;
  /** Holders younger than this pay child fares (JR: 12). */
  childAgeLimit?: number;
  /** Fares are rounded down to a multiple of this (JR: 10). */
  roundingYen?: number;
}

/** The stable ids of the fare rules. */
export type FareRule =
  | "class1_with_companion"
  | "class1_commuter_with_companion"
  | "class1_child_commuter_with_companion"
  | "class2_child_commuter_with_companion"
  | "long_distance_alone"
  | "class2_long_distance_with_companion"
  | "not_verified"
  | "fare_class_not_disclosed"
  | "no_fare_class"
  | "validity_not_disclosed"
  | "certificate_expired"
  | "charge_not_discounted"
  | "commuter_without_companion"
  | "class2_commuter_not_eligible"
  | "class1_alone_short_distance"
  | "class2_short_distance"
  | "distance_unknown"
  | "class1_alone_ticket_not_discounted"
  | "class2_ticket_not_discounted";

/** What the holder and companion pay, and why. */
export interface FareResult {
  eligible: boolean;
  holderFare: number;
  /** null when no companion travels. */
  companionFare: number | null;
  /** A stable id, e.g. "class1_with_companion". */
  rule: FareRule | (string & {});
  /** The decision in words a clerk can read to the customer. */
  explanation: { ja: string; en: string };
}

/**
 * Prices a trip under the 旅客運賃減額 rules (PROTOCOL.md §6).
 * @throws {MirairoIdError} `malformed` for a trip out of range, `invalid_config` for rates.
 */
export function fareDiscount(certificate: VerifiedCertificate | PresentedCertificate, trip: Trip, rates?: FareRates): FareResult;

// ---- Counter presentation (declarations in presentation.d.ts) ----
import type { PresentationRequest, StoredPresentationRequest } from "./presentation.js";
export { PresentationRequest, MirairoPresentationQr, type PresentationRequestOptions, type StoredPresentationRequest } from "./presentation.js";

// ---- Login (owned by the login helper; declarations in login.d.ts) ----
export { MirairoId, MirairoLoginButton, type MirairoIdOptions, type LoginResult, type ButtonOptions, type MirairoIdEvent, type UserInfo } from "./login.js";
