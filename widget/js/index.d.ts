// Types for @mirairo-id/widget. `import "@mirairo-id/widget"` defines the elements.

/** `detail` of `mirairo-place-select`. */
export interface MirairoPlaceSelectDetail {
  /** The place id (`items[].id` of the places endpoint). */
  id: string;
}

/** `detail` of `mirairo-coupon-select`. */
export interface MirairoCouponSelectDetail {
  /** The coupon id (`items[].id` of the coupons endpoint). */
  id: string;
}

/** Why loading failed (no saved copy could be shown instead). */
export type MirairoWidgetErrorCode =
  | "network"
  | "timeout"
  | "provider_error"
  | "bad_response"
  | "invalid_config";

/** `detail` of `mirairo-error`. */
export interface MirairoErrorDetail {
  code: MirairoWidgetErrorCode;
}

/**
 * Events both elements dispatch (they bubble and cross shadow roots). `mirairo-error` is
 * typed per element, not in the global `HTMLElementEventMap`, because the SDK's login
 * button dispatches an event of the same name with a `MirairoIdError` as detail.
 */
export interface MirairoWidgetEventMap extends Omit<HTMLElementEventMap, "mirairo-error"> {
  "mirairo-error": CustomEvent<MirairoErrorDetail>;
}

/** `<mirairo-places api lang prefecture category>` */
export interface MirairoPlacesElement extends HTMLElement {
  addEventListener<K extends keyof MirairoPlacesEventMap>(
    type: K,
    listener: (this: MirairoPlacesElement, ev: MirairoPlacesEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

export interface MirairoPlacesEventMap extends MirairoWidgetEventMap {
  "mirairo-place-select": CustomEvent<MirairoPlaceSelectDetail>;
}

/** `<mirairo-coupons api lang prefecture category calendar>` */
export interface MirairoCouponsElement extends HTMLElement {
  addEventListener<K extends keyof MirairoCouponsEventMap>(
    type: K,
    listener: (this: MirairoCouponsElement, ev: MirairoCouponsEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

export interface MirairoCouponsEventMap extends MirairoWidgetEventMap {
  "mirairo-coupon-select": CustomEvent<MirairoCouponSelectDetail>;
}

declare global {
  interface HTMLElementTagNameMap {
    "mirairo-places": MirairoPlacesElement;
    "mirairo-coupons": MirairoCouponsElement;
  }
  interface HTMLElementEventMap {
    "mirairo-place-select": CustomEvent<MirairoPlaceSelectDetail>;
    "mirairo-coupon-select": CustomEvent<MirairoCouponSelectDetail>;
  }
}

/**
 * Fetches and instantiates the widget's wasm once (elements do it when the first one
 * connects; call this to start earlier). On a server it is never needed: importing the
 * package there defines nothing and fetches nothing.
 */
export function ready(): Promise<void>;
