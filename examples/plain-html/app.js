// Plain-HTML example of @mirairo-id/sdk: no build step, no inline script (the page's CSP
// is `script-src 'self' 'wasm-unsafe-eval'`). This page is its own redirect URI.
import { MirairoId } from "/pkg/sdk/index.js";

const TEXT = {
  ja: {
    skip: "本文へ移動",
    brand: "ミライロID パートナー SDK の例",
    title: "障害者手帳をミライロIDで確認する",
    intro: "このページはビルドなしで動く最小の例です。ボタンを押すとミライロIDの画面でログインし、戻ってくると検証済みの手帳の情報がここに表示されます。",
    loginHeading: "ログイン",
    usePopup: "別ウィンドウ（ポップアップ）でログインする",
    certHeading: "確認できた手帳の情報",
    logout: "ログアウト",
    refresh: "最新の情報に更新",
    refreshed: "手帳の情報を更新しました。",
    presentHeading: "サーバーに提示する",
    presentIntro: "選んだ項目だけを、このブラウザの鍵で署名してサーバーに渡します。実際のサービスでは、nonce はサーバーが毎回発行します。",
    discloseLegend: "提示する項目",
    audience: "提示先 (aud)",
    nonce: "nonce（サーバーが発行）",
    presentButton: "提示データを作る",
    output: "サーバーに送るデータ",
    loading: "読み込んでいます…",
    finishing: "ログインを確認しています…",
    loggedIn: "ログインしました。手帳の情報を確認できました。",
    loggedOut: "ログアウトしました。",
    presented: "提示データを作りました。",
    type: "手帳の種類",
    grade: "等級",
    fareClass: "旅客運賃減額",
    caregiver: "介護者",
    validUntil: "有効期限",
    credentialExpires: "この証明の有効期限",
    types: { physical: "身体障害者手帳", mental: "精神障害者保健福祉手帳", intellectual: "療育手帳" },
    gradeOf: (type, g) => (type === "intellectual" ? g : `${g}級`),
    fare: { 1: "第1種", 2: "第2種", none: "対象外" },
    care: { true: "あり（介護者も割引の対象）", false: "なし" },
    noExpiry: "記載なし",
    claims: { certificate_type: "手帳の種類", grade: "等級", fare_class: "旅客運賃減額", caregiver: "介護者", valid_until: "有効期限" },
    errors: {
      state_mismatch: "このログインの結果は、すでに使われたか、このブラウザで始めたものではありません。もう一度ログインしてください。",
      issuer_mismatch: "ログインの応答が、想定したミライロIDから来ていません。",
      provider_error: "ミライロIDでログインできませんでした。",
      access_denied: "ログインがキャンセルされました。",
      popup_blocked: "ポップアップがブロックされました。ブラウザの設定を確認するか、チェックを外してもう一度お試しください。",
      popup_closed: "ログインのウィンドウが閉じられました。",
      timeout: "応答がありませんでした。時間をおいてもう一度お試しください。",
      network: "通信できませんでした。接続を確認してもう一度お試しください。",
      bad_id_token: "ログインの結果を確認できませんでした。",
      invalid_config: "この例の設定に誤りがあります。",
      other: "手帳の情報を確認できませんでした。",
    },
    code: "エラーコード",
  },
  en: {
    skip: "Skip to main content",
    brand: "Mirairo ID partner SDK example",
    title: "Check a disability certificate with Mirairo ID",
    intro: "This is the smallest example, with no build step. The button takes you to Mirairo ID to log in; when you come back, the verified certificate is shown here.",
    loginHeading: "Log in",
    usePopup: "Log in in a separate window (popup)",
    certHeading: "Verified certificate",
    logout: "Log out",
    refresh: "Refresh the certificate",
    refreshed: "The certificate was refreshed.",
    presentHeading: "Present to the server",
    presentIntro: "Only the items you choose are signed with this browser's key and handed to the server. In a real service the server issues a new nonce each time.",
    discloseLegend: "Items to present",
    audience: "Audience (aud)",
    nonce: "Nonce (issued by the server)",
    presentButton: "Create the presentation",
    output: "Data to send to the server",
    loading: "Loading…",
    finishing: "Checking the login…",
    loggedIn: "You are logged in. The certificate was verified.",
    loggedOut: "You are logged out.",
    presented: "The presentation was created.",
    type: "Certificate",
    grade: "Grade",
    fareClass: "Fare discount (旅客運賃減額)",
    caregiver: "Companion (介護者)",
    validUntil: "Valid until",
    credentialExpires: "This proof expires",
    types: {
      physical: "Physical disability certificate (身体障害者手帳)",
      mental: "Mental health and welfare certificate (精神障害者保健福祉手帳)",
      intellectual: "Rehabilitation certificate (療育手帳)",
    },
    gradeOf: (type, g) => (type === "intellectual" ? g : `Grade ${g}`),
    fare: { 1: "Class 1 (第1種)", 2: "Class 2 (第2種)", none: "Not eligible" },
    care: { true: "Yes (a companion travels at the discount too)", false: "No" },
    noExpiry: "None printed",
    claims: { certificate_type: "Certificate", grade: "Grade", fare_class: "Fare class", caregiver: "Companion", valid_until: "Valid until" },
    errors: {
      state_mismatch: "This login response was already used or was not started in this browser. Please log in again.",
      issuer_mismatch: "The login response did not come from the expected Mirairo ID.",
      provider_error: "Mirairo ID could not log you in.",
      access_denied: "The login was cancelled.",
      popup_blocked: "The popup was blocked. Check the browser settings, or untick the popup option and try again.",
      popup_closed: "The login window was closed.",
      timeout: "There was no answer. Please try again later.",
      network: "Could not connect. Check the connection and try again.",
      bad_id_token: "The login result could not be verified.",
      invalid_config: "This example is misconfigured.",
      other: "The certificate could not be verified.",
    },
    code: "Error code",
  },
};

