// Demo page for @mirairo-id/widget, served by the sandbox (www/ at /, the npm
// packages at /pkg/). The provider is this page's own origin.

const places = document.getElementById("places");
const coupons = document.getElementById("coupons");
const params = new URLSearchParams(location.search);
const api = params.get("api") ?? location.origin;
for (const el of [places, coupons]) el.setAttribute("api", api);

const form = document.getElementById("settings");
function apply() {
  const lang = form.elements.lang.value;
  document.documentElement.lang = lang;
  for (const el of [places, coupons]) el.setAttribute("lang", lang);
  coupons.setAttribute("calendar", form.elements.calendar.value);
}
// ?lang=en&calendar=japanese preselect the settings (used by the tests and links).
if (params.get("lang") === "en") form.elements.lang.value = "en";
if (params.get("calendar") === "japanese") form.elements.calendar.value = "japanese";
apply();
form.addEventListener("change", apply);

const log = document.getElementById("log");
for (const type of ["mirairo-place-select", "mirairo-coupon-select", "mirairo-error"]) {
  document.addEventListener(type, (e) => {
    const li = document.createElement("li");
    li.textContent = `${type} ${JSON.stringify(e.detail)}`;
    log.prepend(li);
  });
}

// Attributes are set first, so each element starts loading from the right provider.
await import("/pkg/widget/index.js");
