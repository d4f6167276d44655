// The verification playground: runs the SDK's Verifier on a pasted credential or
// presentation and shows every check of PROTOCOL.md §4 in order: passed, failed (with
// its code and a plain explanation) or not run.
import { setupI18n, t, format } from "/assets/i18n.js";
import { $, setFieldError } from "/assets/dom.js";
import { Verifier } from "/pkg/sdk/index.js";

const dict = {
  title: { ja: "検証プレイグラウンド | ミライロID パートナーSDK", en: "Verification playground | Mirairo ID partner SDK" },
  h1: { ja: "検証プレイグラウンド", en: "Verification playground" },
  lead: {
    ja: "クレデンシャル（SD-JWT VC）または提示データ（鍵の紐付け付き）を貼り付けて、プロトコル §4 の各チェックの結果を確かめられます。検証には SDK の Verifier を使い、公開鍵はサンドボックスのメタデータから取得します。",
    en: "Paste a credential (SD-JWT VC) or a presentation (with key binding) and see the outcome of each check of protocol §4. It uses the SDK's Verifier, with the public keys from the sandbox's metadata.",
  },
  sampleH: { ja: "サンプルのクレデンシャル", en: "A sample credential" },
  sampleText: {
    ja: "テスト用の利用者の手帳から、クレデンシャルを発行します（POST /_sandbox/issue）。本人の鍵はこのページの中で作られます。",
    en: "Issues a credential for a test user's certificate (POST /_sandbox/issue). The holder key is made inside this page.",
  },
  sampleUser: { ja: "利用者と手帳", en: "User and certificate" },
  sampleButton: { ja: "サンプルを取得する", en: "Get a sample credential" },
  sampleKbButton: { ja: "鍵の紐付けを付けて提示データにする", en: "Add key binding (make a presentation)" },
  sampleDone: { ja: "サンプルのクレデンシャルを入力欄に入れました。", en: "The sample credential is in the text box." },
  sampleKbDone: { ja: "鍵の紐付けJWTを付けました（aud と nonce は下の欄の値です）。", en: "Key binding added (aud and nonce from the fields below)." },
  sampleKbNeedsSample: { ja: "先に「サンプルを取得する」を押してください。鍵の紐付けには、このページで作った本人の鍵が必要です。", en: "Press “Get a sample credential” first: key binding needs the holder key this page made." },
  sampleFailed: { ja: "サンプルを取得できませんでした: {reason}", en: "Could not get a sample: {reason}" },
  credential: { ja: "クレデンシャルまたは提示データ", en: "Credential or presentation" },
  credentialHint: { ja: "発行者のJWT~開示~…~（末尾に鍵の紐付けJWT）の形です。", en: "The form is issuer JWT~disclosure~…~ (and a key-binding JWT at the end)." },
  credentialMissing: { ja: "クレデンシャルを貼り付けてください。", en: "Paste a credential." },
  issuer: { ja: "発行者（issuer）", en: "Issuer" },
  issuerBad: { ja: "発行者のメタデータと鍵を取得できませんでした（{code}）。URLを確認してください。", en: "Could not get the issuer's metadata and keys ({code}). Check the URL." },
  now: { ja: "検証する時刻（Unix秒）", en: "Time to verify at (Unix seconds)" },
  nowHint: { ja: "空欄なら現在時刻です。", en: "Leave empty for the current time." },
  nowBad: { ja: "0以上の整数（Unix秒）を入力してください。", en: "Enter a whole number of seconds (Unix time), 0 or more." },
  audience: { ja: "想定する受け手（audience）", en: "Expected audience" },
  audienceHint: { ja: "鍵の紐付けJWTの aud と比べます。", en: "Compared with the key-binding JWT's aud." },
  nonce: { ja: "ノンス（nonce）", en: "Nonce" },
  nonceHint: { ja: "鍵の紐付けJWTの nonce と比べます。", en: "Compared with the key-binding JWT's nonce." },
  optionsLegend: { ja: "検証の条件", en: "What to require" },
  requireKb: { ja: "鍵の紐付けを必須にする", en: "Require key binding" },
  requireStatus: { ja: "ステータスリストで失効を確認する（オンライン）", en: "Check revocation in the status list (online)" },
  requireFare: { ja: "「旅客運賃減額」の開示を必須にする", en: "Require the fare discount class to be disclosed" },
  verifyButton: { ja: "検証する", en: "Verify" },
  resultH: { ja: "検証の結果", en: "Result" },
  passedAll: { ja: "すべてのチェックに合格しました。", en: "Every check passed." },
  failedAt: { ja: "「{name}」のチェックで不合格になりました（コード: {code}）。", en: "Failed at “{name}” (code: {code})." },
  checksH: { ja: "チェックの一覧（プロトコル §4 の順）", en: "The checks (in the order of protocol §4)" },
  claimsH: { ja: "開示された項目", en: "Disclosed claims" },
  claimName: { ja: "項目", en: "Claim" },
  claimValue: { ja: "値", en: "Value" },
  noClaims: { ja: "（検証に合格したときに表示します）", en: "(shown when verification passes)" },
  pass: { ja: "合格", en: "Passed" },
  fail: { ja: "不合格", en: "Failed" },
  notRun: { ja: "未実施", en: "Not run" },
  notAsked: { ja: "対象外", en: "Not asked" },
  metadata: { ja: "発行者", en: "Issuer" },
  keyBound: { ja: "鍵の紐付け", en: "Key bound" },
  holderKey: { ja: "本人の鍵（サムプリント）", en: "Holder key (thumbprint)" },
  validity: { ja: "クレデンシャルの有効期間", en: "Credential validity" },
};