const $ = (id) => document.getElementById(id);
// The UI language is a preference, not a secret: sessionStorage is fine.
let lang = sessionStorage.getItem("example-lang") === "en" ? "en" : "ja";
const t = () => TEXT[lang];
let client = null;

function status(text) {
  $("status").textContent = text;
}

function showError(e) {
  const m = t().errors;
  const text = (e?.code === "provider_error" && m[e.providerError]) || m[e?.code] || m.other;
  const box = $("error");
  box.dataset.code = e?.code ?? "unknown";
  box.textContent = `${text} (${t().code}: ${e?.code ?? "unknown"}${e?.reason ? ` / ${e.reason}` : ""})`;
  box.hidden = false;
  status("");
}

// Dates: 和暦 in Japanese (令和12年3月31日), day month year in English.
function eraDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  if (lang === "en") {
    const month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][m - 1];
    return `${d} ${month} ${y}`;
  }
  const eras = [
    ["令和", 2019, 5, 1],
    ["平成", 1989, 1, 8],
    ["昭和", 1926, 12, 25],
  ];
  for (const [name, ey, em, ed] of eras) {
    if (y > ey || (y === ey && (m > em || (m === em && d >= ed)))) {
      const n = y - ey + 1;
      return `${name}${n === 1 ? "元" : n}年${m}月${d}日`;
    }
  }
  return `${y}年${m}月${d}日`;
}

function row(dl, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
}

function showCertificate() {
  const cert = client?.certificate();
  const logged = client?.isAuthenticated() ?? false;
  $("cert-section").hidden = !logged;
  $("present-section").hidden = !(logged && cert);
  $("login-section").hidden = logged;
  const dl = $("cert");
  dl.replaceChildren();
  if (!cert) return;
  const x = t();
  if (cert.certificateType) row(dl, x.type, x.types[cert.certificateType]);
  if (cert.grade !== undefined) row(dl, x.grade, x.gradeOf(cert.certificateType, cert.grade));
  if ("fareClass" in cert) row(dl, x.fareClass, x.fare[cert.fareClass ?? "none"]);
  if ("caregiver" in cert) row(dl, x.caregiver, x.care[cert.caregiver]);
  if ("validUntil" in cert) row(dl, x.validUntil, cert.validUntil ? eraDate(cert.validUntil) : x.noExpiry);
  const expires = new Date(cert.expiresAt * 1000).toLocaleString(lang === "ja" ? "ja-JP" : "en-GB", { timeZone: "Asia/Tokyo" });
  row(dl, x.credentialExpires, expires);
  const box = $("disclose");
  box.replaceChildren();
  for (const name of cert.disclosed) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "disclose";
    input.value = name;
    input.checked = true;
    label.append(input, ` ${x.claims[name] ?? name}`);
    box.append(label);
  }
  if (!$("audience").value) $("audience").value = location.origin;
  if (!$("nonce").value) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    $("nonce").value = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
}

function renderTexts() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t()[el.dataset.i18n];
  for (const b of document.querySelectorAll("button.lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  document.title = lang === "ja" ? "ミライロIDでログイン: HTMLだけの例" : "Log in with Mirairo ID: plain HTML example";
}

function renderButton() {
  if (!client || client.isAuthenticated()) return;
  const button = client.renderButton($("button-slot"), { lang, mode: $("use-popup").checked ? "popup" : "redirect" });
  button.addEventListener("mirairo-login", () => onLogin());
  button.addEventListener("mirairo-error", (e) => showError(e.detail));
}

function onLogin() {
  $("error").hidden = true;
  status(t().loggedIn);
  showCertificate();
  $("cert-h").tabIndex = -1;
  $("cert-h").focus();
}

async function createClient() {
  client = await MirairoId.create({
    issuer: location.origin,
    clientId: "example-plain-html",
    redirectUri: `${location.origin}/examples/plain-html/`,
    certificateClaims: ["certificate_type", "grade", "fare_class", "caregiver", "valid_until"],
    lang,
  });
}

async function main() {
  renderTexts();
  status(t().loading);
  try {
    await createClient();
  } catch (e) {
    showError(e);
    return;
  }
  if (MirairoId.isCallback()) {
    status(t().finishing);
    try {
      await client.handleRedirectCallback();
      onLogin();
    } catch (e) {
      showError(e);
    }
  } else {
    status("");
  }
  renderButton();
  showCertificate();

  for (const b of document.querySelectorAll("button.lang")) {
    b.addEventListener("click", async () => {
      lang = b.dataset.lang;
      sessionStorage.setItem("example-lang", lang);
      renderTexts();
      if (!client.isAuthenticated()) await createClient(); // ui_locales of the next login
      renderButton();
      showCertificate();
      if (!$("error").hidden) $("error").hidden = true;
    });
  }
  $("use-popup").addEventListener("change", renderButton);
  $("logout").addEventListener("click", async () => {
    await client.logout();
    $("presentation").value = "";
    status(t().loggedOut);
    await createClient();
    renderButton();
    showCertificate();
    $("button-slot").querySelector("mirairo-login-button")?.focus();
  });
  $("refresh").addEventListener("click", async () => {
    try {
      await client.refresh();
      showCertificate();
      status(t().refreshed);
    } catch (e) {
      showError(e);
      showCertificate();
    }
  });
  $("present-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const disclose = [...document.querySelectorAll('input[name="disclose"]:checked')].map((i) => i.value);
    try {
      $("presentation").value = await client.present({ audience: $("audience").value, nonce: $("nonce").value, disclose });
      status(t().presented);
    } catch (e) {
      showError(e);
    }
  });
}

main();
