// The QR encoder of <mirairo-presentation-qr>, loaded with import() the first time such
// an element has a URL to draw, so pages that never use the element download nothing of
// it. `cargo xtask build` bundles this file with the `lean-qr` library (ISO 18004, pinned
// in tests/package.json) into one chunk; see docs/contract-notes.md for why this library.
import { generate, correction } from "lean-qr";

/**
 * The modules of `text` as a QR code with error correction M or better (lean-qr raises
 * the level when the chosen version has room): `{ size, dark: Uint8Array }`, row by row.
 * Throws when the text does not fit in a QR code.
 */
export function qrModules(text) {
  const code = generate(text, { minCorrectionLevel: correction.M });
  const dark = new Uint8Array(code.size * code.size);
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) dark[y * code.size + x] = code.get(x, y) ? 1 : 0;
  }
  return { size: code.size, dark };
}
