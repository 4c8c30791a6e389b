/**
 * `breakglass runbook` in its own process: the PDF printed by Debian's headless Chromium is A4,
 * one section per page, and its text (pdftotext) holds every custodian, location and after-use
 * step and none of the secrets planted where a person could have written one (a drill's notes, a
 * use's reason). A PNG of page 1 (pdftoppm) is kept in test-artifacts/. No skip: without Chromium
 * or poppler-utils these tests fail.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AFTER_USE_STEPS } from "../../src/drills/after-use.js";
import { parseCustody } from "../../src/records/custody.js";
import { RUNBOOK_SECTIONS } from "../../src/report/runbook.js";
import { FIXTURES } from "../e2e/helpers.js";
import { breakglass } from "../support/cli.js";

const run = promisify(execFile);
const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
const EA = "zt4p9w@contosomedical.onmicrosoft.com";
const EA2 = "mq8r3x@contosomedical.onmicrosoft.com";
const HOSTILE = `Mallory <img src=x onerror="alert(1)"> **bold** [x](https://evil.test)`;
const SECRETS = ["846213", "Tr0ub4dor&3-SECRET", "TAP-Zq9xW2"];
const CUSTODIANS = ["Ana Lima", "Bo Chen", "Cy Duarte", "Di Evans", HOSTILE];
const LOCATIONS = [
  "site-a/safe-1",
  "site-b/safe-2",
  "site-c/vault-3",
  "site-d/locker-4",
  "hq/envelope-9",
  "hq/envelope-10",
];
const CUSTODY = `# who holds what (hand-written)
custodians:
  - { name: Ana Lima, contact: ana@contoso.test, since: 2026-01-01, trainedOn: 2026-01-20 }
  - { name: Bo Chen, since: 2026-01-01 }
  - { name: Cy Duarte, since: 2026-01-01 }
  - { name: Di Evans, since: 2026-01-01 }
  - { name: ${JSON.stringify(HOSTILE)}, since: 2026-01-01 }
keys:
  - { label: zt-a, account: ${EA}, model: YubiKey 5 NFC, location: site-a/safe-1, custodians: [Ana Lima, Bo Chen] }
  - { label: mq-a, account: ${EA2}, model: Feitian ePass, location: site-b/safe-2, custodians: [Cy Duarte, ${JSON.stringify(HOSTILE)}] }
pins:
  - { key: zt-a, location: site-c/vault-3, custodians: [Cy Duarte, Di Evans] }
  - { key: mq-a, location: site-d/locker-4, custodians: [Ana Lima, Bo Chen] }
passwordHalves:
  - { account: ${EA}, half: 1, location: hq/envelope-9, custodian: Ana Lima }
  - { account: ${EA}, half: 2, location: hq/envelope-10, custodian: Di Evans }
runbook: { location: hq/binder, readers: [CISO, Ana Lima], changedOn: 2026-01-15 }
`;

const record = (r: Record<string, unknown>) =>
  `${JSON.stringify({ schema: "breakglass.drill/v1", keysAtStart: [], ...r }, null, 2)}\n`;

/** pdftotext breaks lines where the page does: compare without whitespace. */
const flat = (s: string) => s.replace(/\s+/g, "");

