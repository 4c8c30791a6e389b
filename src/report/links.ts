/**
 * Links to the generated check documentation (docs/checks/<id>.md). The project has no published
 * address yet, so reports link a check's page only when they are given one (`docsBaseUri`): a link
 * must lead somewhere that exists. Without it, reports name the page's path in the package.
 */
export const checkDocUri = (checkId: string, base: string): string =>
  `${base}${encodeURIComponent(checkId)}.md`;

/** The page's path inside the Breakglass package (shipped with `docs/`), for text without a link. */
export const checkDocPath = (checkId: string): string => `docs/checks/${checkId}.md`;
