// みらい鉄道 (Mirai Railway): what the demo's pages share: the SDK configuration, the
// words in Japanese and English, the stations and the saved trip.
import { t, format } from "/assets/i18n.js";

/** The login configuration of this partner (client `demo-railway` of the sandbox). */
export function loginConfig(lang) {
  return {
    issuer: location.origin,
    clientId: "demo-railway",
    redirectUri: location.origin + "/demo/callback.html",
    certificateClaims: ["fare_class", "certificate_type", "valid_until", "caregiver"],
    lang,
  };
}

/** The claims the railway may ask to see at booking. */
export const BOOKING_CLAIMS = ["fare_class", "valid_until", "caregiver", "certificate_type"];
/**
 * The claims without which no discount can be granted (the partner backend requires
 * them too): the fare class, and the expiry date, since a hidden expiry could hide an
 * expired certificate.
 */
export const REQUIRED_AT_BOOKING = ["fare_class", "valid_until"];

export const TICKETS = ["regular", "coupon", "ordinary_express", "commuter", "limited_express", "green"];

export const dict = {
  brand: { ja: "みらい鉄道", en: "Mirai Railway" },
  brandNote: { ja: "（架空の鉄道会社・デモ）", en: "(a fictional railway, demo)" },
  backToSandbox: { ja: "サンドボックスのホーム", en: "Sandbox home" },
  navBooking: { ja: "きっぷの予約", en: "Book a ticket" },
  navCounter: { ja: "窓口での手帳確認", en: "Counter check" },
  title: { ja: "きっぷの予約 | みらい鉄道", en: "Book a ticket | Mirai Railway" },
  callbackTitle: { ja: "ご予約の確認 | みらい鉄道", en: "Review your booking | Mirai Railway" },
  h1: { ja: "きっぷの予約", en: "Book a ticket" },
  callbackH1: { ja: "ご予約の確認", en: "Review your booking" },
  stepsLabel: { ja: "予約の手順", en: "Booking steps" },
  step1: { ja: "区間を選ぶ", en: "Choose your trip" },
  step2: { ja: "ミライロIDで確認", en: "Check with Mirairo ID" },
  step3: { ja: "割引運賃を確認", en: "See your discounted fare" },
  step4: { ja: "予約完了", en: "Booked" },
  intro: {
    ja: "障害者手帳をお持ちの方は、ミライロIDでログインすると、旅客運賃減額による割引運賃でご予約いただけます。窓口で手帳をお見せいただく必要はありません。",
    en: "If you hold a disability certificate (障害者手帳), log in with Mirairo ID to book at the discounted fare. You do not need to show your certificate at the ticket office.",
  },
  searchH: { ja: "1. 区間と日付を選ぶ", en: "1. Choose your trip and date" },
  from: { ja: "出発駅", en: "From" },
  to: { ja: "到着駅", en: "To" },
  date: { ja: "乗車日", en: "Travel date" },
  dateHint: { ja: "今日から3か月先まで選べます。", en: "From today up to three months ahead." },
  ticket: { ja: "きっぷの種類", en: "Ticket" },
  companion: { ja: "介護者（付き添いの方）と一緒に乗車する", en: "A companion (介護者, caregiver) travels with me" },
  companionHint: {
    ja: "第1種の方は、介護者1名も同じ割引になります。同じ区間・同時購入が条件です。",
    en: "For fare class 1 holders, one companion gets the same discount, travelling the same section and bought together.",
  },
  choose: { ja: "選んでください", en: "Please choose" },
  searchButton: { ja: "運賃を調べる", en: "Find the fare" },
  errFrom: { ja: "出発駅を選んでください。", en: "Choose the station you leave from." },
  errTo: { ja: "到着駅を選んでください。", en: "Choose the station you travel to." },
  errSame: { ja: "出発駅と到着駅が同じです。別の駅を選んでください。", en: "The two stations are the same. Choose another station." },
  errDate: { ja: "乗車日を、年-月-日の形で選んでください。", en: "Choose a travel date (year-month-day)." },
  errDatePast: { ja: "今日以降の日付を選んでください。", en: "Choose today or a later date." },
  errTicket: { ja: "きっぷの種類を選んでください。", en: "Choose a ticket." },
  errSummary: { ja: "入力内容を確認してください（{n}件）。", en: "Please check your entries ({n})." },
  fareH: { ja: "運賃（割引前）", en: "Fare (before any discount)" },
  fullFare: { ja: "{from} → {to}（片道 {km} km）・{ticket}: 大人 {fare}", en: "{from} → {to} ({km} km one way), {ticket}: adult {fare}" },
  companionFull: { ja: "介護者の方も同じく {fare} です。", en: "Your companion also pays {fare}." },
  loginH: { ja: "2. ミライロIDで手帳を確認する", en: "2. Check your certificate with Mirairo ID" },
  loginText: {
    ja: "ログインすると、ミライロIDの画面で、みらい鉄道に伝える項目（手帳の種類、旅客運賃減額の区分、介護の有無、有効期限）を確認・選択できます。氏名や手帳番号は求めません。",
    en: "When you log in, Mirairo ID shows what Mirai Railway asks for (the type of certificate, the fare discount class, the caregiver mark and the expiry date) and lets you choose. We do not ask for your name or certificate number.",
  },
  popupIntro: {
    ja: "別のウィンドウで確認し、このページのまま予約を続けることもできます。",
    en: "Or check in a separate window and carry on booking on this page.",
  },
  popupButton: { ja: "別のウィンドウでログイン", en: "Log in in a separate window" },
  placesH: { ja: "ミライロIDが使える鉄道", en: "Railways that accept Mirairo ID" },
  couponsH: { ja: "ミライロIDのクーポン", en: "Mirairo ID coupons" },
  loading: { ja: "読み込み中です…", en: "Loading…" },
  signingIn: { ja: "ログインを完了しています…", en: "Completing your login…" },
  notSignedIn: { ja: "ログインしていません。予約のページからやり直してください。", en: "You are not logged in. Please start again from the booking page." },
  backToSearch: { ja: "区間の選択に戻る", en: "Back to choosing a trip" },
  noTrip: { ja: "予約する区間がわかりません。区間の選択からやり直してください。", en: "We don't know which trip to book. Please choose your trip again." },
  certH: { ja: "確認できた手帳の情報", en: "What your certificate shows" },
  certNote: { ja: "ミライロIDで開示された項目だけを表示しています。", en: "Only the items you disclosed through Mirairo ID are shown." },
  fareResultH: { ja: "3. 割引運賃", en: "3. Your discounted fare" },
  you: { ja: "ご本人", en: "You" },
  companionLabel: { ja: "介護者", en: "Companion" },
  noDiscount: { ja: "割引の対象外です", en: "No discount applies" },
  rule: { ja: "適用した規則", en: "Rule applied" },
  bookH: { ja: "4. 予約する", en: "4. Book" },
  discloseLegend: { ja: "みらい鉄道に提示する項目", en: "What to show Mirai Railway" },
  discloseHint: {
    ja: "「旅客運賃減額」と「有効期限」は割引の判定に必要です。ほかの項目は外しても予約できます。",
    en: "The fare discount class and the expiry date are needed to decide the discount. You can untick the others and still book.",
  },
  bookButton: { ja: "この内容で予約する", en: "Book this trip" },
  booking: { ja: "予約しています…", en: "Booking…" },
  bookedH: { ja: "予約が完了しました", en: "Your booking is confirmed" },
  bookingId: { ja: "予約番号", en: "Booking number" },
  verifiedH: { ja: "みらい鉄道のサーバーが確認した内容", en: "What Mirai Railway's server verified" },
  verifiedNote: {
    ja: "サーバーは提示データを改めて検証しました（発行元の署名、本人の鍵、このサーバーが発行した使い捨てのノンス、失効していないこと）。記録に残すのは、ここに表示した項目だけです。",
    en: "The server verified the presentation again (the issuer's signature, your key, a single-use nonce it issued, and that the credential is not revoked). It keeps only the items shown here.",
  },
  keyBound: { ja: "本人の端末の鍵で署名", en: "Signed with your device's key" },
  yes: { ja: "はい", en: "Yes" },
  no: { ja: "いいえ", en: "No" },
  paid: { ja: "お支払い", en: "To pay" },
  trip: { ja: "区間", en: "Trip" },
  travelDate: { ja: "乗車日", en: "Travel date" },
  newBooking: { ja: "別の区間を予約する", en: "Book another trip" },
  logout: { ja: "ログアウト", en: "Log out" },
  errorH: { ja: "問題が発生しました", en: "Something went wrong" },
  errLogin: { ja: "ログインを完了できませんでした（{code}）。もう一度お試しください。", en: "We could not complete your login ({code}). Please try again." },
  errCancelled: { ja: "ミライロIDでの確認がキャンセルされました。割引なしで予約するか、もう一度ログインしてください。", en: "The check with Mirairo ID was cancelled. Book without the discount, or log in again." },
  errBooking: { ja: "予約できませんでした: {reason}", en: "We could not book: {reason}" },
  errUnverified: { ja: "提示データを確認できませんでした（コード: {code}）。", en: "The presentation could not be verified (code: {code})." },
  errNetwork: { ja: "通信できませんでした。接続を確認して、もう一度お試しください。", en: "We could not connect. Check your connection and try again." },
  yen: { ja: "{n}円", en: "¥{n}" },
  km: { ja: "{n} km", en: "{n} km" },
};

