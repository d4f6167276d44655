// Imports both installed packages by name (through the page's import map), as a
// no-build partner page does.
import { ready, VERSION } from "@mirairo-id/sdk";
import "@mirairo-id/widget";

await ready();
const status = document.getElementById("status");
status.dataset.sdkVersion = VERSION;
status.dataset.places = String(customElements.get("mirairo-places") !== undefined);
status.dataset.coupons = String(customElements.get("mirairo-coupons") !== undefined);
status.textContent = "loaded";
