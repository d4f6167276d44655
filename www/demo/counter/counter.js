// みらい鉄道's station window: the clerk chooses the trip, shows a presentation request
// as a QR code (<mirairo-presentation-qr> from @mirairo-id/sdk), and the outcome arrives
// on its own: the page polls the counter API (API.md "Counter presentation") by its
// secret request id until the status is final. The fare comes from the SDK's
// fareDiscount on the verified claims. No HTML is built from strings.
import { setupI18n, t, format } from "/assets/i18n.js";
import { $, setFieldError, focusHeading } from "/assets/dom.js";
import { dict as railDict, ticketNames, stations, stationName, fullFare, todayInJapan, yen, claimValue, claimLabels, fillTripSelects } from "/demo/railway.js";
import { counterWords, reason } from "/demo/counter/words.js";
import { ready, fareDiscount } from "/pkg/sdk/index.js";

const dict = { ...railDict, ...counterWords };
const POLL_MS = 1500;
const fields = ["from", "to", "ticket"];
/** An age under 12, for fareDiscount's child rule when the clerk ticks "child". */
const CHILD_AGE = 11;

let stationList = [];
/** The open request: `{ id, url, deadline (ms, this device's clock), trip, fare }`, or null. */
let current = null;
/** The final outcome shown: `{ status, certificate?, error?, trip, fare }`, or null. */
let shown = null;
let pollTimer = null;
let tickTimer = null;
let warnedOneMinute = false;

let lang = setupI18n(dict, (next) => {
  lang = next;
  fillSelects();
  $("qr").setAttribute("lang", lang);
  if (current) renderTripSummary(current);
  renderCountdown();
  if (shown) renderOutcome(shown);
  if ($("trip").dataset.validated) validate();
});

function fillSelects() {
  fillTripSelects({ from: $("from"), to: $("to"), ticket: $("ticket") }, stationList, lang);
}

/** The trip, or null with every field's error shown and summarised. */
function validate() {
  const v = Object.fromEntries(fields.map((f) => [f, $(f).value]));
  const errors = {};
  if (!v.from) errors.from = "errFrom";
  if (!v.to) errors.to = "errTo";
  else if (v.from && v.from === v.to) errors.to = "errSame";
  if (!v.ticket) errors.ticket = "errTicket";
  for (const f of fields) setFieldError(f, errors[f] ? t(dict, errors[f], lang) : "");
  const summary = $("error-summary");
  summary.replaceChildren();
  const failing = fields.filter((f) => errors[f]);
  if (failing.length) {
    const p = document.createElement("p");
    p.textContent = format(t(dict, "errSummary", lang), { n: failing.length });
    const ul = document.createElement("ul");
    for (const f of failing) {
      const a = document.createElement("a");
      a.href = `#${f}`;
      a.textContent = t(dict, errors[f], lang);
      a.addEventListener("click", (e) => {
        e.preventDefault();
        $(f).focus();
      });
      const li = document.createElement("li");
      li.append(a);
      ul.append(li);
    }
    summary.append(p, ul);
    return null;
  }
  return { ...v, withCompanion: $("companion").checked, child: $("child").checked };
}

function showOnly(section) {
  for (const id of ["trip-section", "qr-section", "outcome-section"]) $(id).hidden = id !== section;
}

function announce(text) {
  $("announce").textContent = text;
}

function stopTimers() {
  clearTimeout(pollTimer);
  clearInterval(tickTimer);
  pollTimer = tickTimer = null;
}

function tripLine({ trip, fare }) {
  return format(t(dict, "fullFareLine", lang), {
    trip: `${stationName(stationList, trip.from, lang)} → ${stationName(stationList, trip.to, lang)}`,
    km: fare.oneWayKm,
    ticket: ticketNames[trip.ticket][lang],
    fare: yen(fare.fare, lang),
  });
}

function renderTripSummary(req) {
  $("trip-summary").textContent = tripLine(req);
}

function secondsLeft() {
  return current ? Math.max(0, Math.ceil((current.deadline - Date.now()) / 1000)) : 0;
}

