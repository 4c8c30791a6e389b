/**
 * Loads `@kusto/language-service-next` (Kusto.Language compiled with Bridge.NET) on first use and
 * exposes the few things the analysis needs: parse a query, its syntax diagnostics, and a typed view
 * of the syntax tree. The package is several megabytes and defines globals (`Bridge`, `Kusto`), so it
 * is required lazily, only when a query is actually analysed.
 */
import { createRequire } from "node:module";

/** A node or token of the Kusto syntax tree, as the Bridge.NET objects expose it. */
export interface KNode {
  readonly Kind: number;
  readonly ChildCount: number;
  GetChild(i: number): KNode | null;
  readonly Parent: KNode | null;
  readonly IsToken: boolean;
  readonly TextStart: number;
  readonly End: number;
  /** tokens only: the token text and its value (literals decoded). */
  readonly Text?: string;
  readonly ValueText?: string;
  /** literal expressions only: the decoded value (verbatim, obfuscated and escaped strings). */
  readonly LiteralValue?: unknown;
  readonly constructor: { $$name?: string };
}

/** The parts of the Kusto parser's Bridge.NET objects read here (the package ships no types). */
interface KustoDiagnostic {
  readonly Severity: unknown;
  readonly Message: unknown;
  readonly Start: unknown;
}
interface KustoCode {
  readonly Syntax: unknown;
  GetDiagnostics(): unknown;
}
interface KustoGlobals {
  Kusto: { Language: { KustoCode: { Parse(text: string): KustoCode } } };
  Bridge: { toArray(list: unknown): KustoDiagnostic[] };
}

let loaded: KustoGlobals | undefined;

function kusto(): KustoGlobals {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next");
  const g = globalThis as unknown as Partial<KustoGlobals>;
  if (!g.Kusto?.Language?.KustoCode || !g.Bridge?.toArray)
    throw new Error("@kusto/language-service-next did not define Kusto.Language");
  loaded = g as KustoGlobals;
  return loaded;
}

export interface ParsedKql {
  root: KNode;
  /** syntax errors only: no schema is given, so unknown names are not reported. */
  errors: Array<{ message: string; start: number }>;
}

/**
 * Parses are kept by query text: one assess analyses the same alert query for several checks, and a
 * test suite grades the same sample many times. The syntax tree is never modified, so sharing it is
 * safe. Bounded, oldest first out, so a long-running process holding many tenants stays small.
 */
const PARSE_CACHE_LIMIT = 256;
const parses = new Map<string, ParsedKql>();

export function parseKql(text: string): ParsedKql {
  const cached = parses.get(text);
  if (cached) {
    // Refresh its place so the most recently used parses are the ones kept.
    parses.delete(text);
    parses.set(text, cached);
    return cached;
  }
  const parsed = parseUncached(text);
  parses.set(text, parsed);
  if (parses.size > PARSE_CACHE_LIMIT) parses.delete(parses.keys().next().value!);
  return parsed;
}

function parseUncached(text: string): ParsedKql {
  const k = kusto();
  const code = k.Kusto.Language.KustoCode.Parse(text);
  const errors = k.Bridge.toArray(code.GetDiagnostics())
    .filter((d) => String(d.Severity) === "Error")
    .map((d) => ({ message: String(d.Message), start: Number(d.Start) }));
  return { root: code.Syntax as KNode, errors };
}

/*
 * The tree is walked many times per query (every filter, for every row an alert is asked about), and
 * each step through a Bridge.NET node is a property getter and a virtual call. The tree is never
 * modified, so what a node is and what it holds are read once and kept beside it; the maps hold
 * nothing a dropped tree would need.
 */
const classNames = new WeakMap<object, string>();
const childLists = new WeakMap<KNode, readonly KNode[]>();
const elementLists = new WeakMap<KNode, readonly KNode[]>();
const names = new WeakMap<KNode, string | undefined>();

/** The syntax class of a node, e.g. `BinaryExpression`, `FilterOperator`, `LiteralToken`. */
export function nodeClass(n: KNode): string {
  // One name per Bridge class: read once per constructor.
  let cls = classNames.get(n.constructor);
  if (cls === undefined) {
    // Generic Bridge names read `Kusto.Language.Syntax.SyntaxList$1$Kusto...Expression`: cut the arguments.
    const full = (n.constructor.$$name ?? "").split("$")[0] ?? "";
    const last = full.slice(full.lastIndexOf(".") + 1);
    cls = last.includes("+") ? last.slice(last.indexOf("+") + 1) : last;
    classNames.set(n.constructor, cls);
  }
  return cls;
}

export function children(n: KNode): readonly KNode[] {
  let out = childLists.get(n);
  if (!out) {
    const list: KNode[] = [];
    for (let i = 0; i < n.ChildCount; i++) {
      const c = n.GetChild(i);
      if (c) list.push(c);
    }
    out = Object.freeze(list);
    childLists.set(n, out);
  }
  return out;
}

/** Children that are not tokens, with syntax lists and separated elements flattened away. */
export function elements(n: KNode): readonly KNode[] {
  let out = elementLists.get(n);
  if (!out) {
    const list: KNode[] = [];
    for (const c of children(n)) {
      const cls = nodeClass(c);
      if (cls.startsWith("SyntaxList") || cls.startsWith("SeparatedElement")) list.push(...elements(c));
      else if (!c.IsToken) list.push(c);
    }
    out = Object.freeze(list);
    elementLists.set(n, out);
  }
  return out;
}

export function tokens(n: KNode): KNode[] {
  return descendants(n).filter((d) => d.IsToken);
}

/** The node and everything under it, in document order (iterative: deep trees do not cost depth²). */
export function descendants(n: KNode): KNode[] {
  const out: KNode[] = [];
  const stack: KNode[] = [n];
  while (stack.length) {
    const cur = stack.pop()!;
    out.push(cur);
    const kids = children(cur);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

/** The identifier of a NameReference / NameDeclaration / TokenName. */
export function nameOf(n: KNode): string | undefined {
  const cls = nodeClass(n);
  if (cls !== "NameReference" && cls !== "NameDeclaration" && cls !== "TokenName") return undefined;
  if (names.has(n)) return names.get(n);
  const t = tokens(n).find((x) => (x.Text ?? "") !== "");
  const name = t?.ValueText ?? t?.Text;
  names.set(n, name);
  return name;
}

export function excerptOf(text: string, n: KNode, max = 240): string {
  const s = text.slice(n.TextStart, n.End).replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
