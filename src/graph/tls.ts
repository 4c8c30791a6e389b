/**
 * Trust of a private CA (the emulator's). A live command relies on NODE_EXTRA_CA_CERTS, which Node
 * reads at start-up; a process that starts the emulator itself (tests, demo) cannot set it any more,
 * so every client takes the CA PEM and hands it to its own HTTP agent. Nothing here turns
 * certificate verification off.
 */
import { Agent as HttpsAgent } from "node:https";
import { createSecureContext, type SecureContext } from "node:tls";
import { Agent as UndiciAgent } from "undici";

/**
 * One TLS context per CA, trusting that CA alone (as the `ca` option of a connection does): given
 * `ca`, every new connection parses the PEM into a context of its own, and a process that creates
 * clients by the hundred (the tests) spent more on that than on the handshakes.
 */
const contexts = new Map<string, SecureContext>();
function secureContextFor(caPem: string): SecureContext {
  let context = contexts.get(caPem);
  if (!context) contexts.set(caPem, (context = createSecureContext({ ca: caPem })));
  return context;
}

export function httpsAgentFor(caPem: string | undefined): HttpsAgent | undefined {
  // keepAlive: an export sends a few hundred requests to two hosts; reusing sockets saves the
  // TLS handshakes.
  return caPem ? new HttpsAgent({ secureContext: secureContextFor(caPem), keepAlive: true }) : undefined;
}

export function undiciAgentFor(caPem: string | undefined): UndiciAgent | undefined {
  return caPem ? new UndiciAgent({ connect: { secureContext: secureContextFor(caPem) } }) : undefined;
}
