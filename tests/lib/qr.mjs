// An independent QR decoder (jsQR) for browser tests: `decodeQrInPage(page, selector)`
// renders the element's SVG to a canvas in the page and decodes it there, so a test
// checks what a phone's camera would read, not what the encoder meant to draw.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const jsqrSource = readFileSync(require.resolve("jsqr/dist/jsQR.js"), "utf8");

/**
 * Decodes the QR code drawn by the `<svg>` in the open shadow root of the element
 * matching `selector`, at `scale` CSS pixels per SVG unit. Returns the text, or null.
 */
export async function decodeQrInPage(page, selector, scale = 4) {
  if (!(await page.evaluate(() => typeof window.jsQR === "function"))) await page.evaluate(jsqrSource);
  return page.evaluate(
    async ({ selector, scale }) => {
      const svg = document.querySelector(selector).shadowRoot.querySelector("svg");
      const [, , w, h] = svg.getAttribute("viewBox").split(" ").map(Number);
      const copy = svg.cloneNode(true);
      copy.setAttribute("width", String(w * scale));
      copy.setAttribute("height", String(h * scale));
      const blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
      const url = URL.createObjectURL(blob);
      try {
        const img = new Image();
        img.src = url;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = w * scale;
        canvas.height = h * scale;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0);
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        return window.jsQR(data, canvas.width, canvas.height)?.data ?? null;
      } finally {
        URL.revokeObjectURL(url);
      }
    },
    { selector, scale },
  );
}
