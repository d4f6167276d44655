// The landing page: only the language switch.
import { setupI18n } from "/assets/i18n.js";

const dict = {
  title: { ja: "ミライロID パートナーSDK サンドボックス", en: "Mirairo ID partner SDK sandbox" },
  h1: { ja: "ミライロIDで、障害者手帳の確認をスムーズに", en: "Check disability certificates smoothly with Mirairo ID" },
  lead: {
    ja: "ミライロIDは、障害者手帳をスマートフォンに登録して提示できるアプリです。このサンドボックスでは、事業者の皆さまのサイトに「ミライロIDでログイン」と手帳の確認（運賃の割引まで）を組み込む方法を、手元ですべて試せます。",
    en: "Mirairo ID is the app in which disabled people register their disability certificates (障害者手帳) and show them on their phone. In this sandbox, partner businesses can try everything on their own machine: adding “Log in with Mirairo ID” to their site and checking a certificate, all the way to a discounted fare.",
  },
  demoText: {
    ja: "架空の鉄道会社のきっぷ予約サイトです。ミライロIDでログインし、旅客運賃減額（第1種・第2種）による割引運賃で、介護者とともに予約するまでの流れを体験できます。",
    en: "A fictional railway's ticket booking site: log in with Mirairo ID and book at the fare discount for certificate holders (class 1 and class 2), with a companion (介護者).",
  },
  counterLink: { ja: "窓口での手帳確認（QRコード）", en: "Checking a certificate at the counter (QR code)" },
  pgText: {
    ja: "クレデンシャルや提示データを貼り付けると、プロトコルの各チェックが通ったか、どこで失敗したかを1行ずつ表示します。",
    en: "Paste a credential or a presentation and see each check of the protocol, one row each: which passed and where it failed.",
  },
  wText: {
    ja: "ミライロIDが使える場所とクーポンを表示する部品（<mirairo-places> と <mirairo-coupons>）です。",
    en: "The elements that show where Mirairo ID is accepted and the coupons for holders (<mirairo-places> and <mirairo-coupons>).",
  },
  dText: {
    ja: "はじめての組み込み（コピーして使える10行）と、APIリファレンスです。",
    en: "Getting started (the ten lines to paste) and the API reference.",
  },
  navWallet: { ja: "ミライロIDアプリ（シミュレーター）", en: "The Mirairo ID app (simulator)" },
  walletText: {
    ja: "利用者の側のアプリです。テスト利用者でサインインして手帳を表示し、窓口のQRコード（OpenID4VP）を読み取って提示できます。",
    en: "The holder's side: sign in as a test user, show your certificates, and scan a counter's QR code (OpenID4VP) to present one.",
  },
  howH: { ja: "このサンドボックスでできること", en: "What you can do here" },
  how1: {
    ja: "テスト用の利用者（例: ミライロ ハナコさん、身体障害者手帳 2級 第1種・介護あり）でログインし、同意画面で開示する項目を選べます。",
    en: "Log in as a test user (for example ミライロ ハナコ, physical disability certificate grade 2, fare class 1, with the caregiver mark) and choose on the consent page what to disclose.",
  },
  how2: {
    ja: "ブラウザでの確認に加えて、事業者のサーバーが提示データをもう一度検証します（鍵の紐付け、使い捨てのノンス、失効の確認）。",
    en: "Besides the check in the browser, the partner's server verifies the presentation again (key binding, a single-use nonce, revocation).",
  },
  how3: {
    ja: "運賃の割引は SDK の規則（JRの身体障害者・知的障害者旅客運賃割引規則、2025年4月からの精神障害者保健福祉手帳を含む）で計算し、理由を日本語と英語で示します。",
    en: "Fares are discounted by the SDK's rules (JR's fare discount rules for physically and intellectually disabled passengers, and from April 2025 for mental disability certificate holders too), with the reason in Japanese and English.",
  },
};

setupI18n(dict);
