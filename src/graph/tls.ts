/**
 * Trust of a private CA (the emulator's). A live command relies on NODE_EXTRA_CA_CERTS, which Node
 * reads at start-up; a process that starts the emulator itself (tests, demo) cannot set it any more,
 * so every client takes the CA PEM and hands it to its own HTTP agent. Nothing here turns
 * certificate verification off.
 */
import { Agent as HttpsAgent } from "node:https";
import { Agent as UndiciAgent } from "undici";

export function httpsAgentFor(caPem: string | undefined): HttpsAgent | undefined {
  // keepAlive: an export sends a few hundred requests to two hosts; reusing sockets saves the
  // TLS handshakes.
  return caPem ? new HttpsAgent({ ca: caPem, keepAlive: true }) : undefined;
}

export function undiciAgentFor(caPem: string | undefined): UndiciAgent | undefined {
  return caPem ? new UndiciAgent({ connect: { ca: caPem } }) : undefined;
}
