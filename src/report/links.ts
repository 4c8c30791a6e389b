/**
 * Where the generated check documentation (docs/checks/<id>.md) is published. SARIF needs an
 * absolute help URI; the HTML and Markdown reports link the same pages.
 * The repository address is the project's to set (package.json has no `repository` yet).
 */
export const DOCS_BASE_URI = "https://github.com/breakglass/breakglass/blob/main/docs/checks/";

export const checkDocUri = (checkId: string, base: string = DOCS_BASE_URI): string =>
  `${base}${encodeURIComponent(checkId)}.md`;
