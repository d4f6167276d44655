// Imports the widget on a page that has no element yet (lazy.html).
import "@mirairo-id/widget";

document.getElementById("status").textContent = "imported";
