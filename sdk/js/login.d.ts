// Login with Mirairo ID: MirairoId, <mirairo-login-button> (API.md "Login").
// Re-exported from index.d.ts.
import type { IdTokenClaims, MirairoIdError, VerifiedCertificate } from "./index.js";

export interface MirairoIdOptions {
  issuer: string;
  clientId: string;
  /** Must be on the page's origin. */
  redirectUri: string;
  /** Default ["certificate_type","fare_class","caregiver","valid_until"]; [] asks for no certificate. */
  certificateClaims?: string[];
  /** Ask for the name too. */
  profile?: boolean;
  /** Default "ja". */
  lang?: "ja" | "en";
}

export interface LoginResult {
  idToken: IdTokenClaims;
  certificate: VerifiedCertificate | null;
  appState?: unknown;
}

/** The userinfo endpoint's answer: `sub`, and with `profile` the name (wire names). */
export interface UserInfo {
  sub: string;
  name?: string;
  name_kana?: string;
  [claim: string]: unknown;
}

export interface ButtonOptions {
  theme?: "filled" | "outline";
  size?: "small" | "medium" | "large";
  lang?: "ja" | "en";
  mode?: "redirect" | "popup";
}

export type MirairoIdEvent = "login" | "logout" | "refresh" | "error";

export class MirairoId {
  private constructor();
  /** @throws {MirairoIdError} `invalid_config` for bad options (only here, never later). */
  static create(opts: MirairoIdOptions): Promise<MirairoId>;
  /** True when `url` (default: the current address) is an authorization response. */
  static isCallback(url?: string): boolean;
  readonly lang: "ja" | "en";
  loginWithRedirect(opts?: { appState?: unknown; certificateClaims?: string[] }): Promise<void>;
  /** @throws {MirairoIdError} `popup_blocked`, `popup_closed`, `timeout`, and the login codes. */
  loginWithPopup(opts?: { certificateClaims?: string[]; timeoutSeconds?: number }): Promise<LoginResult>;
  handleRedirectCallback(url?: string): Promise<LoginResult>;
  isAuthenticated(): boolean;
  certificate(): VerifiedCertificate | null;
  idTokenClaims(): IdTokenClaims | null;
  present(opts: { audience: string; nonce: string; disclose?: string[] }): Promise<string>;
  /**
   * Exchanges the refresh token (single-flight: concurrent calls share one request) for new
   * tokens and a fresh credential.
   */
  refresh(): Promise<LoginResult>;
  /**
   * The provider's userinfo answer (PROTOCOL §2.5), `sub` checked against the ID token's.
   * Retries once with a DPoP nonce the provider demands, refreshes once on `invalid_token`.
   * @throws {MirairoIdError} `not_authenticated`; `provider_error` with `providerError`
   * `invalid_dpop_proof`, `invalid_token` or `use_dpop_nonce`; `bad_id_token` (`wrong_subject`).
   */
  userinfo(): Promise<UserInfo>;
  logout(opts?: { returnTo?: string }): Promise<void>;
  on(event: "login" | "refresh", listener: (detail: LoginResult) => void): () => void;
  on(event: "error", listener: (detail: MirairoIdError) => void): () => void;
  on(event: MirairoIdEvent, listener: (detail: unknown) => void): () => void;
  renderButton(target: Element, opts?: ButtonOptions): MirairoLoginButton;
}

/** `<mirairo-login-button issuer client-id redirect-uri lang theme size mode>`. */
export class MirairoLoginButton extends HTMLElement {
  client: MirairoId | null;
  addEventListener<K extends keyof MirairoLoginButtonEventMap>(
    type: K,
    listener: (this: MirairoLoginButton, ev: MirairoLoginButtonEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/**
 * Events of `<mirairo-login-button>`. `mirairo-error` is typed per element, not in the
 * global `HTMLElementEventMap`, because `@mirairo-id/widget`'s elements dispatch an
 * event of the same name with `{ code }` as detail.
 */
export interface MirairoLoginButtonEventMap extends Omit<HTMLElementEventMap, "mirairo-error"> {
  "mirairo-login": CustomEvent<LoginResult>;
  "mirairo-error": CustomEvent<MirairoIdError>;
}

declare global {
  interface HTMLElementTagNameMap {
    "mirairo-login-button": MirairoLoginButton;
  }
  interface HTMLElementEventMap {
    "mirairo-login": CustomEvent<LoginResult>;
  }
}