/** The rows of PROTOCOL.md §4, in order: the codes each row can fail with, and words. */
const CHECKS = [
  { codes: ["malformed"], name: { ja: "形式", en: "Well-formed" }, why: { ja: "SD-JWTの形になっていません（base64url・JSON・区切りの数・必須の項目の型）。", en: "Not a well-formed SD-JWT (base64url, JSON, number of parts, or a required claim missing or of the wrong type)." } },
  { codes: ["unsupported_algorithm"], name: { ja: "署名方式", en: "Algorithm" }, why: { ja: "ES256 以外の署名方式か、ヘッダーに使ってはいけない項目（crit・jku・x5u・jwk）があります。", en: "The algorithm is not ES256, or the header has crit, jku, x5u or an embedded jwk." } },
  { codes: ["wrong_type"], name: { ja: "トークンの種類（typ）", en: "Token type (typ)" }, why: { ja: "typ が dc+sd-jwt（鍵の紐付けJWTは kb+jwt）ではありません。", en: "typ is not dc+sd-jwt (or kb+jwt for the key-binding JWT)." } },
  { codes: ["unknown_key"], name: { ja: "発行者の鍵", en: "Issuer key" }, why: { ja: "kid がないか、発行者の公開鍵の一覧にその kid の鍵がありません。", en: "No kid, or no key with that kid in the issuer's key set." } },
  { codes: ["bad_signature"], name: { ja: "発行者の署名", en: "Issuer signature" }, why: { ja: "発行者の署名が正しくありません。改ざんされた可能性があります。", en: "The issuer's signature does not verify: it may have been altered." } },
  { codes: ["wrong_issuer"], name: { ja: "発行者", en: "Issuer" }, why: { ja: "iss が、設定した発行者と違います。", en: "iss is not the configured issuer." } },
  { codes: ["wrong_credential_type"], name: { ja: "クレデンシャルの種類（vct）", en: "Credential type (vct)" }, why: { ja: "vct が障害者手帳のクレデンシャルではありません。", en: "vct is not the disability certificate credential." } },
  { codes: ["expired"], name: { ja: "有効期限（exp）", en: "Expiry (exp)" }, why: { ja: "クレデンシャルの有効期限（最長24時間）が過ぎています。", en: "The credential (valid 24 hours at most) has expired." } },
  { codes: ["not_yet_valid"], name: { ja: "発行時刻（iat・nbf）", en: "Issued at (iat, nbf)" }, why: { ja: "発行時刻が未来になっています。時計のずれを確認してください。", en: "It was issued in the future: check the clocks." } },
  { codes: ["bad_disclosure"], name: { ja: "開示", en: "Disclosures" }, why: { ja: "開示の形や対応するダイジェストが正しくないか、値の型が違います。", en: "A disclosure is ill-formed, not referenced, repeated, or has a value of the wrong type." } },
  { codes: ["key_binding_required"], name: { ja: "鍵の紐付けの有無", en: "Key binding present" }, when: (o) => o.requireKeyBinding, why: { ja: "鍵の紐付けJWTがありません。本人の端末で作られた提示データではありません。", en: "There is no key-binding JWT: this was not presented by the holder's device." } },
  { codes: ["bad_key_binding"], name: { ja: "鍵の紐付け", en: "Key binding" }, when: (o, hasKb) => hasKb, why: { ja: "鍵の紐付けJWTの署名・aud・nonce・sd_hash・時刻のどれかが合いません（ノンスの再利用もここで分かります）。", en: "The key-binding JWT's signature, aud, nonce, sd_hash or time does not match (a reused nonce shows here)." } },
  { codes: ["missing_claim"], name: { ja: "必須の項目", en: "Required claims" }, when: (o) => o.requiredClaims.length > 0, why: { ja: "必須とした項目が開示されていません。", en: "A required claim was not disclosed." } },
  { codes: ["revoked", "suspended"], name: { ja: "失効・一時停止", en: "Revoked or suspended" }, when: (o) => o.requireStatus, why: { ja: "ステータスリストで、この手帳の情報は失効（revoked）または一時停止（suspended）になっています。", en: "The status list says this credential is revoked or suspended." } },
  { codes: ["status_unavailable"], name: { ja: "ステータスの確認", en: "Status check" }, when: (o) => o.requireStatus, why: { ja: "ステータスリストを取得・検証できませんでした。", en: "The status list could not be fetched or verified." } },
  { codes: ["certificate_expired"], name: { ja: "手帳の有効期限", en: "Certificate validity" }, why: { ja: "開示された手帳の有効期限が、日本時間の今日より前です。", en: "The disclosed valid_until is before today's date in Japan." } },
];

