/**
 * The emulator's TLS material, all in memory: a local certificate authority (one per process, whose
 * certificate alone is written to disk by ca-file.ts), a server certificate for 127.0.0.1 and
 * localhost signed by it, and client certificates for certificate-credential apps.
 *
 * RSA keys come from node:crypto (node-forge's pure-JS key generation takes seconds); node-forge
 * builds and signs the X.509 certificates, which node:crypto cannot do.
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** The CA's key exists only in memory; ca-file.ts writes its certificate for NODE_EXTRA_CA_CERTS. */
export interface CertificateAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

export interface ServerCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface ClientCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** certificate and private key in one PEM, the form ClientCertificateCredential's `certificate` option takes. */
  combinedPem: string;
  /** SHA-1 thumbprint, hex upper-case (what the Entra portal shows). */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

export function generateRsaKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * The process's one emulator key pair, made on first use: a 2048-bit RSA key costs 50-250 ms to
 * generate, and every test process starts emulators. The CA, the server certificate
 * (emulator/index.ts) and the token signing key (emulator/identity.ts) all use it; what each
 * vouches for stays apart: a certificate by its names and its issuer's signature, a token by the
 * key id of the emulator that issued it.
 */
let processPair: KeyPairPem | undefined;
export function processKeyPair(): KeyPairPem {
  return (processPair ??= generateRsaKeyPair());
}

function serialNumber(): string {
  // positive (leading bit clear) 16-byte serial, as RFC 5280 asks
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

interface CertificateRequest {
  subjectCommonName: string;
  keys: KeyPairPem;
  issuer?: { certificatePem: string; privateKeyPem: string };
  validDays: number;
  extensions: object[];
}

function issueCertificate(request: CertificateRequest): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + request.validDays * 24 * 3600 * 1000);
  const subject = [{ name: "commonName", value: request.subjectCommonName }];
  cert.setSubject(subject);
  if (request.issuer) {
    cert.setIssuer(forge.pki.certificateFromPem(request.issuer.certificatePem).subject.attributes);
  } else {
    cert.setIssuer(subject);
  }
  cert.setExtensions(request.extensions);
  const signingKey = forge.pki.privateKeyFromPem(
    (request.issuer ?? request.keys).privateKeyPem,
  ) as forge.pki.rsa.PrivateKey;
  cert.sign(signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function createCertificateAuthority(keys: KeyPairPem = generateRsaKeyPair()): CertificateAuthority {
  const certificatePem = issueCertificate({
    subjectCommonName: "Breakglass Entra emulator local CA",
    keys,
    validDays: 3650,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ],
  });
  return { certificatePem, privateKeyPem: keys.privateKeyPem };
}

export function createServerCertificate(
  ca: {
    certificatePem: string;
    privateKeyPem: string;
  },
  keys: KeyPairPem = generateRsaKeyPair(),
): ServerCertificate {
  const certificatePem = issueCertificate({
    subjectCommonName: "localhost",
    keys,
    issuer: ca,
    validDays: 30,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { certificatePem, privateKeyPem: keys.privateKeyPem };
}

/** Thumbprint of a PEM certificate's DER bytes, hex upper-case. */
export function certificateThumbprint(certificatePem: string, algorithm: "sha1" | "sha256"): string {
  const der = forge.asn1
    .toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certificatePem)))
    .getBytes();
  return createHash(algorithm).update(Buffer.from(der, "binary")).digest("hex").toUpperCase();
}

/** A self-signed client certificate, as `New-SelfSignedCertificate` makes for an app registration. */
export function createClientCertificate(commonName = "breakglass-emulator-client"): ClientCertificate {
  const keys = generateRsaKeyPair();
  const certificatePem = issueCertificate({
    subjectCommonName: commonName,
    keys,
    validDays: 365,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
  });
  return {
    certificatePem,
    privateKeyPem: keys.privateKeyPem,
    combinedPem: `${keys.privateKeyPem.trim()}\n${certificatePem.trim()}\n`,
    thumbprintSha1: certificateThumbprint(certificatePem, "sha1"),
    thumbprintSha256: certificateThumbprint(certificatePem, "sha256"),
  };
}
