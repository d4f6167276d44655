// React 19 + Vite: the login button, the signed-in state and the places widget
// (src/mirairo.tsx), served by the sandbox at its registered redirect URI.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@mirairo-id/sdk/button.css";
import "@mirairo-id/widget/placeholder.css";
import { MirairoLogin, MirairoPlaces, type Lang, type MirairoConfig } from "./mirairo";
import "./style.css";

/** `?lang=`, kept in sessionStorage so that it survives the trip to the provider and back. */
function pageLang(): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "ja" || asked === "en") {
    sessionStorage.setItem("lang", asked);
    return asked;
  }
  return sessionStorage.getItem("lang") === "en" ? "en" : "ja";
}

const lang = pageLang();
const title = { ja: "ミライロIDでログイン（React の例）", en: "Log in with Mirairo ID (React example)" }[lang];
const config: MirairoConfig = {
  issuer: location.origin, // the sandbox serves this build
  clientId: "example-react",
  redirectUri: new URL(import.meta.env.BASE_URL, location.origin).href,
  lang,
};

function App() {
  return (
    <main>
      <h1>{title}</h1>
      <MirairoLogin config={config} />
      <MirairoPlaces issuer={config.issuer} lang={lang} />
    </main>
  );
}

document.documentElement.lang = lang;
document.title = title;
const root = document.getElementById("root");
if (!root) throw new Error("#root is missing");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
