// Where the provider and this app are: read at request time (the page and the route
// handlers are dynamic), so one build runs against any provider.
export function settings() {
  const appUrl = process.env.MIRAIRO_APP_URL ?? "http://127.0.0.1:3000";
  return {
    issuer: process.env.MIRAIRO_ISSUER ?? "http://127.0.0.1:8080",
    appUrl,
    /** This partner's identifier, expected as the KB-JWT's `aud`. */
    audience: process.env.MIRAIRO_AUDIENCE ?? appUrl,
  };
}
