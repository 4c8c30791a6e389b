/** Small HTTP helpers shared by the emulator's pipelines. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GraphResponse as HttpResponse } from "./graph/types.js";

export type { HttpResponse };

/** A response, or the instruction to drop the connection without one (the "reset" fault). */
export type PipelineResult = HttpResponse | { reset: true };

export function isReset(result: PipelineResult): result is { reset: true } {
  return "reset" in result;
}

/** The largest request body the emulator reads (a $batch of 20 PATCHes is far below it). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

export function writeResponse(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body !== undefined && response.status !== 204) {
    if (typeof response.body === "string") {
      payload = Buffer.from(response.body, "utf8");
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "text/plain";
    } else {
      payload = Buffer.from(JSON.stringify(response.body), "utf8");
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
    }
  }
  headers["content-length"] = String(payload?.length ?? 0);
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

export function getHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body };
}