// One configuration folder for every test, written by them in order, so the order is part of the
// test (kept under `--sequence.shuffle`).
describe(
  "breakglass runbook (a separate process, headless Chromium, poppler-utils)",
  { shuffle: false },
  () => {
    let dir: string;
    const config = () => join(dir, "breakglass.yaml");
    const cli = (args: string[], env: Record<string, string> = {}) =>
      breakglass([...args, "--config", config()], env);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "bg-runbook-"));
      await copyFile(join(FIXTURES, "good.breakglass.yaml"), config());
      await writeFile(join(dir, "custody.yaml"), CUSTODY);
      await mkdir(join(dir, "drills"));
      await mkdir(join(dir, "uses"));
      await writeFile(
        join(dir, "drills", "drill-20261101t1000-aaaaaa.json"),
        record({
          id: "drill-20261101t1000-aaaaaa",
          kind: "drill",
          account: { id: "11111111-1111-1111-1111-111111111111", userPrincipalName: EA },
          key: "zt-a",
          startedAt: "2026-11-01T10:00:00Z",
          finishedAt: "2026-11-01T10:20:00Z",
          outcome: "success",
          notes: `PIN was ${SECRETS[0]}, TAP ${SECRETS[2]}`,
        }),
      );
      await writeFile(
        join(dir, "uses", "use-20261115t0800-bbbbbb.json"),
        record({
          id: "use-20261115t0800-bbbbbb",
          kind: "use",
          account: { id: EA2 },
          reason: `lockout; password ${SECRETS[1]}`,
          startedAt: "2026-11-15T08:00:00Z",
        }),
      );
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("writes Markdown, HTML and an A4 PDF, mode 0600, one section per page, every custodian, location and step, no secret", async () => {
      const out = join(dir, "binder");
      const r = await cli(["runbook", "--format", "md,html,pdf", "--out-dir", out]);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      for (const f of ["runbook.md", "runbook.html", "runbook.pdf"])
        expect((await stat(join(out, f))).mode & 0o777, f).toBe(0o600);
      const pdf = join(out, "runbook.pdf");

      const info = (await run("pdfinfo", [pdf])).stdout;
      expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 841(\.\d+)? pts \(A4\)/);
      const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
      expect(pages).toBe(1 + RUNBOOK_SECTIONS.length);
      // Page 1 is the cover; each section starts the next page, with its heading first.
      for (const [i, title] of RUNBOOK_SECTIONS.entries()) {
        const page = (await run("pdftotext", ["-f", String(i + 2), "-l", String(i + 2), "-layout", pdf, "-"]))
          .stdout;
        expect(page.trimStart().startsWith(title), `page ${i + 2} starts with ${title}`).toBe(true);
      }

      const text = flat((await run("pdftotext", [pdf, "-"])).stdout);
      for (const name of CUSTODIANS) expect(text, name).toContain(flat(name));
      for (const location of [...LOCATIONS, "hq/binder"]) expect(text, location).toContain(location);
      for (const step of AFTER_USE_STEPS) expect(text, step.id).toContain(flat(step.text));
      expect(text).toContain("2026-11-01T10:00:00Z"); // the drill history
      for (const secret of SECRETS) {
        expect(text).not.toContain(secret);
        for (const f of ["runbook.md", "runbook.html"])
          expect(await readFile(join(out, f), "utf8"), `${f} ${secret}`).not.toContain(secret);
      }

      await run("pdftoppm", [
        "-png",
        "-r",
        "60",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        pdf,
        join(ARTIFACTS, "runbook-page1"),
      ]);
      const png = await readFile(join(ARTIFACTS, "runbook-page1.png"));
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    }, 120_000);

    it("escapes the hostile custodian in HTML (and forbids scripts by policy) and in Markdown", async () => {
      const html = await cli(["runbook", "--format", "html"]);
      expect(html.code).toBe(0);
      expect(html.stdout).not.toContain("<img");
      expect(html.stdout).toContain("Mallory &lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
      expect(html.stdout).toMatch(/Content-Security-Policy" content="default-src &#39;none&#39;/);
      const md = await cli(["runbook"]);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/^# Emergency access runbook/);
      expect(md.stdout).not.toContain("<img");
      expect(md.stdout).toContain("\\*\\*bold\\*\\*");
      expect(md.stdout).not.toContain("](https://evil.test)");
    });

    it("--reviewed-by records today's review in custody.yaml, the rest as written; the runbook shows it", async () => {
      const r = await cli(["runbook", "--reviewed-by", "Ana Lima"]);
      expect(r.code).toBe(0);
      const today = new Date().toISOString().slice(0, 10);
      const text = await readFile(join(dir, "custody.yaml"), "utf8");
      expect(text.startsWith("# who holds what (hand-written)\n")).toBe(true);
      expect(parseCustody(text).review).toEqual({ date: today, by: "Ana Lima" });
      expect(parseCustody(text).keys).toEqual(parseCustody(CUSTODY).keys);
      expect(r.stdout).toContain(`Last reviewed ${today} by Ana Lima`);
    });

    it("refuses bad input with exit 2, writing nothing (no review recorded, no directory made)", async () => {
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [["runbook", "--format", "pdf"], {}, /--out FILE or --out-dir/],
        [["runbook", "--format", "docx"], {}, /not a runbook format/],
        [["runbook", "--format", "md,html", "--out", join(dir, "x.md")], {}, /--out writes one format/],
        [
          ["runbook", "--format", "pdf", "--out", join(dir, "no-browser.pdf")],
          { BREAKGLASS_CHROMIUM: join(dir, "no-chromium") },
          /does not exist: install it/,
        ],
        [["runbook", "--reviewed-by", "  "], {}, /--reviewed-by is empty/],
        [
          ["runbook", "--reviewed-by", "Bo Chen", "--format", "pdf", "--out-dir", join(dir, "never")],
          { BREAKGLASS_CHROMIUM: join(dir, "no-chromium") },
          /does not exist: install it/,
        ],
      ];
      const custodyBefore = await readFile(join(dir, "custody.yaml"), "utf8");
      for (const [args, env, message] of cases) {
        const r = await cli(args, env);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr, args.join(" ")).toMatch(message);
      }
      await expect(stat(join(dir, "no-browser.pdf"))).rejects.toThrow();
      await expect(stat(join(dir, "never"))).rejects.toThrow();
      // the review is recorded only once the runbook could be made
      expect(await readFile(join(dir, "custody.yaml"), "utf8")).toBe(custodyBefore);
      await rm(join(dir, "custody.yaml"));
      const none = await cli(["runbook", "--reviewed-by", "Ana Lima"]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no custody.yaml/);
    });
  },
);