/** Plain words for the server's refusal codes (PROTOCOL.md §4). */
export const refusals = {
  bad_key_binding: {
    ja: "提示データが、この予約のために発行した確認コードと一致しないか、すでに使われています。もう一度「予約する」を押してください。",
    en: "The presentation does not match the one-time code issued for this booking, or was already used. Press “Book this trip” again.",
  },
  key_binding_required: { ja: "本人の端末による署名がありません。", en: "It is not signed by your device." },
  revoked: { ja: "この手帳の情報は失効しています。ミライロIDアプリで手帳を確認してください。", en: "This certificate has been revoked. Check it in the Mirairo ID app." },
  suspended: { ja: "この手帳の情報は一時停止中です。ミライロIDアプリで確認してください。", en: "This certificate is suspended. Check it in the Mirairo ID app." },
  missing_claim: { ja: "割引の判定に必要な「旅客運賃減額」が提示されていません。", en: "The fare discount class, needed to decide the discount, was not shown." },
  certificate_expired: { ja: "手帳の有効期限が過ぎています。", en: "The certificate has expired." },
  expired: { ja: "ログインから時間がたちました。もう一度ログインしてください。", en: "Your login is too old. Please log in again." },
  status_unavailable: { ja: "失効の確認ができませんでした。しばらくしてからお試しください。", en: "We could not check for revocation. Please try again later." },
};