function renderCountdown() {
  const left = secondsLeft();
  $("countdown").textContent = format(t(dict, "minSec", lang), { m: Math.floor(left / 60), s: String(left % 60).padStart(2, "0") });
}

/** Creates a request for `trip` and shows its QR code; one press from idle or after an outcome. */
let creating = false;
async function showQr(trip) {
  // A second press while the first is on its way makes no second request.
  if (creating) return;
  creating = true;
  try {
    await createAndShow(trip);
  } finally {
    creating = false;
  }
}

async function createAndShow(trip) {
  stopTimers();
  shown = null;
  announce(t(dict, "creating", lang));
  let fare;
  let created;
  try {
    fare = await fullFare(trip);
    const res = await fetch("/demo/api/counter/requests", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ lang }),
    });
    const body = await res.json();
    if (!res.ok) throw Object.assign(new Error(body.error_description), { code: body.error });
    created = body;
  } catch (e) {
    const summary = $("error-summary");
    summary.textContent = t(dict, e?.code === "temporarily_unavailable" ? "errFull" : "errCreate", lang);
    showOnly("trip-section");
    summary.focus();
    return;
  }
  // Counted down from expires_in on this device's clock: a tablet whose clock is off
  // still shows the right time left (the server decides expiry either way).
  const expiresIn = Number.isFinite(created.expires_in) ? created.expires_in : created.expires_at - Math.floor(Date.now() / 1000);
  current = { id: created.id, url: created.url, deadline: Date.now() + expiresIn * 1000, trip, fare };
  warnedOneMinute = false;
  $("qr").setAttribute("lang", lang);
  $("qr").setAttribute("url", current.url);
  renderTripSummary(current);
  renderCountdown();
  showOnly("qr-section");
  announce(t(dict, "qrShown", lang));
  focusHeading($("qr-h"));
  tickTimer = setInterval(tick, 1000);
  pollTimer = setTimeout(poll, POLL_MS);
}

function tick() {
  renderCountdown();
  const left = secondsLeft();
  // One spoken warning a minute before expiry; the countdown itself is not a live region.
  if (left <= 60 && left > 0 && !warnedOneMinute) {
    warnedOneMinute = true;
    announce(t(dict, "oneMinuteLeft", lang));
  }
  if (left === 0) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, 0);
  }
}

async function poll() {
  const req = current;
  if (!req) return;
  let status;
  try {
    const res = await fetch(`/demo/api/counter/requests/${encodeURIComponent(req.id)}`, { cache: "no-store" });
    const body = await res.json();
    if (res.status === 404) status = { status: "failed", error: "request_not_found" };
    else if (!res.ok) status = { status: "failed", error: body.error ?? "server_error" };
    else status = body;
  } catch {
    status = null; // a blip: try again, the request is still open at the server
  }
  if (req !== current) return;
  if (!status || status.status === "pending") {
    pollTimer = setTimeout(poll, secondsLeft() === 0 ? POLL_MS * 2 : POLL_MS);
    return;
  }
  finish(status);
}

