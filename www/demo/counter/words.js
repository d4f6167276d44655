// The counter page's words in Japanese and English, and what a clerk reads out for
// every outcome code the counter API can report (PROTOCOL.md §4 and §7.2).

export const counterWords = {
  counterTitle: { ja: "窓口での手帳確認 | みらい鉄道", en: "Counter check | Mirai Railway" },
  counterH1: { ja: "窓口での手帳確認", en: "Check a certificate at the counter" },
  counterIntro: {
    ja: "お客様にミライロIDアプリでQRコードを読み取っていただくと、障害者手帳の内容がお客様の端末から直接届き、その場で確認できます。画面をのぞき込む必要はありません。",
    en: "The customer scans the QR code with the Mirairo ID app; their disability certificate (障害者手帳) then arrives straight from their own device and is checked here. No need to look at their screen.",
  },
  tripH: { ja: "1. ご乗車の内容", en: "1. The trip" },
  counterCompanion: { ja: "介護者（付き添いの方）も乗車", en: "A companion (介護者) travels too" },
  counterChild: { ja: "ご本人が小児（12歳未満）", en: "The holder is a child (under 12)" },
  showQr: { ja: "QRコードを表示", en: "Show the QR code" },
  qrH: { ja: "2. お客様に読み取っていただく", en: "2. The customer scans the code" },
  qrText: {
    ja: "ミライロIDアプリでこのQRコードを読み取っていただいてください。アプリには、みらい鉄道が求める4項目（手帳の種類、旅客運賃減額の区分、介護の有無、有効期限）だけが表示されます。氏名や手帳番号は求めません。",
    en: "Ask the customer to scan this QR code with the Mirairo ID app. The app shows only the four items Mirai Railway asks for (type of certificate, fare discount class, caregiver mark, expiry date). We do not ask for the name or the certificate number.",
  },
  remaining: { ja: "有効期限まで", en: "Expires in" },
  minSec: { ja: "{m}分{s}秒", en: "{m} min {s} s" },
  oneMinuteLeft: { ja: "QRコードの有効期限まで、あと1分です。", en: "The QR code expires in one minute." },
  waiting: {
    ja: "お客様のアプリからの回答を待っています。回答が届くと自動で表示されます。",
    en: "Waiting for the customer's app. The answer appears here on its own.",
  },
  creating: { ja: "QRコードを準備しています…", en: "Preparing the QR code…" },
  qrShown: { ja: "QRコードを表示しました。お客様に読み取っていただいてください。", en: "The QR code is shown. Ask the customer to scan it." },
  cancel: { ja: "取り消して入力に戻る", en: "Cancel and go back" },
  outcomeH: { ja: "3. 確認の結果", en: "3. The result" },
  again: { ja: "新しいQRコードを表示", en: "Show a new QR code" },
  nextCustomer: { ja: "次のお客様（入力に戻る）", en: "Next customer (back to the trip)" },
  verifiedH: { ja: "確認できました", en: "Verified" },
  valid: { ja: "有効", en: "valid" },
  onOwnDevice: { ja: "本人の端末で確認済み", en: "verified on the holder's own device" },
  class1: { ja: "第1種", en: "Class 1" },
  class2: { ja: "第2種", en: "Class 2" },
  noClass: { ja: "旅客運賃減額の区分なし", en: "No fare discount class" },
  fareH: { ja: "運賃", en: "Fare" },
  fullFareLine: { ja: "{trip}（片道 {km} km）・{ticket}: 通常 {fare}", en: "{trip} ({km} km one way), {ticket}: normally {fare}" },
  holderPays: { ja: "ご本人", en: "Holder" },
  companionPays: { ja: "介護者", en: "Companion" },
  notEligible: { ja: "割引の対象外です", en: "No discount applies" },
  announceVerified: { ja: "確認できました。{headline}。ご本人 {holder}。", en: "Verified. {headline}. Holder pays {holder}." },
  announceCompanion: { ja: "介護者 {companion}。", en: "Companion pays {companion}." },
  failedH: { ja: "確認できませんでした", en: "Not verified" },
  declinedH: { ja: "お客様が提示を取りやめました", en: "The customer declined" },
  expiredH: { ja: "QRコードの有効期限が切れました", en: "The QR code has expired" },
  codeLabel: { ja: "コード: {code}", en: "Code: {code}" },
  onlyAsked: { ja: "お客様が提示した4項目だけを表示しています。", en: "Only the four items the customer presented are shown." },
  errCreate: { ja: "QRコードを用意できませんでした。もう一度お試しください。", en: "The QR code could not be prepared. Please try again." },
  errFull: { ja: "ただいま混み合っています。1分ほどしてからお試しください。", en: "Too many open requests. Please try again in a minute." },
};

/**
 * What the clerk reads out, for every code the counter status can carry: the §4 codes,
 * the §7.2 request codes (with `wallet_error`), the declined and expired outcomes, and
 * the page's own `network` and `server_error`.
 */
