import type { ReactNode } from "react";
// Reserve the elements' boxes in the server-rendered HTML, before the browser has run
// the packages: the login button's (button.css) and the widget's placeholder with its
// loading text in the page's language (placeholder.css).
import "@mirairo-id/sdk/button.css";
import "@mirairo-id/widget/placeholder.css";
import "../globals.css";

export default async function Layout({ children, params }: { children: ReactNode; params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  return (
    <html lang={lang === "en" ? "en" : "ja"}>
      <body>{children}</body>
    </html>
  );
}