async function finish(status) {
  stopTimers();
  const req = current;
  current = null;
  const outcome = { ...status, trip: req.trip, fare: req.fare };
  if (status.status === "verified") {
    try {
      await ready();
      outcome.fareResult = fareDiscount(status.certificate, {
        fare: req.fare.fare,
        ticket: req.trip.ticket,
        oneWayKm: req.fare.oneWayKm,
        withCompanion: req.trip.withCompanion,
        travelDate: todayInJapan(),
        ...(req.trip.child ? { holderAge: CHILD_AGE } : {}),
      });
    } catch (e) {
      outcome.fareError = e?.code ?? "server_error";
    }
  }
  shown = outcome;
  $("qr").removeAttribute("url");
  renderOutcome(outcome);
  showOnly("outcome-section");
  announce(summaryOf(outcome));
  $("again").focus();
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function headlineOf(certificate) {
  const cls = certificate.fareClass === 1 ? "class1" : certificate.fareClass === 2 ? "class2" : "noClass";
  const parts = [t(dict, cls, lang), t(dict, "valid", lang)];
  if (certificate.keyBound) parts.push(t(dict, "onOwnDevice", lang));
  return parts.join(" · ");
}

function fareLines(outcome) {
  const r = outcome.fareResult;
  if (!r) return null;
  return {
    holder: yen(r.holderFare, lang),
    companion: r.companionFare === null || r.companionFare === undefined ? null : yen(r.companionFare, lang),
  };
}

/** The sentence the live region speaks for an outcome. */
function summaryOf(outcome) {
  if (outcome.status === "verified") {
    const fares = fareLines(outcome);
    let text = format(t(dict, "announceVerified", lang), { headline: headlineOf(outcome.certificate), holder: fares?.holder ?? "—" });
    if (fares?.companion && outcome.trip.withCompanion) text += format(t(dict, "announceCompanion", lang), { companion: fares.companion });
    return text;
  }
  return `${t(dict, headingKey(outcome), lang)}。${reason(reasonCode(outcome), lang)}`;
}

function headingKey(outcome) {
  return { verified: "verifiedH", declined: "declinedH", expired: "expiredH" }[outcome.status] ?? "failedH";
}

function reasonCode(outcome) {
  if (outcome.status === "declined") return "declined";
  if (outcome.status === "expired") return "request_timed_out";
  return outcome.error ?? "server_error";
}

function renderOutcome(outcome) {
  const box = $("outcome");
  const ok = outcome.status === "verified";
  const panel = el("div", `result ${ok ? "ok" : "bad"}`);
  panel.append(el("p", "result-title", t(dict, headingKey(outcome), lang)));
  if (ok) {
    const c = outcome.certificate;
    panel.append(el("p", "headline", headlineOf(c)));
    const facts = el("dl", "facts big-facts");
    for (const wire of ["certificate_type", "caregiver", "valid_until"]) {
      if (!c.disclosed?.includes(wire)) continue;
      facts.append(el("dt", "", claimLabels[wire][lang === "en" ? "en" : "ja"]), el("dd", "", claimValue(c, wire, lang)));
    }
    panel.append(facts, el("p", "hint", t(dict, "onlyAsked", lang)));
    box.replaceChildren(panel, fareBlock(outcome));
  } else {
    panel.append(el("p", "reason", reason(reasonCode(outcome), lang)));
    if (outcome.error) panel.append(el("p", "hint", format(t(dict, "codeLabel", lang), { code: outcome.error })));
    box.replaceChildren(panel);
  }
}

function fareBlock(outcome) {
  const section = el("div", "fare");
  section.append(el("h3", "", t(dict, "fareH", lang)), el("p", "", tripLine(outcome)));
  const r = outcome.fareResult;
  if (!r) {
    section.append(el("p", "reason", reason(outcome.fareError ?? "server_error", lang)));
    return section;
  }
  const fares = fareLines(outcome);
  const dl = el("dl", "facts fares");
  dl.append(el("dt", "", t(dict, "holderPays", lang)), el("dd", "price", fares.holder));
  if (outcome.trip.withCompanion && fares.companion) {
    dl.append(el("dt", "", t(dict, "companionPays", lang)), el("dd", "price", fares.companion));
  }
  section.append(dl);
  if (!r.eligible) section.append(el("p", "strong", t(dict, "notEligible", lang)));
  section.append(el("p", "explanation", r.explanation[lang === "en" ? "en" : "ja"]));
  return section;
}

function backToTrip() {
  stopTimers();
  current = null;
  shown = null;
  $("qr").removeAttribute("url");
  showOnly("trip-section");
  announce("");
  $("show-qr").focus();
}

$("trip").addEventListener("submit", (e) => {
  e.preventDefault();
  $("trip").dataset.validated = "1";
  const trip = validate();
  if (!trip) {
    $("error-summary").focus();
    return;
  }
  showQr(trip);
});
for (const f of fields) {
  $(f).addEventListener("change", () => {
    if ($("trip").dataset.validated) validate();
  });
}
$("cancel").addEventListener("click", backToTrip);
$("next").addEventListener("click", backToTrip);
$("again").addEventListener("click", () => {
  const trip = shown?.trip;
  if (trip) showQr(trip);
  else backToTrip();
});

async function start() {
  stationList = await stations();
  fillSelects();
}

start();
