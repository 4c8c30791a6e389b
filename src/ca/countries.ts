/**
 * Countries for `ca whatif --country` and for counter-examples in words: ISO 3166-1 alpha-2 codes, as Entra's country named locations
 * and sign-in logs carry them, and their English names, from the ICU data Node ships (Intl), so a
 * person can type `AT`, `at`, `Austria` or `belarus` and a typo is refused instead of silently
 * matching no location.
 */

/** Two-letter region codes ICU names that are not countries or territories of ISO 3166-1. */
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"]);

let table: Map<string, string> | undefined;

/** code -> English name, for every ISO 3166-1 alpha-2 code ICU knows. */
export function countries(): ReadonlyMap<string, string> {
  if (table) return table;
  const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
  table = new Map();
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name && name !== code && !NOT_COUNTRIES.has(code)) table.set(code, name);
    }
  return table;
}

const fold = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");

/** The ISO code for a code or an English country name (case, accents and punctuation ignored). */
export function countryCode(input: string): string | undefined {
  const trimmed = input.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed) && countries().has(trimmed.toUpperCase())) return trimmed.toUpperCase();
  const wanted = fold(trimmed);
  if (wanted === "") return undefined;
  for (const [code, name] of countries()) if (fold(name) === wanted) return code;
  return undefined;
}

/** Countries whose name starts like `input` (longest shared start first): what the person meant. */
export function countrySuggestions(input: string, max = 5): string[] {
  const wanted = fold(input);
  if (wanted.length < 2) return [];
  const shared = (name: string) => {
    let i = 0;
    while (i < name.length && i < wanted.length && name[i] === wanted[i]) i++;
    return i;
  };
  return [...countries()]
    .map(([code, name]) => ({ code, name, score: shared(fold(name)) }))
    .filter((c) => c.score >= Math.min(3, wanted.length))
    .sort((a, b) => b.score - a.score || a.code.localeCompare(b.code))
    .slice(0, max)
    .map((c) => `${c.code} (${c.name})`);
}