let lang = setupI18n(dict, (next) => {
  lang = next;
  fillUsers();
  if (last) renderResult(last);
});
let last = null;
let users = [];
let holderKey = null; // the sample's holder key pair (WebCrypto, private part not extractable)

function fillUsers() {
  const select = $("sample-user");
  const keep = select.value;
  select.replaceChildren(
    ...users.flatMap((u) =>
      u.certificates.map((c) => {
        const o = document.createElement("option");
        o.value = `${u.id}:${c.index}`;
        o.textContent = `${u.name} — ${c.summary[lang]}`;
        return o;
      }),
    ),
  );
  if (keep) select.value = keep;
}

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const utf8 = (s) => new TextEncoder().encode(s);

async function getSample() {
  const status = $("sample-status");
  status.textContent = "";
  const [user, index] = $("sample-user").value.split(":");
  try {
    holderKey = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", holderKey.publicKey);
    const res = await fetch("/_sandbox/issue", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user, certificate: Number(index), holder_jwk: { kty, crv, x, y } }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error_description ?? body.error);
    $("credential").value = body.credential;
    if (!$("audience").value) $("audience").value = "https://rail.example";
    if (!$("nonce").value) $("nonce").value = b64url(crypto.getRandomValues(new Uint8Array(16)));
    status.textContent = t(dict, "sampleDone", lang);
  } catch (e) {
    status.textContent = format(t(dict, "sampleFailed", lang), { reason: e.message });
  }
}

/** Appends a KB-JWT (RFC 9901 §4.3) signed by the sample's holder key. */
async function addKeyBinding() {
  const status = $("sample-status");
  if (!holderKey) {
    status.textContent = t(dict, "sampleKbNeedsSample", lang);
    return;
  }
  const text = $("credential").value.trim();
  const base = text.endsWith("~") ? text : text.slice(0, text.lastIndexOf("~") + 1);
  const sdHash = b64url(await crypto.subtle.digest("SHA-256", utf8(base)));
  const header = b64url(utf8(JSON.stringify({ alg: "ES256", typ: "kb+jwt" })));
  const payload = b64url(utf8(JSON.stringify({ iat: Math.floor(Date.now() / 1000), aud: $("audience").value, nonce: $("nonce").value, sd_hash: sdHash })));
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, holderKey.privateKey, utf8(`${header}.${payload}`));
  $("credential").value = `${base}${header}.${payload}.${b64url(signature)}`;
  status.textContent = t(dict, "sampleKbDone", lang);
}

function options() {
  const nowText = $("now").value.trim();
  return {
    ...(nowText ? { now: Number(nowText) } : {}),
    ...($("audience").value ? { audience: $("audience").value } : {}),
    ...($("nonce").value ? { nonce: $("nonce").value } : {}),
    requireKeyBinding: $("require-kb").checked,
    requireStatus: $("require-status").checked,
    requiredClaims: $("require-fare").checked ? ["fare_class"] : [],
  };
}

