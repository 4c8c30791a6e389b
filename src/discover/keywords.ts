/**
 * Words that give an emergency account away. Discovery uses them as a signal (a group named
 * "Break Glass Admins"); EA-ACC-08 uses them to grade names under the `obscure` naming profile.
 */
export const EMERGENCY_WORDS =
  /break[\s._-]*(the[\s._-]*)?glass|glass[\s._-]*break|\bbg[\s._-]*admin|\bbga\d*\b|emergency|\bemerg\b|backup[\s._-]*(global[\s._-]*)?admin|fire[\s._-]*call|\bsos[\s._-]*admin|notfall|urgence|\bbreakglass/i;

/** The emergency word a text contains, or undefined. */
export function emergencyWordIn(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  return EMERGENCY_WORDS.exec(text)?.[0];
}
