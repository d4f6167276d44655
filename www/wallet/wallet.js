// The Mirairo ID app, simulated in a browser (PROTOCOL.md §7.4).
//
// What a phone would keep, the page keeps: a non-extractable ECDSA P-256 holder key
// (IndexedDB; in memory for the page's life where IndexedDB is missing) and the
// credentials the provider issued to it. Everything protocol-shaped is done by the
// sandbox with the SDK core (/wallet/api/…): the page only signs the bytes it is given
// with its key, and shows what it is told, as text.
import { $, focusHeading } from "/assets/dom.js";
import { setupI18n, t as tr, format } from "/assets/i18n.js";

const dict = {
  title: { ja: "ミライロID（アプリのシミュレーター）", en: "Mirairo ID (app simulator)" },
  skip: { ja: "本文へスキップ", en: "Skip to main content" },
  appKind: { ja: "障害者手帳アプリ", en: "Disability certificate app" },
  appName: { ja: "ミライロID", en: "Mirairo ID" },
  sandboxBadge: { ja: "サンドボックス（シミュレーター）", en: "Sandbox (simulator)" },
  loading: { ja: "読み込んでいます…", en: "Loading…" },
  signinH: { ja: "ミライロIDにサインイン", en: "Sign in to Mirairo ID" },
  signinIntro: {
    ja: "これはサンドボックスのアプリです。パスワードは使いません。テスト利用者を選んでください。",
    en: "This is the sandbox app: there are no passwords. Choose a test user.",
  },
  testUser: { ja: "テスト利用者", en: "Test user" },
  signinButton: { ja: "サインイン", en: "Sign in" },
  homeH: { ja: "ホーム", en: "Home" },
  greeting: { ja: "{name} さん", en: "Signed in as {name}" },
  keyStored: {
    ja: "この端末の鍵（取り出せない鍵）で手帳を受け取りました。",
    en: "Your certificates were issued to this device's key (a key that cannot be copied out).",
  },
  keyMemory: {
    ja: "このブラウザでは鍵を保存できないため、ページを閉じるまでの間だけ鍵を使います。",
    en: "This browser cannot store the key, so it is kept only until you close the page.",
  },
  receiving: { ja: "手帳を受け取っています…", en: "Receiving your certificates…" },
  scanOpen: { ja: "窓口のQRコードを読み取る", en: "Scan the QR code at the counter" },
  cardsH: { ja: "登録している障害者手帳", en: "Your disability certificates" },
  noCards: { ja: "登録している手帳はありません。", en: "No certificate is registered." },
  glowNote: {
    ja: "この画面は光り、現在時刻が進むので、スクリーンショットと区別できます。動きを減らす設定のときは光らず、枠と現在時刻で区別できます。",
    en: "This screen glows and its clock runs, so it can be told apart from a screenshot. With reduced motion it does not glow; the frame and the running clock tell it apart.",
  },
  switchCert: { ja: "手帳の切り替え", en: "Switch certificate" },
  liveTime: { ja: "現在時刻 {time}（本物の画面です）", en: "Current time {time} (this is the live screen)" },
  backHome: { ja: "ホームに戻る", en: "Back to home" },
  scanH: { ja: "窓口のQRコードを読み取る", en: "Scan the QR code at the counter" },
  scanErrorH: { ja: "この依頼は表示できません", en: "This request cannot be shown" },
  cameraH: { ja: "カメラで読み取る", en: "Scan with the camera" },
  cameraReady: {
    ja: "「カメラを使う」を押して、QRコードをカメラに向けてください。",
    en: "Press “Use the camera” and point it at the QR code.",
  },
  cameraMissing: {
    ja: "このブラウザはカメラでのQRコード読み取り（BarcodeDetector）に対応していません。下の欄にURLを貼り付けてください。",
    en: "This browser cannot read QR codes with the camera (no BarcodeDetector). Paste the URL below instead.",
  },
  cameraFailed: {
    ja: "カメラを使えませんでした。URLを貼り付けてください。",
    en: "The camera could not be used. Paste the URL instead.",
  },
  cameraScanning: { ja: "読み取り中です。QRコードを枠に入れてください。", en: "Scanning. Hold the QR code in view." },
  cameraStart: { ja: "カメラを使う", en: "Use the camera" },
  cameraStop: { ja: "カメラを止める", en: "Stop the camera" },
  cameraLabel: { ja: "カメラの映像", en: "Camera view" },
  pasteH: { ja: "URLを貼り付ける", en: "Paste the URL" },
  requestUrl: { ja: "依頼のURL（openid4vp:// で始まるもの）", en: "Request URL (starting with openid4vp://)" },
  requestEmpty: { ja: "依頼のURLを入力してください。", en: "Enter the request URL." },
  checkRequest: { ja: "内容を確認する", en: "Check the request" },
  requestH: { ja: "{name}に手帳の情報を提示しますか", en: "Show your certificate to {name}?" },
  registered: { ja: "ミライロIDに登録された事業者です。", en: "A partner registered with Mirairo ID." },
  origin: { ja: "接続先: {origin}", en: "Address: {origin}" },
  unregisteredH: { ja: "未登録の相手です", en: "Not a registered partner" },
  unregistered: {
    ja: "ミライロIDに登録された事業者ではありません。窓口の場所と相手を確かめてから提示してください。",
    en: "This is not a partner registered with Mirairo ID. Check where you are and who is asking before you present.",
  },
  unverifiedName: { ja: "相手が名乗っている名前（未確認）: {name}", en: "The name it gives (unverified): {name}" },
  noName: { ja: "名前の名乗りなし", en: "no name given" },
  unknownVerifier: { ja: "未登録の相手", en: "an unregistered party" },
  chooseCert: { ja: "提示する手帳", en: "Certificate to present" },
  askedH: { ja: "提示される項目", en: "What will be shown" },
  askedNote: {
    ja: "求められた次の項目だけが提示されます。それ以外は提示されません。",
    en: "Only the items below, which were asked for, are shown. Nothing else is.",
  },
  noCandidate: {
    ja: "この依頼に答えられる手帳がありません。",
    en: "None of your certificates can answer this request.",
  },
  present: { ja: "提示する", en: "Present" },
  decline: { ja: "断る", en: "Decline" },
  sending: { ja: "送信しています…", en: "Sending…" },
  presentedH: { ja: "提示しました", en: "Presented" },
  presented: { ja: "{name}に手帳の情報を提示しました。窓口の画面で確認されます。", en: "Your certificate was shown to {name}. The counter's screen confirms it." },
  declinedH: { ja: "提示を断りました", en: "You declined" },
  declined: { ja: "{name}に、提示しないことを伝えました。何も提示していません。", en: "{name} was told that you declined. Nothing was shown." },
  refusedH: { ja: "確認できませんでした", en: "It could not be verified" },
  failedH: { ja: "送信できませんでした", en: "It could not be sent" },
  verifierSaid: { ja: "相手からの理由: {code}", en: "Reason given: {code}" },
  newsH: { ja: "お知らせ", en: "Notices" },
  newsNote: { ja: "このアプリで提示した記録です（このページを閉じると消えます）。", en: "What this app presented (gone when you close the page)." },
  newsEmpty: { ja: "お知らせはありません。", en: "No notices." },
  newsPresented: { ja: "{time} {name}に提示しました: {claims}", en: "{time} Presented to {name}: {claims}" },
  newsDeclined: { ja: "{time} {name}への提示を断りました", en: "{time} Declined to present to {name}" },
  placesH: { ja: "使える場所", en: "Where to use it" },
  couponsH: { ja: "クーポン", en: "Coupons" },
  widgetMissing: {
    ja: "この一覧を読み込めませんでした（ウィジェットのパッケージがビルドされていません）。",
    en: "This list could not be loaded (the widget package has not been built).",
  },
  personalH: { ja: "パーソナル", en: "Personal" },
  profileName: { ja: "氏名", en: "Name" },
  profileKana: { ja: "フリガナ", en: "Name (kana)" },
  profileId: { ja: "テスト利用者ID", en: "Test user ID" },
  signout: { ja: "サインアウト", en: "Sign out" },
  signedOut: { ja: "サインアウトしました。", en: "You are signed out." },
  tabsLabel: { ja: "アプリのメニュー", en: "App menu" },
  tabHome: { ja: "ホーム", en: "Home" },
  tabNews: { ja: "お知らせ", en: "Notices" },
  tabPlaces: { ja: "使える場所", en: "Places" },
  tabCoupons: { ja: "クーポン", en: "Coupons" },
  tabPersonal: { ja: "パーソナル", en: "Personal" },
  fareShort: { ja: "旅客運賃減額", en: "Fare discount" },
  caregiverMark: { ja: "介護", en: "Caregiver" },
  physical: { ja: "身体", en: "Physical" },
  mental: { ja: "精神", en: "Mental" },
  intellectual: { ja: "療育", en: "Intellectual" },
  errorGeneric: { ja: "エラーが発生しました。もう一度お試しください。", en: "Something went wrong. Please try again." },
};

