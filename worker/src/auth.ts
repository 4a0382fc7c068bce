import { errors, importSPKI, jwtVerify } from "jose";
import type { Env } from "./env";
import { HttpError, internalError } from "./errors";

const ISSUER = "dapr.io/cloudflare";
const CLOCK_TOLERANCE_SECONDS = 300;

let cachedKey: { pem: string; key: Promise<CryptoKey> } | undefined;
const loggedMisconfigurations = new Set<string>();

/**
 * Checks the request's token against the Worker's public key and audience; throws a 401
 * `HttpError` when it does not verify, or a generic 500 when the Worker lacks its settings.
 */
export async function authenticate(request: Request, env: Env): Promise<void> {
  if (env.SKIP_AUTH === "true") {
    return;
  }

  const { pem, audience } = authSettings(env);
  const token = bearerToken(request);
  const key = await publicKey(pem);

  try {
    await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      audience,
      issuer: ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp"],
    });
  } catch (error) {
    throw unauthorized(reasonFor(error));
  }
}

function authSettings(env: Env): { pem: string; audience: string } {
  if (!env.PUBLIC_KEY) {
    throw misconfigured("PUBLIC_KEY is not set");
  }
  if (!env.TOKEN_AUDIENCE) {
    throw misconfigured("TOKEN_AUDIENCE is not set");
  }

  return { pem: env.PUBLIC_KEY, audience: env.TOKEN_AUDIENCE };
}

function bearerToken(request: Request): string {
  const header = request.headers.get("Authorization")?.trim() ?? "";
  const token = /^bearer\s/i.test(header) ? header.slice(7).trim() : header;

  if (!token) {
    throw unauthorized("missing token: send Authorization: Bearer <JWT>");
  }
  return token;
}

async function publicKey(pem: string): Promise<CryptoKey> {
  // Importing is costly; an isolate serves many requests with the same variable.
  if (cachedKey?.pem !== pem) {
    cachedKey = { pem, key: importSPKI(pem, "EdDSA") };
  }

  try {
    return await cachedKey.key;
  } catch {
    throw misconfigured("PUBLIC_KEY is not an Ed25519 public key in SPKI PEM form");
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    return "token expired";
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `token claim "${error.claim}" is not accepted by this Worker`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "token signature does not match this Worker's public key";
  }
  return "invalid token";
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, "unauthorized", message, { "WWW-Authenticate": "Bearer" });
}

function misconfigured(reason: string): HttpError {
  // Logged once per isolate: every request would otherwise repeat the same line.
  if (!loggedMisconfigurations.has(reason)) {
    loggedMisconfigurations.add(reason);
    console.error(`worker misconfigured: ${reason}`);
  }
  return internalError();
}
