// @ts-check
/** @type {import("next").NextConfig} */
const nextConfig = {
  // The route handlers and the server render load @mirairo-id/sdk with Node's own
  // `import` (its "node" export condition reads the wasm from node_modules) instead of
  // bundling it, which would need the wasm copied next to the server chunks.
  serverExternalPackages: ["@mirairo-id/sdk"],
  // Nothing reaches another host while building or serving: no next/font (globals.css
  // uses the system fonts), no telemetry (run with NEXT_TELEMETRY_DISABLED=1).
  poweredByHeader: false,
  async redirects() {
    return [{ source: "/", destination: "/ja", permanent: false }];
  },
};

export default nextConfig;
