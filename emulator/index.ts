/**
 * The Entra emulator: one HTTPS server on 127.0.0.1 serving the token endpoint and OpenID metadata
 * (at the authority host), Microsoft Graph under /graph/{v1.0|beta} and Azure Resource Manager under
 * /arm, over a tenant snapshot. Real clients (@azure/identity, the Graph client, core-rest-pipeline)
 * talk to it unchanged, given its base URLs and its CA.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parseSnapshot } from "../src/snapshot/load.js";
import type { Snapshot } from "../src/snapshot/schema.js";
import {
  buildApp,
  certificateApp,
  defaultApp,
  deployerApp,
  type AppRegistrationInput,
  type EmulatedApp,
} from "./apps.js";
import { ArmPipeline } from "./arm/pipeline.js";
import { AlertEngine } from "./arm/alerts.js";
import { Counters, type CountersSnapshot } from "./counters.js";
import { FaultInjector, type EmulatorClock, type FaultKind, type FaultLogEntry } from "./faults.js";
import { GraphPipeline } from "./graph-pipeline.js";
import type { CreateGraphResourceLayer } from "./graph/types.js";
import {
  BodyTooLargeError,
  delay,
  isReset,
  json,
  lowerCaseHeaders,
  readBody,
  writeResponse,
  type HttpResponse,
  type PipelineResult,
} from "./http.js";
import { aadstsError, IdentityProvider } from "./identity.js";
import { ArmResourceStore } from "./arm/resource-store.js";
import { directoryResourceUnitLimit, Throttler, type ThrottleEvent } from "./throttle.js";
import { acquireCaDirectory, writeCaCertificate } from "./ca-file.js";
import {
  createCertificateAuthority,
  processKeyPair,
  createServerCertificate,
  type CertificateAuthority,
  type ClientCertificate,
  type ServerCertificate,
} from "./tls.js";

export { EXPORT_READ_PERMISSIONS, deployerRegistration } from "./apps.js";
export type { AppRegistrationInput, EmulatedApp } from "./apps.js";
export type { CountersSnapshot } from "./counters.js";
export type { ThrottleEvent } from "./throttle.js";
export { unavailableKeyOf, type FaultKind, type FaultLogEntry } from "./faults.js";
export { createClientCertificate, type ClientCertificate } from "./tls.js";

export interface EmulatorOptions {
  snapshot: Snapshot;
  /** 0 (default) picks a free port */
  port?: number;
  /** delay added to every response, in ms */
  latencyMs?: number;
  /** time for throttle windows, the fault log and "slow" faults (a test shares a virtual one with the client) */
  clock?: EmulatorClock;
  /** probability (0..1) of a fault on each Graph/ARM request (default 0) */
  faultRate?: number;
  /** seed of the fault PRNG (default 1) */
  seed?: number;
  /** fault kinds to draw from (default all: 429, 503, 504, reset, slow) */
  faultKinds?: FaultKind[];
  /** upper bound of a "slow" fault's delay (default 1500 ms) */
  maxSlowMs?: number;
  /** inject faults on the token and metadata endpoints too (default false) */
  faultIdentity?: boolean;
  /** Graph throttling per family (default true) */
  throttle?: boolean;
  /** app registrations; default: one app with a secret and EXPORT_READ_PERMISSIONS */
  apps?: AppRegistrationInput[];
  /**
   * where the CA certificate (ca.pem, for NODE_EXTRA_CA_CERTS) is written; no private key is ever
   * written. Default: a fresh temp dir, removed when the last emulator closes and on exit/signals.
   */
  stateDir?: string;
  /** the Graph resource layer factory; default emulator/graph/index.ts's createGraphResourceLayer */
  graphLayer?: CreateGraphResourceLayer;
  /** page size of ARM lists (default 100) */
  armPageSize?: number;
  /** the clock of the Graph writes (TAP lifetimes, registration windows, replication); default Date.now */
  now?: () => number;
  /** how long an object created through Graph stays invisible to other requests (default 0) */
  replicationDelayMs?: number;
  /** also register an app holding deploy's write permissions and directory roles; `env` is then its environment */
  deployer?: boolean;
  /** the emulator's notes (why an alert rule was not evaluated); default: stderr */
  log?: (line: string) => void;
}

