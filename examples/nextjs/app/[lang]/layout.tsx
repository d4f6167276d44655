import type { ReactNode } from "react";
// globals.css also reserves the elements' boxes in the server-rendered HTML, before the
// browser has run the packages (button.css and placeholder.css of the packages).
import "../globals.css";

export default async function Layout({ children, params }: { children: ReactNode; params: Promise<{ lang: string }> }) {
  const { lang } = await params;
  return (
    <html lang={lang === "en" ? "en" : "ja"}>
      <body>{children}</body>
    </html>
  );
}
