// A server component: rendered on the server at each request (the provider's address is
// read at run time), with the Mirairo ID parts in the client component <Partner>.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { Lang } from "../mirairo";
import { settings } from "../../lib/settings";
import { Partner } from "./partner";

export const dynamic = "force-dynamic";

const titles = { ja: "ミライロIDでログイン（Next.js の例）", en: "Log in with Mirairo ID (Next.js example)" };
type Params = { params: Promise<{ lang: string }> };
const asLang = (lang: string): Lang | null => (lang === "ja" || lang === "en" ? lang : null);

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const lang = asLang((await params).lang) ?? "ja";
  return { title: titles[lang], icons: { icon: "data:," } };
}

export default async function Page({ params }: Params) {
  const lang = asLang((await params).lang);
  if (!lang) notFound();
  const { issuer, appUrl } = settings();
  return (
    <main>
      <h1>{titles[lang]}</h1>
      <Partner config={{ issuer, clientId: "example-nextjs", redirectUri: `${appUrl}/${lang}`, lang }} />
    </main>
  );
}
