/**
 * `breakglass runbook [--format md,html,pdf] [--out-dir DIR | --out FILE] [--reviewed-by NAME]`
 * (docs/drills.md "Runbook"): the emergency procedure for the sealed binder. Parsing and wiring
 * only: the content is src/drills/runbook-model.ts, the layout src/report/runbook.ts, the PDF
 * src/report/pdf.ts. Every file goes through the one atomic writer (mode 0600).
 */
import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { buildRunbook } from "../../drills/runbook-model.js";
import { UsageError } from "../../errors.js";
import { EXIT_TEXT, withHelp } from "../conventions.js";
import {
  checkOutputDirectory,
  checkWritable,
  ensureDirectory,
  writeFilesAtomically,
} from "../../io/atomic-write.js";
import { terminalInline } from "../../report/escape.js";
import { CUSTODY_DOCUMENT, parseCustody, withReview } from "../../records/custody.js";
import { htmlToPdf } from "../../report/pdf.js";
import { renderRunbookHtml, renderRunbookMarkdown } from "../../report/runbook.js";
import { context, type DrillDeps, type DrillIo, liveDrillDeps, processIo } from "./drill.js";

const FORMATS = ["md", "html", "pdf"] as const;
type Format = (typeof FORMATS)[number];

function parseFormats(value: string): Format[] {
  const list = value.split(",").map((f) => f.trim());
  for (const f of list)
    if (!(FORMATS as readonly string[]).includes(f))
      throw new InvalidArgumentError(`${JSON.stringify(f)} is not a runbook format (${FORMATS.join(", ")})`);
  return [...new Set(list as Format[])];
}

interface RunbookFlags {
  format: Format[];
  out?: string;
  outDir?: string;
  reviewedBy?: string;
  config?: string;
}

export function register(program: Command, io: DrillIo = processIo(), deps: DrillDeps = liveDrillDeps): void {
  const runbook = program
    .command("runbook")
    .description("the emergency procedure for the sealed binder: Markdown, HTML or a print-ready A4 PDF")
    .option("--format <list>", `comma-separated: ${FORMATS.join(", ")} (default md)`, parseFormats, ["md"])
    .option("--out <file>", "write the one format to this file")
    .option("--out-dir <dir>", "write runbook.<format> for each format into this directory")
    .option("--reviewed-by <name>", "record in custody.yaml that NAME reviewed the runbook today")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)");
  withHelp(
    runbook,
    [
      "breakglass runbook > runbook.md",
      "breakglass runbook --format pdf --out binder.pdf --reviewed-by alice",
      "breakglass runbook --format md,html,pdf --out-dir binder",
    ],
    [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  runbook.action(async (o: RunbookFlags) => {
    if (o.out && o.outDir) throw new UsageError("--out and --out-dir: choose one");
    if (o.out && o.format.length > 1)
      throw new UsageError("--out writes one format; for several, use --out-dir");
    if (!o.out && !o.outDir && (o.format.length > 1 || o.format[0] === "pdf"))
      throw new UsageError("a PDF or several formats are written to files: pass --out FILE or --out-dir DIR");
    const { config, store, records } = await context(o.config, io, deps);
    if (o.outDir) await checkOutputDirectory(o.outDir);
    if (o.out) await checkWritable([o.out]);
    const now = io.clock();
    const today = now.toISOString().slice(0, 10);
    let custody = records.custody;
    let reviewed: string | undefined;
    if (o.reviewedBy !== undefined) {
      const text = await store.readDocument(CUSTODY_DOCUMENT);
      if (text === undefined)
        throw new UsageError(
          `no ${CUSTODY_DOCUMENT} beside the configuration: the review is recorded there; write the registry first (docs/drills.md)`,
        );
      reviewed = withReview(text, { date: today, by: o.reviewedBy });
      custody = parseCustody(reviewed);
    }
    // Everything is rendered (the PDF too, which needs Chromium) before anything is written.
    const runbook = buildRunbook({ config, custody, records: records.access, now });
    const rendered: Array<{ format: Format; content: string | Uint8Array }> = [];
    for (const format of o.format)
      rendered.push({
        format,
        content:
          format === "md"
            ? renderRunbookMarkdown(runbook)
            : format === "html"
              ? renderRunbookHtml(runbook)
              : await htmlToPdf(renderRunbookHtml(runbook)),
      });
    if (reviewed !== undefined) {
      await store.writeDocument(CUSTODY_DOCUMENT, reviewed);
      io.stderr(`review recorded in ${CUSTODY_DOCUMENT}: ${today} by ${terminalInline(o.reviewedBy!)}\n`);
    }
    if (!o.out && !o.outDir) {
      io.stdout(String(rendered[0]!.content));
      return;
    }
    if (o.outDir) await ensureDirectory(o.outDir);
    const files = rendered.map((r) => ({
      path: o.out ?? join(o.outDir!, `runbook.${r.format}`),
      content: r.content,
    }));
    await writeFilesAtomically(files);
    io.stderr(`${files.map((f) => terminalInline(f.path)).join("\n")}\n`);
  });
}
