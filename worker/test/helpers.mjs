// Runs the shipped Worker bundle inside workerd (through Miniflare) and talks to it over HTTP.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import { Miniflare } from "miniflare";

const workerDir = dirname(dirname(fileURLToPath(import.meta.url)));
const bundleDir = join(workerDir, "..", "src", "workerskv", "_worker");

export const META = JSON.parse(readFileSync(join(bundleDir, "meta.json"), "utf8"));
export const AUDIENCE = "test-worker";
export const NAMESPACE = "ns-0f1e2d3c.test_1";
export const ISSUER = "dapr.io/cloudflare";

const keepAliveAgent = new http.Agent({ keepAlive: true });

/** A fresh Ed25519 key pair and its PEM public key. */
export async function newKeyPair() {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { ...pair, pem: await exportSPKI(pair.publicKey) };
}

/** Signs a token the way the Dapr component does, with claims and header overridable. */
export async function mintToken(privateKey, { claims = {}, header = {}, lifetime = 60 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = { aud: [AUDIENCE], iss: ISSUER, iat: now, exp: now + lifetime, ...claims };
  const jwt = new SignJWT(Object.fromEntries(Object.entries(body).filter(([, v]) => v != null)));

  return jwt.setProtectedHeader({ alg: "EdDSA", typ: "JWT", ...header }).sign(privateKey);
}

/**
 * Starts the bundle in workerd with KV namespaces and variables; `kv` is the test namespace as
 * seen from outside the Worker. Runtime output is collected in `logs` instead of being printed.
 */
export async function startWorker(options = {}) {
  const {
    bindings = {},
    kvNamespaces = [NAMESPACE],
    wrappedBindings = {},
    services = [],
  } = options;
  const logs = [];
  const collect = (stream) => stream.on("data", (chunk) => logs.push(String(chunk)));
  const mf = new Miniflare({
    workers: [
      {
        name: "workerskv",
        modules: true,
        modulesRoot: bundleDir,
        scriptPath: join(bundleDir, "worker.js"),
        compatibilityDate: META.compatibility_date,
        kvNamespaces,
        bindings,
        wrappedBindings,
      },
      ...services,
    ],
    cf: false,
    handleRuntimeStdio: (stdout, stderr) => (collect(stdout), collect(stderr)),
  });

  try {
    const url = await mf.ready;
    const kv = kvNamespaces.includes(NAMESPACE) ? await mf.getKVNamespace(NAMESPACE) : undefined;
    return { mf, url, logs, kv };
  } catch (error) {
    throw new Error(`workerd did not start:\n${logs.join("")}`, { cause: error });
  }
}

/**
 * Waits until `pattern` (a global RegExp) has matched `count` times in the Worker's output, which
 * workerd writes after the response; returns every match once a short quiet period has passed.
 */
export async function loggedLines(worker, pattern, count = 1, timeoutMs = 5000) {
  const matches = () => worker.logs.join("").match(pattern) ?? [];
  const deadline = Date.now() + timeoutMs;
  while (matches().length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return matches();
}

/** A started Worker with a key pair it trusts, and a `call` that signs each request. */
export async function startAuthenticatedWorker(options = {}) {
  const keys = await newKeyPair();
  const bindings = { PUBLIC_KEY: keys.pem, TOKEN_AUDIENCE: AUDIENCE, ...options.bindings };
  const worker = await startWorker({ ...options, bindings });

  const call = async (method, path, init = {}) => {
    const token = await mintToken(keys.privateKey);
    const headers = { Authorization: `Bearer ${token}`, ...init.headers };
    return request(worker.url, method, path, { ...init, headers });
  };
  return { ...worker, keys, call };
}

/**
 * Sends one request with `path` exactly as given (no normalisation or re-escaping) and
 * returns status, headers and the body as a Buffer.
 */
export function request(base, method, path, { headers = {}, body, agent } = {}) {
  const payload = body === undefined ? undefined : toBuffer(body);
  const allHeaders = payload ? { "Content-Length": payload.length, ...headers } : headers;
  const target = { host: base.hostname, port: base.port, agent: agent ?? keepAliveAgent };
  const options = { ...target, method, path, headers: allHeaders };

  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve(response(res, Buffer.concat(chunks))));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Asserts a JSON error answer with the given status and code; returns its message. */
export function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text()}`);
  assert.match(res.headers["content-type"] ?? "", /^application\/json/);

  const body = res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message"]);
  assert.equal(body.error.code, code);
  assertNoInternals(res.text());
  return body.error.message;
}

/** Asserts that a body carries no stack trace or runtime error text. */
export function assertNoInternals(text) {
  assert.doesNotMatch(text, /\bat .+:\d+:\d+|\n\s+at |TypeError|ReferenceError|KV (GET|PUT)/);
}

/** Stops a worker started by `startWorker`. */
export async function stopWorker(worker) {
  await worker?.mf.dispose();
}

function toBuffer(body) {
  return typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
}

function response(res, body) {
  return {
    status: res.statusCode,
    headers: res.headers,
    body,
    text: () => body.toString("utf8"),
    json: () => JSON.parse(body.toString("utf8")),
  };
}
