/**
 * The HTML report in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
 * no browser is ever downloaded): hostile tenant strings must set no sentinel global and make no
 * network request. Two controls prove the harness would notice: the same payloads pasted raw into a
 * page do run, and pasted raw into our page are stopped by its Content-Security-Policy.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { CHROMIUM_ARGS } from "../../src/report/pdf.js";
import { HOSTILE, hostileReport } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const REPORT_URL = "http://report.test/breakglass-report.html";
const ARGS = CHROMIUM_ARGS;

interface Visit {
  pwned: unknown;
  /** every request the page attempted, whatever became of it. */
  requests: string[];
  /** the requests that got past the renderer to the network layer (here: our router). */
  routed: string[];
  /** why the attempted requests failed, by URL ("csp": blocked in the renderer by the policy). */
  failures: Record<string, string>;
  finalUrl: string;
  text: string;
}

// Skipped only on a developer machine without Chromium; in CI a missing browser fails the tests.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("the HTML report in headless Chromium", () => {
  let userDataDir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    userDataDir = await mkdtemp(join(tmpdir(), "bg-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      offline: false,
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await rm(userDataDir, { recursive: true, force: true });
  });

  /** Serves `html` as the only resource; every other request is recorded and refused. */
  async function visit(html: string): Promise<Visit> {
    const requests: string[] = [];
    const routed: string[] = [];
    const failures: Record<string, string> = {};
    const page = await context.newPage();
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => (failures[r.url()] = r.failure()?.errorText ?? "failed"));
    await page.route("**/*", (route) => {
      routed.push(route.request().url());
      return route.request().url() === REPORT_URL
        ? route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html })
        : route.abort("blockedbyclient");
    });
    try {
      await page.goto(REPORT_URL, { waitUntil: "load" });
      // Give onerror/onload/onfocus handlers and a meta refresh time to fire: the network falls
      // quiet (Playwright's 500 ms idle rule), then a short settle. The controls below prove the
      // window is long enough: the same payloads pasted raw do fire within it.
      await page.focus("body").catch(() => undefined);
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(500);
      return {
        pwned: await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
        requests,
        routed,
        failures,
        finalUrl: page.url(),
        text: await page.evaluate(() => document.body?.innerText ?? ""),
      };
    } finally {
      await page.close();
    }
  }

  it("runs no tenant script and loads nothing", async () => {
    const html = renderHtml(hostileReport());
    const v = await visit(html);
    expect(v.pwned).toBeUndefined();
    expect(v.requests).toEqual([REPORT_URL]);
    expect(v.routed).toEqual([REPORT_URL]);
    expect(v.finalUrl).toBe(REPORT_URL);
    // The tenant's strings are there, as text.
    expect(v.text).toContain(HOSTILE.script);
    expect(v.text).toContain(HOSTILE.img);
    expect(v.text).toContain("admin\\u{202e}gpj.exe");
    expect(v.text).toContain(HOSTILE.long);
  }, 60_000);

  it("prints readably: on A4 paper nothing runs off the page, 10,000-character names wrap", async () => {
    const page = await context.newPage();
    await page.route("**/*", (route) =>
      route.request().url() === REPORT_URL
        ? route.fulfill({
            status: 200,
            contentType: "text/html; charset=utf-8",
            body: renderHtml(hostileReport()),
          })
        : route.abort("blockedbyclient"),
    );
    try {
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.goto(REPORT_URL, { waitUntil: "load" });
      await page.emulateMedia({ media: "print" });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const pdf = await page.pdf({ format: "A4", printBackground: false });
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    } finally {
      await page.close();
    }
  }, 60_000);

  it("control: the same payloads pasted raw into a page do run and load", async () => {
    const raw = `<!DOCTYPE html><html><body>${HOSTILE.script}${HOSTILE.img}</body></html>`;
    const v = await visit(raw);
    expect(v.pwned).toBeDefined();
    expect(v.routed.some((u) => u.startsWith("http://attacker.test/"))).toBe(true);
  }, 60_000);

  it("control: our Content-Security-Policy stops them even if escaping ever failed", async () => {
    const html = renderHtml(hostileReport()).replace(
      "</body>",
      `${HOSTILE.script}${HOSTILE.img}${HOSTILE.svg}</body>`,
    );
    const v = await visit(html);
    expect(v.pwned).toBeUndefined();
    // Chromium reports the image it refused; the policy stopped it before the network.
    expect(v.routed).toEqual([REPORT_URL]);
    for (const url of v.requests.filter((u) => u !== REPORT_URL)) expect(v.failures[url]).toBe("csp");
  }, 60_000);
});
