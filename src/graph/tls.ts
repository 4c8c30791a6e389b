/**
 * Trust of a private CA (the emulator's). A live command relies on NODE_EXTRA_CA_CERTS, which Node
 * reads at start-up; a process that starts the emulator itself (tests, demo) cannot set it any more,
 * so every client takes the CA PEM and uses the HTTP agents made for that CA. Nothing here turns
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

/**
 * One agent of each kind per CA for the whole process, as without a CA every client shares Node's
 * and undici's global ones: the clients a process makes one after another (a command that reads,
 * then writes; a test that runs apply twice on one tenant) reuse each other's idle connections
 * instead of a TLS handshake per connection per client. Nobody closes them: an idle connection
 * keeps no process alive, and one the server closes leaves the pool.
 */
const httpsAgents = new Map<string, HttpsAgent>();
const undiciAgents = new Map<string, UndiciAgent>();

export function httpsAgentFor(caPem: string | undefined): HttpsAgent | undefined {
  if (!caPem) return undefined;
  let agent = httpsAgents.get(caPem);
  // keepAlive: an export sends a few hundred requests to two hosts; reusing sockets saves the
  // TLS handshakes.
  if (!agent)
    httpsAgents.set(
      caPem,
      (agent = new HttpsAgent({ secureContext: secureContextFor(caPem), keepAlive: true })),
    );
  return agent;
}

export function undiciAgentFor(caPem: string | undefined): UndiciAgent | undefined {
  if (!caPem) return undefined;
  let agent = undiciAgents.get(caPem);
  if (!agent)
    undiciAgents.set(
      caPem,
      (agent = new UndiciAgent({ connect: { secureContext: secureContextFor(caPem) } })),
    );
  return agent;
}
