// みらい鉄道: the redirect URI. Finishes the login, then steps 3 and 4 (booking.js).
import { setupI18n } from "/assets/i18n.js";
import { dict, loginConfig } from "/demo/railway.js";
import { MirairoId } from "/pkg/sdk/index.js";
import { showReview, showProblem, loginProblem, render } from "/demo/booking.js";

const lang = setupI18n(dict, () => render());

async function start() {
  let mirairo;
  try {
    mirairo = await MirairoId.create(loginConfig(lang));
    if (MirairoId.isCallback()) await mirairo.handleRedirectCallback();
  } catch (e) {
    showProblem(loginProblem(e));
    return;
  }
  await showReview(mirairo);
}

start();
