/**
 * Every path a comment or document cites exists in the repository, so a clone can follow it:
 * repository paths (`src/...`, `docs/...`, ...), bare document names (`README.md`, resolved beside
 * the citing file or at the root), sections (`docs/<doc>.md §N` needs a heading numbered N),
 * quoted headings (`docs/<doc>.md "Name"` needs that text in the document) and relative Markdown links.
 * Nothing may cite the working material outside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SCANNED = ["src", "emulator", "test", "bench", "scripts", "docs"];
const CODE = /\.(ts|mts|js|mjs|cjs)$/;
const ROOTS = "src|docs|emulator|test|fixtures|schemas|bench|scripts";

/** Repository-relative paths of every scanned file, README.md included. */
function scannedFiles(): string[] {
  const files = ["README.md"];
  for (const dir of SCANNED) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      const path = join(dir, entry);
      if (path.includes("node_modules") || !statSync(join(ROOT, path)).isFile()) continue;
      if (CODE.test(path) || path.endsWith(".md")) files.push(path);
    }
  }
  return files;
}

/** The text that can cite: comments in code, everything in Markdown. */
function citingText(path: string, text: string): string {
  if (!CODE.test(path)) return text;
  return (text.match(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g) ?? []).join("\n");
}

/** A cited path ends before trailing punctuation; placeholders and globs are not citations. */
const clean = (p: string) => p.replace(/[.,:;)]+$/, "");
const isPattern = (p: string) => /[*<>{}…]|\.\.\.|\/\/|\$\{/.test(p);

const headingsOf = (doc: string) =>
  doc
    .split("\n")
    .filter((l) => /^#{1,6}\s/.test(l))
    .map((l) => l.replace(/^#+\s*/, "").trim());

/** `§N` (or the range `§N-M`) names sections whose headings start with N. */
function missingSections(doc: string, cite: string): string[] {
  const headings = headingsOf(doc);
  return cite
    .split(/\s*[-–]\s*/)
    .filter((n) => !headings.some((h) => h === n || h.startsWith(`${n} `) || h.startsWith(`${n}.`)));
}

interface Citation {
  file: string;
  cited: string;
  target: string | undefined;
  section?: string;
  quoted?: string;
}

function citationsOf(file: string): Citation[] {
  const text = citingText(file, readFileSync(join(ROOT, file), "utf8"));
  const found: Citation[] = [];
  const here = dirname(file);
  const tail = String.raw`(?:\s*§\s*([0-9][0-9.]*[0-9]?(?:\s*[-–]\s*[0-9][0-9.]*[0-9]?)?))?(?:\s+"([^"\n]+)")?`;
  const repoPath = new RegExp(String.raw`(?<![\w./@~-])((?:${ROOTS})/[\w./@<>*{}$-]*)${tail}`, "g");
  for (const m of text.matchAll(repoPath)) {
    const cited = clean(m[1]!);
    if (isPattern(m[0])) continue;
    found.push({
      file,
      cited,
      target: existsSync(join(ROOT, cited)) ? cited : undefined,
      section: m[2],
      quoted: m[3],
    });
  }
  const bare = new RegExp(String.raw`(?<![\w./@~\-\]])([A-Za-z0-9][\w-]*\.md)\b${tail}`, "g");
  for (const m of text.matchAll(bare)) {
    const name = m[1]!;
    // Beside the citing file or at the root; a document in docs/ is cited as docs/<name>.
    const target = [join(here, name), name].find((p) => existsSync(join(ROOT, p)));
    found.push({ file, cited: name, target, section: m[2], quoted: m[3] });
  }
  if (file.endsWith(".md")) {
    for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/i.test(link)) continue;
      const target = relative(ROOT, resolve(ROOT, here, link));
      found.push({ file, cited: link, target: existsSync(join(ROOT, target)) ? target : undefined });
    }
  }
  return found;
}

describe("paths cited in comments and docs", () => {
  const files = scannedFiles();
  const citations = files.flatMap(citationsOf);

  it("finds the citations it checks", () => {
    expect(citations.length).toBeGreaterThan(50);
    expect(citations.some((c) => c.cited === "docs/ca-semantics.md" && c.section)).toBe(true);
  });

  it("cites only paths that exist in the repository", () => {
    const missing = citations.filter((c) => !c.target).map((c) => `${c.file}: ${c.cited}`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it("cites only sections and headings the document has", () => {
    const wrong: string[] = [];
    for (const c of citations) {
      if (!c.target?.endsWith(".md") || (!c.section && !c.quoted)) continue;
      const doc = readFileSync(join(ROOT, c.target), "utf8");
      for (const n of c.section ? missingSections(doc, c.section) : [])
        wrong.push(`${c.file}: ${c.target} §${n}`);
      if (c.quoted && !doc.toLowerCase().includes(c.quoted.toLowerCase()))
        wrong.push(`${c.file}: ${c.target} "${c.quoted}"`);
    }
    expect([...new Set(wrong)]).toEqual([]);
  });

  it("cites nothing outside the repository", () => {
    const outside = new RegExp(
      ["\\.\\./" + "shared", "/work/" + "shared", "shared/(spec|reference|seeds)"].join("|"),
    );
    const offenders = files.filter((f) => outside.test(readFileSync(join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