export const claimLabels = {
  certificate_type: { ja: "手帳の種類", en: "Certificate" },
  grade: { ja: "等級", en: "Grade" },
  fare_class: { ja: "旅客運賃減額", en: "Fare discount class" },
  caregiver: { ja: "介護", en: "Caregiver mark" },
  valid_until: { ja: "有効期限", en: "Valid until" },
  issuer_prefecture: { ja: "交付した都道府県", en: "Issuing prefecture" },
  certificate_number: { ja: "手帳番号", en: "Certificate number" },
  issued_on: { ja: "交付日", en: "Issued on" },
  renewed_on: { ja: "更新日", en: "Renewed on" },
  family_name: { ja: "氏", en: "Family name" },
  given_name: { ja: "名", en: "Given name" },
  family_name_kana: { ja: "氏（フリガナ）", en: "Family name (kana)" },
  given_name_kana: { ja: "名（フリガナ）", en: "Given name (kana)" },
  birthdate: { ja: "生年月日", en: "Date of birth" },
  mynaportal: { ja: "マイナポータル連携", en: "Mynaportal link" },
};

export const ticketNames = {
  regular: { ja: "普通乗車券", en: "Regular ticket" },
  coupon: { ja: "回数乗車券", en: "Coupon ticket" },
  ordinary_express: { ja: "普通急行券", en: "Ordinary express ticket" },
  commuter: { ja: "定期乗車券（1か月）", en: "Commuter pass (1 month)" },
  limited_express: { ja: "特急券", en: "Limited express ticket" },
  green: { ja: "グリーン券", en: "Green Car ticket" },
};