async function verify(event) {
  event.preventDefault();
  const credential = $("credential").value.trim();
  const nowText = $("now").value.trim();
  setFieldError("credential", credential ? "" : t(dict, "credentialMissing", lang));
  setFieldError("now", nowText === "" || /^\d{1,12}$/.test(nowText) ? "" : t(dict, "nowBad", lang));
  setFieldError("issuer", "");
  const invalid = document.querySelector("#verify-form [aria-invalid='true']");
  if (invalid) {
    invalid.focus();
    return;
  }
  let verifier;
  try {
    verifier = await Verifier.fromIssuer($("issuer").value.trim());
  } catch (e) {
    setFieldError("issuer", format(t(dict, "issuerBad", lang), { code: e?.code ?? "network" }));
    $("issuer").focus();
    return;
  }
  const opts = options();
  const hasKb = !credential.endsWith("~");
  let outcome;
  try {
    const certificate = opts.requireStatus ? await verifier.verifyOnline(credential, opts) : verifier.verify(credential, opts);
    outcome = { certificate, code: null, opts, hasKb };
  } catch (e) {
    outcome = { certificate: null, code: e?.code ?? "malformed", message: e?.message, opts, hasKb };
  }
  last = outcome;
  renderResult(outcome);
  $("result-section").hidden = false;
  $("result-h").focus();
}

function renderResult({ certificate, code, opts, hasKb }) {
  const failedIndex = code === null ? -1 : CHECKS.findIndex((c) => c.codes.includes(code));
  const summary = $("summary");
  summary.className = `notice ${code === null ? "ok" : "error"}`;
  summary.textContent =
    code === null
      ? t(dict, "passedAll", lang)
      : format(t(dict, "failedAt", lang), { name: failedIndex >= 0 ? CHECKS[failedIndex].name[lang] : code, code });
  $("checks").replaceChildren(
    ...CHECKS.map((check, i) => {
      const li = document.createElement("li");
      li.dataset.codes = check.codes.join(" ");
      const asked = check.when ? check.when(opts, hasKb) : true;
      let outcome;
      if (failedIndex === i) outcome = "fail";
      else if (failedIndex >= 0 && i > failedIndex) outcome = "notRun";
      else if (!asked) outcome = "notAsked";
      else if (check.codes[0] === "certificate_expired" && certificate && !certificate.disclosed.includes("valid_until")) outcome = "notAsked";
      else outcome = "pass";
      li.dataset.outcome = outcome;
      const badge = document.createElement("span");
      badge.className = `badge ${outcome === "pass" ? "ok" : outcome === "fail" ? "error" : "skip"}`;
      badge.textContent = t(dict, outcome, lang);
      const body = document.createElement("div");
      const name = document.createElement("strong");
      name.textContent = check.name[lang];
      const codes = document.createElement("span");
      codes.className = "code";
      codes.textContent = ` (${check.codes.join(" / ")})`;
      body.append(name, codes);
      if (outcome === "fail") {
        const why = document.createElement("p");
        why.textContent = check.why[lang];
        body.append(why);
      }
      li.append(badge, body);
      return li;
    }),
  );
  const rows = [];
  if (certificate) {
    rows.push([t(dict, "metadata", lang), certificate.issuer]);
    rows.push([t(dict, "keyBound", lang), String(certificate.keyBound)]);
    rows.push([t(dict, "holderKey", lang), certificate.holderKeyThumbprint]);
    rows.push([t(dict, "validity", lang), `${new Date(certificate.issuedAt * 1000).toISOString()} – ${new Date(certificate.expiresAt * 1000).toISOString()}`]);
    for (const wire of certificate.disclosed) {
      const key = wire.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
      rows.push([wire, JSON.stringify(certificate[key] ?? null)]);
    }
  }
  const tbody = $("claims");
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 2;
    td.textContent = t(dict, "noClaims", lang);
    tr.append(td);
    tbody.replaceChildren(tr);
    return;
  }
  tbody.replaceChildren(
    ...rows.map(([k, v]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = k;
      const td = document.createElement("td");
      td.textContent = v;
      td.className = "code";
      tr.append(th, td);
      return tr;
    }),
  );
}

$("issuer").value = location.origin;
$("verify-form").addEventListener("submit", verify);
$("sample").addEventListener("click", getSample);
$("sample-kb").addEventListener("click", addKeyBinding);
fetch("/_sandbox/users")
  .then((r) => r.json())
  .then((body) => {
    users = body.users ?? [];
    fillUsers();
  })
  .catch(() => {});
