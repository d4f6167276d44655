// みらい鉄道, steps 3 and 4, shared by the redirect callback page and the popup login on
// the search page: the discounted fare computed by the SDK's fare rules, then booking:
// the railway's server issues a nonce, the SDK presents the credential bound to it, and
// the server verifies it again before booking.
import { t, format } from "/assets/i18n.js";
import { $, focusHeading } from "/assets/dom.js";
import {
  dict, refusals, claimLabels, claimValue, ticketNames, stations, stationName, fullFare,
  loadTrip, yen, BOOKING_CLAIMS, REQUIRED_AT_BOOKING,
} from "/demo/railway.js";
import { fareDiscount } from "/pkg/sdk/index.js";

const currentLang = () => (document.documentElement.lang === "en" ? "en" : "ja");
let lang = currentLang();
let mirairo;

const state = { certificate: null, trip: null, fare: null, result: null, booking: null, problem: null, stations: [] };

function facts(dl, rows) {
  dl.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

export function showProblem(text) {
  state.problem = text;
  render();
  focusHeading($("problem-h"));
}

function renderCertificate() {
  const cert = state.certificate;
  facts($("cert"), cert.disclosed.filter((c) => claimLabels[c]).map((c) => [claimLabels[c][lang], claimValue(cert, c, lang)]));
}

function renderFare() {
  const { trip, result } = state;
  const box = $("discount-result");
  const title = document.createElement("p");
  title.textContent = `${stationName(state.stations, trip.from, lang)} → ${stationName(state.stations, trip.to, lang)} · ${ticketNames[trip.ticket][lang]} · ${trip.date}`;
  const dl = document.createElement("dl");
  dl.className = "facts";
  const rows = [[t(dict, "you", lang), yen(result.holderFare, lang)]];
  if (result.companionFare !== null && result.companionFare !== undefined) {
    rows.push([t(dict, "companionLabel", lang), yen(result.companionFare, lang)]);
  }
  facts(dl, rows);
  for (const dd of dl.querySelectorAll("dd")) dd.classList.add("price");
  const why = document.createElement("p");
  why.textContent = result.explanation[lang];
  const rule = document.createElement("p");
  rule.className = "hint";
  rule.textContent = `${t(dict, "rule", lang)}: ${result.rule}`;
  const badge = document.createElement("p");
  if (!result.eligible) {
    badge.className = "badge skip";
    badge.textContent = t(dict, "noDiscount", lang);
  }
  box.replaceChildren(title, ...(result.eligible ? [] : [badge]), dl, why, rule);
}

function renderDisclose() {
  const box = $("disclose");
  const checked = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
  const first = box.children.length === 0;
  box.replaceChildren(
    ...BOOKING_CLAIMS.filter((c) => state.certificate.disclosed.includes(c)).map((c) => {
      const label = document.createElement("label");
      label.className = "check";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "disclose";
      input.value = c;
      const required = REQUIRED_AT_BOOKING.includes(c);
      input.checked = required || first || checked.has(c);
      // Required claims stay ticked; the hint above the list says why.
      input.disabled = required;
      const text = document.createElement("span");
      const suffix = required ? (lang === "ja" ? "（必須）" : " (required)") : "";
      text.textContent = `${claimLabels[c][lang]}${suffix}: ${claimValue(state.certificate, c, lang)}`;
      label.append(input, " ", text);
      return label;
    }),
  );
}

function renderBooking() {
  const b = state.booking;
  facts($("booking"), [
    [t(dict, "bookingId", lang), b.id],
    [t(dict, "trip", lang), `${stationName(state.stations, b.trip.from, lang)} → ${stationName(state.stations, b.trip.to, lang)} · ${ticketNames[b.trip.ticket][lang]}`],
    [t(dict, "travelDate", lang), b.trip.date],
    [t(dict, "you", lang), yen(b.fare.holderFare, lang)],
    ...(b.fare.companionFare === null ? [] : [[t(dict, "companionLabel", lang), yen(b.fare.companionFare, lang)]]),
    [t(dict, "rule", lang), b.fare.explanation[lang]],
  ]);
  const v = b.verified;
  facts($("verified"), [
    [t(dict, "keyBound", lang), v.keyBound ? t(dict, "yes", lang) : t(dict, "no", lang)],
    ...v.disclosed.filter((c) => claimLabels[c]).map((c) => [claimLabels[c][lang], claimValue(v, c, lang)]),
  ]);
}

/** Re-renders every dynamic string (after a language switch). */
export function render() {
  lang = currentLang();
  $("progress").hidden = Boolean(state.problem || state.certificate);
  $("problem").hidden = !state.problem;
  if (state.problem) $("problem-text").textContent = typeof state.problem === "string" ? state.problem : state.problem[lang];
  $("review").hidden = !state.certificate || Boolean(state.problem);
  if (state.certificate && state.result) {
    renderCertificate();
    renderFare();
    renderDisclose();
  }
  $("book-section").hidden = Boolean(state.booking);
  $("booked").hidden = !state.booking;
  if (state.booking) renderBooking();
}

async function book(event) {
  event.preventDefault();
  const button = $("book-button");
  const error = $("book-error");
  error.replaceChildren();
  const disclose = [...document.querySelectorAll("#disclose input:checked")].map((i) => i.value);
  button.disabled = true;
  button.textContent = t(dict, "booking", lang);
  try {
    const nonceRes = await fetch("/demo-api/nonce", { method: "POST" });
    if (!nonceRes.ok) throw Object.assign(new Error("nonce"), { code: "network" });
    const { nonce, audience } = await nonceRes.json();
    const presentation = await mirairo.present({ audience, nonce, disclose });
    const res = await fetch("/demo-api/bookings", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ presentation, trip: state.trip }),
    });
    const body = await res.json();
    if (!res.ok) {
      const reason = refusals[body.error]?.[lang] ?? format(t(dict, "errUnverified", lang), { code: body.error ?? res.status });
      const p = document.createElement("p");
      p.textContent = format(t(dict, "errBooking", lang), { reason });
      p.dataset.code = body.error;
      error.append(p);
      error.focus();
      return;
    }
    state.booking = body;
    $("step-3").removeAttribute("aria-current");
    $("step-4").setAttribute("aria-current", "step");
    render();
    focusHeading($("booked-h"));
  } catch (e) {
    const p = document.createElement("p");
    p.textContent = e?.code && e.code !== "network" ? format(t(dict, "errBooking", lang), { reason: e.code }) : t(dict, "errNetwork", lang);
    error.append(p);
    error.focus();
  } finally {
    button.disabled = false;
    button.textContent = t(dict, "bookButton", lang);
  }
}