export interface EmulatorEnv {
  NODE_EXTRA_CA_CERTS: string;
  AZURE_TENANT_ID: string;
  AZURE_CLIENT_ID: string;
  AZURE_CLIENT_SECRET: string;
  AZURE_SUBSCRIPTION_ID: string;
  AZURE_AUTHORITY_HOST: string;
  BREAKGLASS_GRAPH_URL: string;
  BREAKGLASS_ARM_URL: string;
  /** "off" when the emulator does not throttle: the client need not keep to Graph's pace */
  BREAKGLASS_GRAPH_PACING?: "off";
}

export interface RunningEmulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** the authority host for @azure/identity (same as url) */
  authorityHost: string;
  /** https://127.0.0.1:PORT/graph (versions below it) */
  graphUrl: string;
  /** https://127.0.0.1:PORT/arm */
  armUrl: string;
  tenantId: string;
  subscriptionId: string | undefined;
  caPem: string;
  caFile: string;
  /** the registered apps (live: registerApp adds to it) */
  apps: EmulatedApp[];
  /** the environment a client process needs (the first app with a secret) */
  env: EmulatorEnv;
  /** the mutable state the emulator serves */
  store: ArmResourceStore;
  counters(): CountersSnapshot;
  faults(): FaultLogEntry[];
  /** every request the throttling rejected (empty when throttle is false) */
  throttleEvents(): ThrottleEvent[];
  /** clears counters, the fault log (restarting the fault PRNG from the seed) and throttling windows */
  resetCounters(): void;
  registerApp(input: AppRegistrationInput): EmulatedApp;
  /** registers an app that authenticates with a new client certificate (default: the export read set) */
  registerCertificateApp(input?: Omit<AppRegistrationInput, "certificate" | "certificates">): {
    app: EmulatedApp;
    certificate: ClientCertificate;
  };
  /** an access token for an app, without a token request (for tests of expiry and audience) */
  issueToken(clientId: string, audience: "graph" | "arm", lifetimeSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

async function defaultGraphLayer(): Promise<CreateGraphResourceLayer> {
  try {
    const module = (await import("./graph/index.js")) as {
      createGraphResourceLayer?: CreateGraphResourceLayer;
    };
    if (typeof module.createGraphResourceLayer === "function") return module.createGraphResourceLayer;
  } catch (err) {
    throw new Error(
      `The Graph resource layer (emulator/graph/index.ts) could not be loaded: ${(err as Error).message}. Pass options.graphLayer.`,
    );
  }
  throw new Error("emulator/graph/index.ts does not export createGraphResourceLayer.");
}

/**
 * One CA and server certificate per process (the server certificate names no port), made on first
 * use and kept in memory, on the process's one key pair (emulator/tls.ts processKeyPair): RSA key
 * generation dominates start-up. The token signing key is that pair too (emulator/identity.ts), but
 * each emulator's tokens carry its own key id, which it requires, so one emulator's tokens never
 * pass another's check.
 */
let processTls: { ca: CertificateAuthority; server: ServerCertificate } | undefined;
function tlsMaterial(): { ca: CertificateAuthority; server: ServerCertificate } {
  if (!processTls) {
    const keys = processKeyPair();
    const ca = createCertificateAuthority(keys);
    processTls = { ca, server: createServerCertificate(ca, keys) };
  }
  return processTls;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError("faultRate must be between 0 and 1");
  const seed = options.seed ?? 1;
  const latencyMs = Math.max(0, options.latencyMs ?? 0);

  // the loader assess uses (src/snapshot/load.ts): the emulator serves nothing assess would refuse
  const snapshot = parseSnapshot(options.snapshot, "emulator snapshot");
  const store = new ArmResourceStore(snapshot);
  const tenantId = store.tenantId;
  const createLayer = options.graphLayer ?? (await defaultGraphLayer());
  const now = options.now ?? (options.clock ? () => options.clock!.now() : Date.now);
  // the alert rules watch the sign-ins the Graph layer records (emulator/arm/alerts.ts)
  const alerts = new AlertEngine({
    store,
    now,
    log: options.log ?? ((line) => process.stderr.write(`[emulator] ${line}\n`)),
    armUrl: () => armUrl,
  });
  const layer = createLayer(store.snapshot, {
    ...(options.now ? { now: options.now } : options.clock ? { now: () => options.clock!.now() } : {}),
    ...(options.replicationDelayMs !== undefined ? { replicationDelayMs: options.replicationDelayMs } : {}),
    onSignIn: (signIn) => alerts.observeSignIn(signIn),
  });

  const { ca, server: serverCert } = tlsMaterial();
  const caDir = acquireCaDirectory(options.stateDir);
  let caFile: string;
  try {
    caFile = await writeCaCertificate(caDir.dir, ca.certificatePem);
  } catch (err) {
    caDir.release();
    throw err;
  }

  const apps: EmulatedApp[] = options.apps?.length ? options.apps.map(buildApp) : [defaultApp()];
  // the deployer goes first, so `env` (the first app with a secret) is its environment
  if (options.deployer) apps.unshift(deployerApp());
  const findApp = (clientId: string) =>
    apps.find((app) => app.clientId.toLowerCase() === clientId.toLowerCase());

  const counters = new Counters();
  const faults = new FaultInjector({
    rate: faultRate,
    seed,
    ...(options.maxSlowMs !== undefined ? { maxSlowMs: options.maxSlowMs } : {}),
    ...(options.faultKinds ? { kinds: options.faultKinds } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const throttler =
    options.throttle === false
      ? undefined
      : new Throttler(
          tenantId,
          directoryResourceUnitLimit(store.snapshot.users?.length ?? 0),
          options.clock ?? options.now,
        );

  const sockets = new Set<Socket>();
  const server: Server = createServer({
    cert: serverCert.certificatePem,
    key: serverCert.privateKeyPem,
    ca: ca.certificatePem,
  });
  server.on("secureConnection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    caDir.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const origin = `https://127.0.0.1:${port}`;
  const graphUrl = `${origin}/graph`;
  const armUrl = `${origin}/arm`;

  const identity = new IdentityProvider({
    tenantId,
    tenantDomains: (store.snapshot.domains ?? []).map((d) => d.id),
    origin,
    graphUrl,
    findApp,
  });
  const graph = new GraphPipeline({
    identity,
    layer,
    counters,
    faults,
    ...(throttler ? { throttler } : {}),
    graphUrl,
    seed,
  });
  const arm = new ArmPipeline({
    store,
    identity,
    counters,
    faults,
    findAppByClientId: findApp,
    armUrl,
    ...(options.armPageSize ? { pageSize: options.armPageSize } : {}),
    ...(options.now ? { now: options.now } : options.clock ? { now: () => options.clock!.now() } : {}),
    routes: [alerts.route],
  });

  async function identityRoute(
    method: string,
    segments: string[],
    headers: Record<string, string>,
    rawBody: string,
    originalUrl: string,
  ): Promise<PipelineResult | undefined> {
    const [tenantSegment, ...rest] = segments;
    if (!tenantSegment) return undefined;
    const tail = rest.join("/").toLowerCase();
    let endpoint: string;
    let produce: () => Promise<HttpResponse> | HttpResponse;
    if (tail === "v2.0/.well-known/openid-configuration" && method === "GET") {
      endpoint = "GET /{tenant}/v2.0/.well-known/openid-configuration";
      produce = () =>
        identity.isTenant(tenantSegment)
          ? identity.openIdConfiguration()
          : identity.unknownTenant(tenantSegment);
    } else if (tail === "discovery/v2.0/keys" && method === "GET") {
      endpoint = "GET /{tenant}/discovery/v2.0/keys";
      produce = () =>
        identity.isTenant(tenantSegment) ? identity.jwks() : identity.unknownTenant(tenantSegment);
    } else if (tail === "oauth2/v2.0/token" && method === "POST") {
      endpoint = "POST /{tenant}/oauth2/v2.0/token";
      produce = () => identity.token(tenantSegment, headers["content-type"], headers.authorization, rawBody);
    } else {
      return undefined;
    }
    if (options.faultIdentity) {
      const fault = faults.draw();
      if (fault) {
        faults.record({
          api: "identity",
          endpoint,
          section: "identity",
          kind: fault.kind,
          status: fault.kind === "reset" || fault.kind === "slow" ? null : Number(fault.kind),
          inBatch: false,
          path: originalUrl,
          ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
        });
        counters.fault("identity", fault.kind);
        if (fault.kind === "slow") {
          await faults.pause(fault.delayMs ?? 0);
        } else {
          counters.count(endpoint, fault.kind === "reset" ? "reset" : Number(fault.kind));
          if (fault.kind === "reset") return { reset: true };
          // Entra's transient-error answer (AADSTS90033 is "A transient error has occurred")
          return aadstsError(
            Number(fault.kind),
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
          );
        }
      }
    }
    const response = await produce();
    counters.count(endpoint, response.status);
    return response;
  }

  async function route(req: IncomingMessage): Promise<PipelineResult> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", origin);
    const headers = lowerCaseHeaders(req);
    const rawBody = await readBody(req);
    const originalUrl = `${url.pathname}${url.search}`;
    const segments = url.pathname.split("/").filter(Boolean);
    const first = segments[0]?.toLowerCase();

    if (first === "graph" && segments[1] === "_emulator") {
      // the enrollment control surface: the person at the keyboard, not an API client (no token)
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        return json(400, { error: { code: "BadRequest", message: "The body is not JSON." } });
      }
      const answer = layer.control?.(method, url.pathname.slice("/graph".length), body);
      if (answer) return answer;
      return json(404, { error: { code: "NotFound", message: `No control endpoint '${url.pathname}'.` } });
    }
    if (first === "graph") {
      return graph.handle({
        method,
        rawPath: url.pathname.slice("/graph".length) || "/",
        query: url.searchParams,
        headers,
        rawBody,
        originalUrl: originalUrl.slice("/graph".length),
      });
    }
    if (first === "arm") {
      return arm.handle({
        method,
        rawPath: url.pathname.slice("/arm".length) || "/",
        query: url.searchParams,
        headers,
        originalUrl: originalUrl.slice("/arm".length),
        rawBody,
      });
    }
    const identityResult = await identityRoute(method, segments, headers, rawBody, originalUrl);
    if (identityResult) return identityResult;
    counters.count(`${method} (unknown path)`, 404);
    return json(404, {
      error: "not_found",
      error_description: `The emulator serves /{tenant}/oauth2/v2.0/token, /graph/{v1.0|beta}/... and /arm/...; '${url.pathname}' is none of them.`,
    });
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/_emulator/counters" || path === "/_emulator/faults") {
      // control endpoints: not counted, no depth, no faults
      writeResponse(res, json(200, path === "/_emulator/counters" ? counters.snapshot() : faults.entries()));
      return;
    }
    const flight = counters.start(/\/oauth2\/v2\.0\/token$/i.test(path));
    // A request is finished when its response is handed to the socket: no client can start a
    // request depending on it earlier. (Waiting for "close" would race a same-process client.)
    res.on("close", () => counters.finish(flight));
    route(req)
      .then(async (result) => {
        if (isReset(result)) {
          counters.finish(flight);
          req.socket.destroy();
          return;
        }
        await delay(latencyMs);
        counters.finish(flight);
        writeResponse(res, result);
      })
      .catch((err: unknown) => {
        counters.finish(flight);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const status = err instanceof BodyTooLargeError ? 413 : 500;
        writeResponse(
          res,
          json(status, { error: { code: "EmulatorError", message: String((err as Error).message) } }),
        );
      });
  });

  const firstSecretApp = () => apps.find((app) => app.secrets.length > 0);
  const subscriptionId = store.listSubscriptions()[0]?.subscriptionId;
  const env = (): EmulatorEnv => {
    const app = firstSecretApp();
    return {
      NODE_EXTRA_CA_CERTS: caFile,
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: app?.clientId ?? "",
      AZURE_CLIENT_SECRET: app?.secrets[0] ?? "",
      AZURE_SUBSCRIPTION_ID: subscriptionId ?? "",
      AZURE_AUTHORITY_HOST: origin,
      BREAKGLASS_GRAPH_URL: graphUrl,
      BREAKGLASS_ARM_URL: armUrl,
      ...(options.throttle === false ? { BREAKGLASS_GRAPH_PACING: "off" as const } : {}),
    };
  };

  let closed: Promise<void> | undefined;
  return {
    url: origin,
    authorityHost: origin,
    graphUrl,
    armUrl,
    tenantId,
    subscriptionId,
    caPem: ca.certificatePem,
    caFile,
    apps,
    get env() {
      return env();
    },
    store,
    counters: () => counters.snapshot(),
    faults: () => faults.entries(),
    throttleEvents: () => throttler?.entries() ?? [],
    resetCounters() {
      counters.reset();
      faults.reset();
      throttler?.reset();
      graph.resetOrder();
    },
    registerApp(input) {
      const app = buildApp(input);
      apps.push(app);
      return app;
    },
    registerCertificateApp(input) {
      const created = certificateApp(input);
      apps.push(created.app);
      return created;
    },
    async issueToken(clientId, audience, lifetimeSeconds) {
      const app = findApp(clientId);
      if (!app) throw new Error(`no emulated app with client id ${clientId}`);
      return identity.issueAccessToken(app, audience, "secret", lifetimeSeconds);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          caDir.release();
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
