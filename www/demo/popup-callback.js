// The redirect URI for popup logins: in the login popup, MirairoId.create() hands the
// authorization response to the page that opened it (also under COOP), which finishes the login and
// closes this window. Opened on its own, it says so.
import { setupI18n, t } from "/assets/i18n.js";
import { dict, loginConfig } from "/demo/railway.js";
import { MirairoId } from "/pkg/sdk/index.js";

const words = {
  ...dict,
  popupTitle: { ja: "ログインしています | みらい鉄道", en: "Logging in | Mirai Railway" },
  popupH1: { ja: "ログインしています", en: "Logging in" },
  popupText: {
    ja: "このウィンドウは自動的に閉じます。閉じない場合は、閉じてから元のページにお戻りください。",
    en: "This window closes by itself. If it does not, close it and go back to the page you came from.",
  },
  popupAlone: {
    ja: "このページはログイン用の小さなウィンドウで使われます。予約のページからやり直してください。",
    en: "This page is used in the small login window. Please start again from the booking page.",
  },
};

const lang = setupI18n(words);
const config = { ...loginConfig(lang), redirectUri: location.origin + "/demo/popup-callback.html" };
await MirairoId.create(config);
// In the login popup the SDK hands the response over (to `opener`, or over a
// BroadcastChannel when the site's COOP cut the popup off from it) and closes this
// window. A page still open after that (opened on its own) explains itself.
const alone = () => (document.getElementById("popup-status").textContent = t(words, "popupAlone", lang));
if (MirairoId.isCallback()) setTimeout(alone, 3_000);
else alone();
