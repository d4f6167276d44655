// みらい鉄道, step 1 and 2: choose a trip, see its full fare, log in with Mirairo ID,
// by redirect (then callback.html goes on) or in a popup (then this page goes on with
// steps 3 and 4, from booking.js).
import { setupI18n, t, format } from "/assets/i18n.js";
import { $, setFieldError, focusHeading } from "/assets/dom.js";
import {
  dict, loginConfig, ticketNames, stations, stationName, fullFare, saveTrip, loadTrip,
  todayInJapan, yen, fillTripSelects,
} from "/demo/railway.js";
import { showReview, loginProblem, render as renderReview } from "/demo/booking.js";
import "/pkg/widget/index.js";

const form = $("search");
const fields = ["from", "to", "date", "ticket"];
let stationList = [];
let lastFare = null;
let lang = setupI18n(dict, (next) => {
  lang = next;
  fillSelects();
  renderFare();
  renderLogin();
  syncWidgets();
  if (form.dataset.validated) validate();
  if (reviewStarted) renderReview();
});
let reviewStarted = false;

function syncWidgets() {
  for (const el of [$("places"), $("coupons")]) {
    el.setAttribute("api", location.origin);
    el.setAttribute("lang", lang);
  }
}

function fillSelects() {
  fillTripSelects({ from: $("from"), to: $("to"), ticket: $("ticket") }, stationList, lang);
}

function maxDate() {
  const d = new Date(Date.now() + 9 * 3600 * 1000);
  d.setUTCMonth(d.getUTCMonth() + 3);
  return d.toISOString().slice(0, 10);
}

/** Every field's error, or none; each error is tied to its field by aria-describedby. */
function validate() {
  const v = Object.fromEntries(fields.map((f) => [f, $(f).value]));
  const errors = {};
  if (!v.from) errors.from = "errFrom";
  if (!v.to) errors.to = "errTo";
  else if (v.from && v.from === v.to) errors.to = "errSame";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.date)) errors.date = "errDate";
  else if (v.date < todayInJapan()) errors.date = "errDatePast";
  if (!v.ticket) errors.ticket = "errTicket";
  for (const f of fields) setFieldError(f, errors[f] ? t(dict, errors[f], lang) : "");
  const count = Object.keys(errors).length;
  const summary = $("error-summary");
  summary.replaceChildren();
  if (count) {
    const p = document.createElement("p");
    p.textContent = format(t(dict, "errSummary", lang), { n: count });
    const ul = document.createElement("ul");
    for (const f of fields.filter((f) => errors[f])) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `#${f}`;
      a.textContent = t(dict, errors[f], lang);
      a.addEventListener("click", (e) => {
        e.preventDefault();
        $(f).focus();
      });
      li.append(a);
      ul.append(li);
    }
    summary.append(p, ul);
  }
  return count === 0 ? { ...v, withCompanion: $("companion").checked } : null;
}

function renderFare() {
  const box = $("fare-result");
  if (!lastFare) return;
  const { trip, fare } = lastFare;
  const p = document.createElement("p");
  p.className = "price";
  p.textContent = format(t(dict, "fullFare", lang), {
    from: stationName(stationList, trip.from, lang),
    to: stationName(stationList, trip.to, lang),
    km: fare.oneWayKm,
    ticket: ticketNames[trip.ticket][lang],
    fare: yen(fare.fare, lang),
  });
  box.replaceChildren(p);
  if (trip.withCompanion) {
    const c = document.createElement("p");
    c.textContent = format(t(dict, "companionFull", lang), { fare: yen(fare.fare, lang) });
    box.append(c);
  }
}

let MirairoIdClass = null;
async function renderLogin() {
  const target = $("login-button");
  const popupTarget = $("login-popup-button");
  const error = $("login-error");
  error.replaceChildren();
  try {
    const { MirairoId } = await import("/pkg/sdk/index.js");
    MirairoIdClass = MirairoId;
    const mirairo = await MirairoId.create(loginConfig(lang));
    target.replaceChildren();
    mirairo.renderButton(target, { lang, size: "large", mode: "redirect" });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = t(dict, "popupButton", lang);
    button.addEventListener("click", loginInPopup);
    popupTarget.replaceChildren(button);
  } catch (e) {
    const p = document.createElement("p");
    p.textContent = format(t(dict, "errLogin", lang), { code: e?.code ?? "network" });
    error.append(p);
  }
}

async function loginInPopup() {
  const error = $("login-error");
  error.replaceChildren();
  let popupClient;
  try {
    // The popup login returns to popup-callback.html, which hands the response back here.
    // Made on click, after the redirect client has settled the holder key, so that the
    // two never create the key at the same time.
    popupClient = await MirairoIdClass.create({ ...loginConfig(lang), redirectUri: location.origin + "/demo/popup-callback.html" });
    await popupClient.loginWithPopup();
  } catch (e) {
    if (e?.code === "popup_closed") return;
    const p = document.createElement("p");
    p.textContent = loginProblem(e)[lang];
    error.append(p);
    return;
  }
  reviewStarted = true;
  $("login-section").hidden = true;
  $("step-2").removeAttribute("aria-current");
  $("step-3").setAttribute("aria-current", "step");
  await showReview(popupClient);
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  form.dataset.validated = "1";
  const trip = validate();
  if (!trip) {
    $("error-summary").focus();
    return;
  }
  try {
    const fare = await fullFare(trip);
    lastFare = { trip, fare };
    saveTrip(trip);
  } catch {
    $("error-summary").textContent = t(dict, "errNetwork", lang);
    $("error-summary").focus();
    return;
  }
  $("fare-section").hidden = false;
  $("login-section").hidden = false;
  $("step-1").removeAttribute("aria-current");
  $("step-2").setAttribute("aria-current", "step");
  renderFare();
  focusHeading($("fare-h"));
});

for (const f of fields) {
  $(f).addEventListener("change", () => {
    if (form.dataset.validated) validate();
  });
}

async function start() {
  syncWidgets();
  const date = $("date");
  date.min = todayInJapan();
  date.max = maxDate();
  stationList = await stations();
  fillSelects();
  const saved = loadTrip();
  if (saved) {
    for (const f of ["from", "to", "ticket"]) $(f).value = saved[f];
    date.value = saved.date >= date.min ? saved.date : date.min;
    $("companion").checked = Boolean(saved.withCompanion);
  } else {
    date.value = date.min;
  }
  await renderLogin();
}

start();