const camel = (wire) => wire.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** A claim's value in words, from a VerifiedCertificate (camelCase) or a booking record. */
export function claimValue(cert, wire, lang) {
  const v = cert[camel(wire)];
  const L = (ja, en) => (lang === "en" ? en : ja);
  switch (wire) {
    case "certificate_type":
      return { physical: L("身体障害者手帳", "Physical disability certificate"), mental: L("精神障害者保健福祉手帳", "Mental disability certificate"), intellectual: L("療育手帳", "Intellectual disability certificate (療育手帳)") }[v] ?? String(v);
    case "fare_class":
      return v === 1 ? L("第1種", "Class 1") : v === 2 ? L("第2種", "Class 2") : L("なし", "None");
    case "caregiver":
      return v ? L("あり（介護者も割引の対象になることがあります）", "Yes (a companion may travel at the discount too)") : L("なし", "No");
    case "valid_until":
    case "renewed_on":
      return v === null ? L("記載なし", "None printed") : String(v);
    case "mynaportal":
      return { unlinked: L("未連携", "Not linked"), pending: L("申請中", "Pending"), linked: L("連携済", "Linked") }[v] ?? String(v);
    default:
      return v === null || v === undefined ? "—" : String(v);
  }
}

export function yen(n, lang) {
  return format(t(dict, "yen", lang), { n: Number(n).toLocaleString(lang === "en" ? "en-US" : "ja-JP") });
}

let stationsPromise;
/** The stations, from the railway's backend. */
export function stations() {
  stationsPromise ??= fetch("/demo-api/stations").then(async (r) => {
    if (!r.ok) throw new Error(`stations: HTTP ${r.status}`);
    return (await r.json()).stations;
  });
  return stationsPromise;
}

export function stationName(list, id, lang) {
  return list.find((s) => s.id === id)?.name[lang] ?? id;
}

/** The full fare of a trip, from the railway's own tariff: `{ fare, oneWayKm, ticket }`. */
export async function fullFare(trip) {
  const q = new URLSearchParams({ from: trip.from, to: trip.to, ticket: trip.ticket });
  const r = await fetch(`/demo-api/fare?${q}`);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error_description ?? `HTTP ${r.status}`);
  return body;
}

const TRIP_KEY = "mirai-rail-trip";
export function saveTrip(trip) {
  sessionStorage.setItem(TRIP_KEY, JSON.stringify(trip));
}
export function loadTrip() {
  try {
    const trip = JSON.parse(sessionStorage.getItem(TRIP_KEY) ?? "null");
    return trip && typeof trip.from === "string" && typeof trip.to === "string" && TICKETS.includes(trip.ticket) ? trip : null;
  } catch {
    return null;
  }
}

/** Today in Japan, `YYYY-MM-DD`. */
export function todayInJapan(now = Date.now()) {
  return new Date(now + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

/**
 * Fills a trip form's station and ticket selects (`from`, `to`, `ticket`) in `lang`,
 * keeping what was chosen: the booking page and the station window share it.
 */
export function fillTripSelects({ from, to, ticket }, stationList, lang) {
  const fill = (select, entries) => {
    const keep = select.value;
    select.replaceChildren(option("", t(dict, "choose", lang)), ...entries.map(([v, text]) => option(v, text)));
    select.value = keep;
  };
  const names = stationList.map((s) => [s.id, s.name[lang]]);
  fill(from, names);
  fill(to, names);
  fill(ticket, TICKETS.map((k) => [k, ticketNames[k][lang]]));
}