const t = (key, values) => {
  const text = tr(dict, key);
  return values ? format(text, values) : text;
};
const lang = () => (document.documentElement.lang === "en" ? "en" : "ja");
/** A `{ ja, en }` text from the sandbox in the page's language. */
const say = (text) => (text ? text[lang()] ?? text.ja : "");

// ---- state -------------------------------------------------------------------------

const app = {
  user: null,
  credentials: [], // [{ index, credential, claims, display }]
  keyPersistent: true,
  screen: null,
  request: null, // the openid4vp URL being answered
  inspected: null, // the sandbox's answer to /inspect
  choice: 0, // index into inspected.candidates
  result: null, // { kind, verifierName, message, code }
  news: [],
  openCard: null,
};

// ---- the sandbox API ------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error_description ?? `HTTP ${status}`);
    this.status = status;
    this.body = body ?? {};
  }
}

async function api(method, path, body) {
  const res = await fetch(`/wallet/api/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

// ---- the holder key (non-extractable, in IndexedDB) ----------------------------------

const DB_NAME = "mirairo-wallet";
const STORE = "keys";
let memoryKey = null;

function openDb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new Error("no IndexedDB"));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idb(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function newKey() {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
}

/** The holder key pair: from IndexedDB, else made now (and stored), else in memory. */
async function holderKey() {
  try {
    const db = await openDb();
    let pair = await idb(db, "readonly", (s) => s.get("holder"));
    if (!pair) {
      pair = await newKey();
      await idb(db, "readwrite", (s) => s.put(pair, "holder"));
    }
    db.close();
    app.keyPersistent = true;
    return pair;
  } catch {
    app.keyPersistent = false;
    memoryKey ??= await newKey();
    return memoryKey;
  }
}

function b64url(bytes) {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** ES256 over the ASCII signing input, raw r‖s as WebCrypto gives it, base64url. */
async function sign(signingInput) {
  const { privateKey } = await holderKey();
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, new TextEncoder().encode(signingInput));
  return b64url(sig);
}

/** Proof of possession, then one credential per certificate bound to the key. */
async function fetchCredentials() {
  const { publicKey } = await holderKey();
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
  const { signing_input: input } = await api("POST", "proof", { jwk: { kty, crv, x, y } });
  const proof = `${input}.${await sign(input)}`;
  const { credentials } = await api("POST", "credentials", { proof });
  app.credentials = credentials;
}

// ---- screens --------------------------------------------------------------------------

const SCREENS = ["signin", "home", "certificate", "scan", "request", "result", "news", "places", "coupons", "personal"];
const TAB_OF = { home: "home", certificate: "home", scan: "home", request: "home", result: "home", news: "news", places: "places", coupons: "coupons", personal: "personal" };

function announce(text) {
  const live = $("live");
  live.textContent = "";
  // A fresh text node after a tick, so that the same message is announced again.
  setTimeout(() => (live.textContent = text), 50);
}

/** Shows one screen, renders it, and moves focus to its heading. */
function show(name, { focus = "heading" } = {}) {
  app.screen = name;
  $("loading").hidden = true;
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  $("tabs").hidden = name === "signin";
  for (const a of document.querySelectorAll("#tabs a")) {
    if (a.dataset.tab === TAB_OF[name]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (name !== "scan") stopCamera();
  if (name !== "certificate") stopLiveClock();
  render();
  const heading = $(`${name}-h`);
  document.title = heading?.textContent ? `${heading.textContent} | ${t("title")}` : t("title");
  if (focus === "heading") focusHeading(heading);
  else if (focus) focusHeading($(focus));
}

function render() {
  const r = { signin: renderSignin, home: renderHome, certificate: renderCertificate, scan: renderScan, request: renderRequest, result: renderResult, news: renderNews, places: renderWidget, coupons: renderWidget, personal: renderPersonal }[app.screen];
  r?.();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function claimsList(dl, display) {
  dl.replaceChildren();
  for (const c of display) {
    dl.append(el("div", { class: "claim" }, el("dt", {}, say(c.label)), el("dd", {}, say(c.value))));
  }
}

function certificateType(cred) {
  return cred.claims.certificate_type ?? "physical";
}

function typeName(cred) {
  const d = cred.display.find((c) => c.name === "certificate_type");
  return d ? say(d.value) : "";
}

// -- sign in --

let users = [];
async function renderSignin() {
  const list = $("user-list");
  if (!users.length) {
    users = (await api("GET", "users")).users;
  }
  const checked = list.querySelector("input:checked")?.value ?? users[0]?.id;
  list.replaceChildren(
    ...users.map((u, i) =>
      el(
        "div",
        { class: "choice" },
        el("input", { type: "radio", name: "user", id: `user-${i}`, value: u.id, "aria-describedby": `user-${i}-note`, checked: u.id === checked }),
        el("label", { for: `user-${i}` }, el("span", { class: "name" }, u.name), ` (${u.id})`),
        el("p", { class: "hint", id: `user-${i}-note` }, say(u.note)),
      ),
    ),
  );
}

async function signIn(event) {
  event.preventDefault();
  const user = $("user-list").querySelector("input:checked")?.value;
  if (!user) return;
  try {
    app.user = (await api("POST", "session", { user })).user;
    await afterSignIn();
  } catch (e) {
    announce(say(e.body?.message) || t("errorGeneric"));
  }
}

async function afterSignIn() {
  announce(t("receiving"));
  await fetchCredentials();
  if (app.request) await openRequest(app.request);
  else show("home");
}

// -- home and the certificate screen --

function renderHome() {
  $("greeting").textContent = t("greeting", { name: app.user?.name ?? "" });
  $("key-note").textContent = t(app.keyPersistent ? "keyStored" : "keyMemory");
  const cards = $("cards");
  if (!app.credentials.length) {
    cards.replaceChildren(el("li", {}, t("noCards")));
    return;
  }
  cards.replaceChildren(
    ...app.credentials.map((cred, i) => {
      const kind = certificateType(cred);
      const line = (name) => cred.display.find((c) => c.name === name);
      const grade = line("grade");
      const fare = line("fare_class");
      const caregiver = cred.claims.caregiver === true;
      return el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: `card card-${kind}`, onclick: () => openCard(i) },
          el("span", { class: "card-kind", "aria-hidden": "true" }, t(kind)),
          el("span", { class: "card-title" }, typeName(cred)),
          el("span", { class: "card-line" }, [grade ? say(grade.value) : "", fare && cred.claims.fare_class != null ? `${t("fareShort")} ${say(fare.value)}` : ""].filter(Boolean).join(" · ")),
          caregiver ? el("span", { class: "card-badge" }, t("caregiverMark")) : null,
          el("span", { class: "card-name" }, `${cred.claims.family_name ?? ""} ${cred.claims.given_name ?? ""}`),
        ),
      );
    }),
  );
}

function openCard(i) {
  app.openCard = i;
  show("certificate");
}

let clockTimer = null;
function stopLiveClock() {
  clearInterval(clockTimer);
  clockTimer = null;
}

function renderCertificate() {
  const cred = app.credentials[app.openCard];
  if (!cred) return;
  $("certificate-h").textContent = typeName(cred);
  // Switching between certificates, as the app's 身体 / 精神 / 療育 tabs do.
  $("cert-switch").hidden = app.credentials.length < 2;
  $("cert-switch-list").replaceChildren(
    ...app.credentials.map((c, i) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: `switch card-${certificateType(c)}`, "aria-current": i === app.openCard ? "true" : null, onclick: () => openCard(i) },
          t(certificateType(c)),
          el("span", { class: "visually-hidden" }, `: ${typeName(c)}`),
        ),
      ),
    ),
  );
  $("glow").className = `certificate-screen card-${certificateType(cred)}`;
  claimsList($("certificate-claims"), cred.display);
  const tick = () => {
    const time = new Date().toLocaleTimeString(lang() === "en" ? "en-GB" : "ja-JP");
    $("certificate-live").textContent = t("liveTime", { time });
  };
  tick();
  stopLiveClock();
  clockTimer = setInterval(tick, 1000);
}

// -- scanning --

let stream = null;
let scanTimer = null;
let scanError = null;

const hasCamera = () => typeof window.BarcodeDetector === "function" && !!navigator.mediaDevices?.getUserMedia;

function renderScan() {
  $("camera-note").textContent = t(hasCamera() ? (stream ? "cameraScanning" : "cameraReady") : "cameraMissing");
  $("camera-start").hidden = !hasCamera() || !!stream;
  $("camera-stop").hidden = !stream;
  $("camera").hidden = !stream;
  $("scan-error").hidden = !scanError;
  $("scan-error-text").textContent = scanError ? say(scanError) : "";
}

async function startCamera() {
  try {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    const video = $("camera");
    video.srcObject = stream;
    await video.play();
    renderScan();
    announce(t("cameraScanning"));
    scanTimer = setInterval(async () => {
      const codes = await detector.detect(video).catch(() => []);
      const hit = codes.find((c) => c.rawValue?.startsWith("openid4vp:"));
      if (hit) {
        stopCamera();
        await openRequest(hit.rawValue);
      }
    }, 300);
  } catch {
    stopCamera();
    $("camera-note").textContent = t("cameraFailed");
    announce(t("cameraFailed"));
  }
}

function stopCamera() {
  clearInterval(scanTimer);
  scanTimer = null;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  if ($("camera").srcObject) $("camera").srcObject = null;
  if (app.screen === "scan") {
    $("camera").hidden = true;
    $("camera-stop").hidden = true;
    $("camera-start").hidden = !hasCamera();
  }
}

async function pasted(event) {
  event.preventDefault();
  const value = $("request-url").value.trim();
  if (!value) {
    $("request-url-error").textContent = t("requestEmpty");
    $("request-url").setAttribute("aria-invalid", "true");
    $("request-url").focus();
    return;
  }
  $("request-url-error").textContent = "";
  $("request-url").removeAttribute("aria-invalid");
  await openRequest(value);
}

// -- the request --

function verifierName() {
  const v = app.inspected?.verifier;
  if (!v) return "";
  return v.registered ? say(v.name) : t("unknownVerifier");
}

/** Checks the request with the sandbox (§7.3) before anything is shown. */
async function openRequest(url) {
  app.request = url;
  if (!app.user) return show("signin");
  try {
    app.inspected = await api("POST", "inspect", { request: url, credentials: app.credentials.map((c) => c.credential) });
    app.choice = 0;
    scanError = null;
    show("request");
  } catch (e) {
    app.request = null;
    app.inspected = null;
    scanError = e.body?.message ?? { ja: dict.errorGeneric.ja, en: dict.errorGeneric.en };
    $("request-url").value = url;
    show("scan", { focus: "scan-error-h" });
    announce(say(scanError));
  }
}

function renderRequest() {
  const info = app.inspected;
  if (!info) return;
  const v = info.verifier;
  $("request-h").textContent = t("requestH", { name: verifierName() });
  const box = $("verifier");
  if (v.registered) {
    box.className = "verifier registered";
    box.replaceChildren(el("p", { class: "verifier-name" }, say(v.name)), el("p", {}, t("registered")), el("p", { class: "origin" }, t("origin", { origin: v.origin })));
  } else {
    box.className = "verifier unregistered";
    box.replaceChildren(
      el("h2", { class: "warning-title" }, t("unregisteredH")),
      el("p", {}, t("unregistered")),
      el("p", { class: "origin" }, t("origin", { origin: v.origin })),
      el("p", {}, t("unverifiedName", { name: v.client_name ?? t("noName") })),
    );
  }
  const candidates = info.candidates;
  const fieldset = $("cert-choice");
  fieldset.hidden = candidates.length < 2;
  $("cert-options").replaceChildren(
    ...candidates.map((c, i) => {
      const cred = app.credentials[c.credential];
      return el(
        "div",
        { class: "choice" },
        el("input", { type: "radio", name: "certificate", id: `cert-${i}`, value: String(i), checked: i === app.choice, onchange: () => ((app.choice = i), renderAsked()) }),
        el("label", { for: `cert-${i}` }, summary(cred)),
      );
    }),
  );
  $("present").disabled = candidates.length === 0;
  renderAsked();
}

function summary(cred) {
  const parts = [typeName(cred)];
  const grade = cred.display.find((c) => c.name === "grade");
  if (grade) parts.push(say(grade.value));
  return parts.join(" ");
}

function renderAsked() {
  const c = app.inspected.candidates[app.choice];
  if (!c) {
    $("asked").replaceChildren(el("div", { class: "claim" }, el("dt", {}, t("noCandidate")), el("dd", {}, "—")));
    return;
  }
  claimsList($("asked"), c.claims);
}

async function presentIt(event) {
  event.preventDefault();
  const c = app.inspected?.candidates[app.choice];
  if (!c) return;
  const name = verifierName();
  busy(true);
  try {
    const credential = app.credentials[c.credential].credential;
    const prepared = await api("POST", "present", { request: app.request, credential });
    const signature = await sign(prepared.signing_input);
    const reply = await api("POST", "deliver", { id: prepared.id, signature });
    finish(reply, "presented", name);
    if (reply.accepted) app.news.unshift({ kind: "presented", name: reply.verifier, claims: c.claims, at: new Date() });
  } catch (e) {
    failed(e);
  } finally {
    busy(false);
  }
}

async function declineIt() {
  const name = verifierName();
  busy(true);
  try {
    const reply = await api("POST", "decline", { request: app.request });
    finish(reply, "declined", name);
    app.news.unshift({ kind: "declined", name: reply.verifier, at: new Date() });
  } catch (e) {
    failed(e);
  } finally {
    busy(false);
  }
}

function busy(on) {
  for (const id of ["present", "decline"]) $(id).disabled = on;
  if (on) announce(t("sending"));
}

function finish(reply, kind, name) {
  app.result = reply.accepted
    ? { kind, name }
    : { kind: "refused", message: reply.message, code: reply.error };
  app.request = null;
  show("result");
  announce($("result-h").textContent + " " + $("result-text").textContent);
}

function failed(e) {
  app.result = { kind: "failed", message: e.body?.message ?? null, code: e.body?.error };
  app.request = null;
  show("result");
  announce($("result-h").textContent + " " + $("result-text").textContent);
}

function renderResult() {
  const r = app.result;
  if (!r) return;
  const heading = { presented: "presentedH", declined: "declinedH", refused: "refusedH", failed: "failedH" }[r.kind];
  $("result-h").textContent = t(heading);
  const text = $("result-text");
  text.className = r.kind === "refused" || r.kind === "failed" ? "notice error" : "notice ok";
  if (r.kind === "presented" || r.kind === "declined") text.textContent = t(r.kind, { name: r.name });
  else text.textContent = [say(r.message) || t("errorGeneric"), r.code ? t("verifierSaid", { code: r.code }) : ""].filter(Boolean).join(" ");
}

// -- the other tabs --

function renderNews() {
  const list = $("news");
  $("news-empty").hidden = app.news.length > 0;
  list.replaceChildren(
    ...app.news.map((n) => {
      const time = n.at.toLocaleTimeString(lang() === "en" ? "en-GB" : "ja-JP");
      const name = n.name.registered ? say(n.name.name) : `${t("unknownVerifier")} (${n.name.origin})`;
      return el(
        "li",
        {},
        n.kind === "presented"
          ? t("newsPresented", { time, name, claims: n.claims.map((c) => say(c.label)).join(lang() === "en" ? ", " : "、") })
          : t("newsDeclined", { time, name }),
      );
    }),
  );
}

const widgets = {};
async function renderWidget() {
  const kind = app.screen; // "places" | "coupons"
  const slot = $(`${kind}-slot`);
  if (!widgets[kind]) {
    try {
      await import("/pkg/widget/index.js");
      widgets[kind] = el(kind === "places" ? "mirairo-places" : "mirairo-coupons", { api: location.origin, lang: lang() });
      slot.replaceChildren(widgets[kind]);
    } catch {
      slot.replaceChildren(el("p", { class: "notice error" }, t("widgetMissing")));
      return;
    }
  }
  widgets[kind].setAttribute("lang", lang());
}

function renderPersonal() {
  const u = app.user;
  if (!u) return;
  const dl = $("profile");
  dl.replaceChildren(
    ...[
      [t("profileName"), u.name],
      [t("profileKana"), u.name_kana],
      [t("profileId"), u.id],
    ].map(([k, v]) => el("div", { class: "claim" }, el("dt", {}, k), el("dd", {}, v))),
  );
}

async function signOut() {
  await api("DELETE", "session").catch(() => null);
  app.user = null;
  app.credentials = [];
  app.news = [];
  app.request = null;
  show("signin");
  announce(t("signedOut"));
}

// ---- start ------------------------------------------------------------------------------

async function start() {
  setupI18n(dict, () => {
    if (app.screen) render();
  });
  $("signin-form").addEventListener("submit", signIn);
  $("scan-open").addEventListener("click", () => {
    scanError = null;
    show("scan");
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", () => {
    stopCamera();
    renderScan();
    focusHeading($("scan-h"));
  });
  $("paste-form").addEventListener("submit", pasted);
  $("present-form").addEventListener("submit", presentIt);
  $("decline").addEventListener("click", declineIt);
  $("signout").addEventListener("click", signOut);
  for (const b of document.querySelectorAll("[data-back]")) b.addEventListener("click", () => show("home"));
  for (const a of document.querySelectorAll("#tabs a")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      show(a.dataset.tab);
    });
  }

  // ?request= is a deep link: open it after sign-in, then drop it from the address.
  const params = new URLSearchParams(location.search);
  const deepLink = params.get("request");
  if (deepLink) {
    app.request = deepLink;
    params.delete("request");
    const url = new URL(location.href);
    url.search = params.toString();
    history.replaceState(history.state, "", url);
  }
  try {
    app.user = (await api("GET", "session")).user ?? null;
  } catch {
    app.user = null;
  }
  if (!app.user) return show("signin");
  try {
    await afterSignIn();
  } catch (e) {
    failed(e);
  }
}

start();