/**
 * Shows step 3 (the discounted fare, computed by the SDK's fare rules from the verified
 * certificate) and step 4 (booking) for a logged-in `client`.
 */
export async function showReview(client) {
  mirairo = client;
  if (!mirairo.isAuthenticated() || !mirairo.certificate()) {
    showProblem({ ja: dict.notSignedIn.ja, en: dict.notSignedIn.en });
    return;
  }
  state.trip = loadTrip();
  if (!state.trip) {
    showProblem({ ja: dict.noTrip.ja, en: dict.noTrip.en });
    return;
  }
  try {
    state.stations = await stations();
    state.fare = await fullFare(state.trip);
  } catch {
    showProblem({ ja: dict.errNetwork.ja, en: dict.errNetwork.en });
    return;
  }
  state.certificate = mirairo.certificate();
  state.result = fareDiscount(state.certificate, {
    fare: state.fare.fare,
    ticket: state.trip.ticket,
    oneWayKm: state.fare.oneWayKm,
    withCompanion: Boolean(state.trip.withCompanion),
    travelDate: state.trip.date,
  });
  render();
  focusHeading($("discount-h"));
}

/** A login failure in words: cancelled on the consent page, or the SDK's code. */
export function loginProblem(e) {
  if (e?.code === "provider_error" && e.providerError === "access_denied") {
    return { ja: dict.errCancelled.ja, en: dict.errCancelled.en };
  }
  const code = e?.code ?? "network";
  return { ja: format(dict.errLogin.ja, { code }), en: format(dict.errLogin.en, { code }) };
}

$("book").addEventListener("submit", book);
