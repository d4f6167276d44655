// A no-build page that imports @mirairo-id/sdk by name and records the element's errors.
import "@mirairo-id/sdk";

window.qrErrors = [];
document.addEventListener("mirairo-error", (e) => window.qrErrors.push({ code: e.detail?.code, isError: e.detail instanceof Error }));
document.body.dataset.ready = "true";
