// The one error class of @mirairo-id/sdk. The wasm module throws instances of this very
// class (load.js registers it with wasm.setErrorClass), so `instanceof` always works.

/**
 * Every failure of the SDK: a thrown or rejected `MirairoIdError` with a stable `code`
 * (PROTOCOL.md §4 for verification; the login codes of API.md).
 */
export class MirairoIdError extends Error {
  /**
   * @param {string} code stable error code, e.g. "bad_signature"
   * @param {string} [message] a short description for logs
   * @param {{ reason?: string, providerError?: string, cause?: unknown }} [details]
   */
  constructor(code, message, details) {
    super(message || code, details && "cause" in details ? { cause: details.cause } : undefined);
    this.name = "MirairoIdError";
    this.code = code;
    if (details?.reason !== undefined) this.reason = details.reason;
    if (details?.providerError !== undefined) this.providerError = details.providerError;
  }
}