export const reasons = {
  malformed: {
    ja: "アプリから届いたデータの形式が正しくありません。アプリを最新にして、もう一度読み取っていただいてください。",
    en: "The data from the app is not in the right form. Ask the customer to update the app and scan again.",
  },
  unsupported_algorithm: {
    ja: "データの署名方式が認められないものです。この提示は受け付けられません。",
    en: "The data is signed in a way that is not accepted. This presentation cannot be used.",
  },
  wrong_type: {
    ja: "手帳のデータではないものが届きました。ミライロIDアプリで読み取っていただいてください。",
    en: "What arrived is not certificate data. Ask the customer to scan with the Mirairo ID app.",
  },
  unknown_key: {
    ja: "発行元の鍵を確認できませんでした。ミライロIDが発行したデータではない可能性があります。",
    en: "The issuer's key could not be found. The data may not have been issued by Mirairo ID.",
  },
  bad_signature: {
    ja: "発行元の署名が正しくありません。データが改ざんされている可能性があります。",
    en: "The issuer's signature is not valid. The data may have been altered.",
  },
  wrong_issuer: {
    ja: "ミライロID以外が発行したデータです。この提示は受け付けられません。",
    en: "The data was issued by someone other than Mirairo ID. It cannot be accepted.",
  },
  wrong_credential_type: {
    ja: "障害者手帳のデータではありません。アプリで障害者手帳を選んでいただいてください。",
    en: "This is not disability certificate data. Ask the customer to choose their disability certificate in the app.",
  },
  expired: {
    ja: "アプリ内の手帳データの期限が切れています。アプリを開き直して更新し、もう一度読み取っていただいてください。",
    en: "The certificate data in the app has run out. Ask the customer to reopen the app to refresh it, then scan again.",
  },
  not_yet_valid: {
    ja: "データの日時が先になっています。お客様の端末の時計を確認していただき、もう一度お試しください。",
    en: "The data is dated in the future. Ask the customer to check their phone's clock, then try again.",
  },
  bad_disclosure: {
    ja: "提示された項目のデータが正しくありません。もう一度読み取っていただいてください。",
    en: "The presented items are not valid. Ask the customer to scan again.",
  },
  key_binding_required: {
    ja: "お客様の端末による署名がありません。画面の写しなど、本人の端末以外からの提示の可能性があります。",
    en: "There is no signature by the customer's device. It may not come from their own phone (a copy or screenshot).",
  },
  bad_key_binding: {
    ja: "お客様の端末による署名が、このQRコードと一致しません。新しいQRコードを読み取っていただいてください。",
    en: "The customer's device signature does not match this QR code. Ask them to scan a new QR code.",
  },
  missing_claim: {
    ja: "割引の判定に必要な項目（旅客運賃減額の区分・有効期限など）が提示されませんでした。アプリですべての項目を選んでいただいてください。",
    en: "An item needed for the discount (the fare class, the expiry date…) was not presented. Ask the customer to tick every item in the app.",
  },
  revoked: {
    ja: "この手帳は失効しています。割引は適用できません。",
    en: "This certificate has been revoked. No discount can be given.",
  },
  suspended: {
    ja: "この手帳は一時停止中です。割引は適用できません。お客様にミライロIDアプリで確認していただいてください。",
    en: "This certificate is suspended. No discount can be given. The customer can check it in the Mirairo ID app.",
  },
  status_unavailable: {
    ja: "失効していないかを確認できませんでした。しばらくしてからもう一度お試しください。",
    en: "We could not check whether the certificate was revoked. Please try again shortly.",
  },
  certificate_expired: {
    ja: "手帳の有効期限が過ぎています。割引は適用できません。",
    en: "The certificate is past its expiry date. No discount can be given.",
  },
  invalid_request: {
    ja: "アプリからの回答の形式が正しくありません。新しいQRコードで、もう一度読み取っていただいてください。",
    en: "The app's answer is not in the right form. Ask the customer to scan a new QR code.",
  },
  request_not_found: {
    ja: "このQRコードへの回答は受け付けられませんでした（すでに回答済みか、期限切れです）。新しいQRコードを表示してください。",
    en: "This QR code could not take the answer (already answered, or expired). Show a new QR code.",
  },
  request_expired: {
    ja: "QRコードの有効期限が切れてから回答が届きました。新しいQRコードを表示してください。",
    en: "The answer arrived after the QR code expired. Show a new QR code.",
  },
  declined: {
    ja: "お客様がアプリで提示を取りやめました。割引を希望される場合は、新しいQRコードを表示してください。",
    en: "The customer declined in the app. If they want the discount, show a new QR code.",
  },
  wallet_error: {
    ja: "お客様のアプリがこの依頼に回答できませんでした。アプリを最新にして、新しいQRコードを読み取っていただいてください。",
    en: "The customer's app could not answer this request. Ask them to update the app and scan a new QR code.",
  },
  request_timed_out: {
    ja: "時間内に回答がありませんでした。新しいQRコードを表示してください。",
    en: "No answer arrived in time. Show a new QR code.",
  },
  network: {
    ja: "サーバーと通信できませんでした。接続を確認して、新しいQRコードを表示してください。",
    en: "We could not reach the server. Check the connection and show a new QR code.",
  },
  server_error: {
    ja: "サーバーで問題が起きました。新しいQRコードを表示してください。",
    en: "The server had a problem. Show a new QR code.",
  },
};

/** The clerk's words for `code` in `lang`; an unknown code gets the general words. */
export function reason(code, lang) {
  const entry = reasons[code] ?? reasons.server_error;
  return entry[lang === "en" ? "en" : "ja"];
}
