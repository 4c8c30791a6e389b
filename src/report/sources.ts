/**
 * The guides the checks rest on (a check's `sources` names them by id), with the address each was
 * read from: docs/sources.md lists the same table for readers of the repository. Reports link them,
 * so every source a finding cites is one click away and no report cites an id nobody can look up.
 */
export interface Source {
  id: string;
  title: string;
  publisher: string;
  /** the publisher in a word or two, for a link inside a line of a report. */
  short: string;
  url: string;
}

export const SOURCES: readonly Source[] = [
  {
    id: "000",
    title: "Emergency access setup in Microsoft Entra – 2024 edition",
    publisher: "Tommi Hovi",
    short: "Tommi Hovi",
    url: "https://tommihovi.com/2024/06/microsoft-entra-emergency-access-setup-2024/",
  },
  {
    id: "001",
    title: "Manage emergency access admin accounts",
    publisher: "Microsoft Learn",
    short: "Microsoft Learn",
    url: "https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/security-emergency-access",
  },
  {
    id: "002",
    title: "Microsoft 365 Emergency Access",
    publisher: "SecureCloud Experts (Valentin Keiling)",
    short: "SecureCloud Experts",
    url: "https://www.sce-it.com/en/blog/microsoft-365-emergency-access",
  },
  {
    id: "003",
    title: "Conditional Access: MFA for all users with emergency accounts excluded (tutorial 4)",
    publisher: "mwitzsche/Tutorials on GitHub",
    short: "mwitzsche tutorial",
    url: "https://github.com/mwitzsche/Tutorials/blob/main/Tutorial4_Conditional_Access_MFA_Emergency_Accounts.md",
  },
  {
    id: "004",
    title: "How to break glass fast",
    publisher: "indefent",
    short: "indefent",
    url: "https://www.indefent.com/how-to-break-glass-fast",
  },
];

/** What a check's source id stands for; "beyond seeds" marks Breakglass's own analysis. */
export type SourceRef = { kind: "guide"; source: Source } | { kind: "own"; text: string };

export function sourceRefs(ids: readonly string[]): SourceRef[] {
  return ids.map((id) => {
    const source = SOURCES.find((s) => s.id === id);
    if (source) return { kind: "guide", source };
    return {
      kind: "own",
      text: id === "beyond seeds" ? "Breakglass's own analysis of how Entra behaves (docs/checks.md)" : id,
    };
  });
}
