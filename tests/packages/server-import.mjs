// Run as a child process by ssr.test.mjs: imports the entry given on the command line
// the way a server render does (Node, no DOM), with every way out to the network
// trapped. Prints one JSON line: what the import exported, the DOM globals it saw, and
// any network use or error.
import net from "node:net";
import { pathToFileURL } from "node:url";

const network = [];
globalThis.fetch = async (input) => {
  network.push(`fetch ${String(input?.url ?? input)}`);
  throw new TypeError("network is disabled in this test");
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  network.push(`socket ${JSON.stringify(args[0])}`);
  return connect.apply(this, args);
};

const DOM = ["window", "document", "customElements", "HTMLElement", "CSSStyleSheet", "location"];
const before = DOM.filter((name) => name in globalThis);
const [, , spec, call] = process.argv;
const result = { dom: before, network };
try {
  const mod = await import(spec.startsWith("/") ? pathToFileURL(spec).href : spec);
  result.exports = Object.keys(mod).sort();
  if (call === "ready") {
    // The SDK's Node entry: ready() has loaded its wasm from disk, fetching nothing.
    await mod.ready();
    result.ready = true;
  }
  // Let anything the import scheduled run before reporting.
  await new Promise((resolve) => setTimeout(resolve, 100));
  result.domAfter = DOM.filter((name) => name in globalThis);
} catch (e) {
  result.error = `${e?.name}: ${e?.message}`;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
