import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Served by the sandbox at /examples/react/dist/, the redirect URI registered for the
// client `example-react`. No plugin for the SDK or the widget: their wasm is found
// through `new URL(…, import.meta.url)`, which Vite understands.
export default defineConfig({
  base: "/examples/react/dist/",
  plugins: [react()],
  build: { target: "es2022" },
});
