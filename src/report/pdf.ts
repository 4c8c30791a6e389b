/**
 * HTML to PDF by headless Chromium (Debian's `chromium`, driven by playwright-core; no browser is
 * ever downloaded). The page is printed from memory with scripts off and the network offline, and
 * every request it would make is refused, so nothing in it can reach out. Paper size comes from
 * the page's own `@page` rule (A4 for the runbook).
 */
import { existsSync } from "node:fs";
import { UsageError } from "../errors.js";

/** Debian's and Ubuntu's Chromium; BREAKGLASS_CHROMIUM names another executable. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The flags Chromium is launched with (here and by the HTML report's browser tests): headless, quiet, no network chatter. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BREAKGLASS_CHROMIUM || DEFAULT_CHROMIUM;
}

export async function htmlToPdf(html: string, executablePath = chromiumPath()): Promise<Uint8Array> {
  if (!existsSync(executablePath))
    throw new UsageError(
      `the PDF is printed by Chromium, and ${executablePath} does not exist: install it (apt-get install chromium) or set BREAKGLASS_CHROMIUM to its path`,
    );
  const { chromium } = await import("playwright-core");
  // Chromium refuses to run as root with its sandbox on; anyone else keeps the sandbox.
  const asRoot = process.getuid?.() === 0;
  const args = asRoot ? CHROMIUM_ARGS : CHROMIUM_ARGS.filter((a) => a !== "--no-sandbox");
  const browser = await chromium.launch({ executablePath, headless: true, args });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route("**/*", (route) => route.abort("blockedbyclient"));
    await page.setContent(html, { waitUntil: "load" });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    return new Uint8Array(pdf);
  } finally {
    await browser.close();
  }
}
