import { defineConfig } from "vite";

// Served by the sandbox at /examples/vite-ts/dist/, the redirect URI registered for the
// client `example-vite-ts`. No plugin: the SDK's wasm is found through
// `new URL(…, import.meta.url)`, which Vite understands.
export default defineConfig({
  base: "/examples/vite-ts/dist/",
  build: { target: "es2022" },
});
