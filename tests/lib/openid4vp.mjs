// Independent OpenID4VP 1.0 implementations from npm, for interop tests: the
// OpenWallet Foundation's @openid4vc/openid4vp (oid4vc-ts) and its DCQL library `dcql`.
// Re-exported from here so that tests run from target/package-test (where only the
// packed SDK is installed) resolve them from tests/node_modules.
export * from "@openid4vc/openid4vp";
export { DcqlQuery, DcqlPresentation } from "dcql";
