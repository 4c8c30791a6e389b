/**
 * Showing a kept password to the person at the terminal (docs/deploy.md "Secrets"), one of the two
 * places a secret leaves memory (the other: its halves written to two files, src/io/split-secret.ts).
 * `show-once`: printed once, then the screen is cleared when the person says
 * it is stored. `split`: each half on its own screen, for two custodians, with a pause and a clear
 * between, so neither sees the other's half. Callers refuse before anything is sent when there is
 * no terminal; nothing here writes a file or a log.
 */
import { halves } from "../io/split-secret.js";

export interface SecretTerminal {
  stdout(text: string): void;
  ask(question: string): Promise<string>;
  /** clears the screen and its scroll-back */
  clearScreen(): void;
  interactive: boolean;
}

export type PasswordDelivery = "show-once" | "split";

export async function deliverPassword(
  term: SecretTerminal,
  delivery: PasswordDelivery,
  account: string,
  secret: string,
): Promise<void> {
  if (!term.interactive) throw new Error("a secret is shown only on a terminal");
  if (delivery === "show-once") {
    term.stdout(`\nThe password of ${account}, shown once (it is not stored anywhere):\n\n    ${secret}\n\n`);
    await term.ask("Store it as your runbook says, then press Enter to clear the screen: ");
    term.clearScreen();
    return;
  }
  for (const [i, part] of halves(secret).entries()) {
    // the pause before each half: the other custodian steps away first
    await term.ask(
      `\nThe password of ${account} comes in two halves, one per custodian. Custodian ${i + 1} alone at the screen, then press Enter: `,
    );
    term.clearScreen();
    term.stdout(
      `\nCustodian ${i + 1} of 2: the ${i === 0 ? "FIRST" : "SECOND"} half of the password of ${account}:\n\n    ${part}\n\n`,
    );
    await term.ask("Store it, then press Enter to clear the screen: ");
    term.clearScreen();
  }
}
