// Counter presentation (PROTOCOL.md §7, API.md "Counter presentation").
import type { MirairoIdError } from "./index.js";

/** `PresentationRequest.create` options. */
export interface PresentationRequestOptions {
  /** The verifier's `direct_post` endpoint: `https`, or `http` on a loopback host. */
  responseUri: string;
  /** §3 wire names to disclose, e.g. `["fare_class", "valid_until"]` (at least one, no repeats). */
  claims: string[];
  /** Shown by a wallet that does not know the response URI's origin (1–100 characters). */
  clientName?: string;
  /** 30–3600; default 300. */
  expiresInSeconds?: number;
}

/** What a verifier stores (`toJSON()`), read back by `PresentationRequest.fromJSON`. */
export interface StoredPresentationRequest {
  response_uri: string;
  claims: string[];
  client_name?: string;
  state: string;
  nonce: string;
  expires_at: number;
}

/** An OpenID4VP 1.0 request for the counter's QR code (PROTOCOL.md §7.1). */
export class PresentationRequest {
  private constructor();
  /** @throws {MirairoIdError} `invalid_config` for bad options. */
  static create(opts: PresentationRequestOptions): PresentationRequest;
  /** @throws {MirairoIdError} `invalid_config` for anything but what `toJSON()` returned. */
  static fromJSON(json: StoredPresentationRequest | string): PresentationRequest;
  /**
   * The `state` of a `direct_post` body, to look the stored request up.
   * @throws {MirairoIdError} `invalid_request` when the body is not a response.
   */
  static stateOf(body: string | URLSearchParams | Record<string, string>): string;
  /** The `openid4vp://` URL for the QR code. */
  readonly url: string;
  /** `"redirect_uri:"` + `responseUri`. */
  readonly clientId: string;
  readonly responseUri: string;
  readonly claims: readonly string[];
  readonly clientName: string | undefined;
  readonly state: string;
  readonly nonce: string;
  /** Unix seconds. */
  readonly expiresAt: number;
  toJSON(): StoredPresentationRequest;
}

/**
 * `<mirairo-presentation-qr url="openid4vp://…" lang="ja">`: the request as a QR code
 * (SVG), its text alternative and an "open in the Mirairo ID app" link.
 */
export class MirairoPresentationQr extends HTMLElement {
  addEventListener<K extends keyof MirairoPresentationQrEventMap>(
    type: K,
    listener: (this: MirairoPresentationQr, ev: MirairoPresentationQrEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/** Events of `<mirairo-presentation-qr>` (typed per element, as the login button's). */
export interface MirairoPresentationQrEventMap extends Omit<HTMLElementEventMap, "mirairo-error"> {
  "mirairo-error": CustomEvent<MirairoIdError>;
}

declare global {
  interface HTMLElementTagNameMap {
    "mirairo-presentation-qr": MirairoPresentationQr;
  }
}
