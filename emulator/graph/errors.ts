import { randomUUID } from "node:crypto";
import type { GraphResponse } from "./types.js";

/** Graph's error envelope (docs/graph-contract.md §0.4): `innerError.date` has no timezone suffix. */
export function graphError(
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
  clientRequestId?: string,
): GraphResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { "content-type": "application/json", "request-id": requestId, ...extraHeaders },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          "request-id": requestId,
          "client-request-id": clientRequestId ?? requestId,
        },
      },
    },
  };
}
