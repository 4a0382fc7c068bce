import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AUDIENCE,
  NAMESPACE,
  assertError,
  loggedLines,
  mintToken,
  newKeyPair,
  request,
  startAuthenticatedWorker,
  startWorker,
  stopWorker,
} from "./helpers.mjs";

function base64url(value) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("authentication", () => {
  let worker;
  const get = (path, headers = {}) => request(worker.url, "GET", path, { headers });
  const withToken = (token, path = "/.well-known/dapr/info") =>
    get(path, { Authorization: `Bearer ${token}` });

  before(async () => {
    worker = await startAuthenticatedWorker();
  });
  after(() => stopWorker(worker));

  it("accepts a token signed like the Dapr component signs it", async () => {
    const res = await withToken(await mintToken(worker.keys.privateKey));
    assert.equal(res.status, 200);
  });

  it("accepts a bare token without the Bearer scheme", async () => {
    const token = await mintToken(worker.keys.privateKey);
    const res = await get("/.well-known/dapr/info", { Authorization: token });
    assert.equal(res.status, 200);
  });

  it("accepts a string audience and a lower-case scheme", async () => {
    const token = await mintToken(worker.keys.privateKey, { claims: { aud: AUDIENCE } });
    const res = await get("/.well-known/dapr/info", { Authorization: `bearer ${token}` });
    assert.equal(res.status, 200);
  });

  it("rejects a request without a token before looking at the route or namespace", async () => {
    for (const path of ["/kv/not-bound/k", "/nowhere", "/.well-known/dapr/info"]) {
      const res = await get(path);
      const message = assertError(res, 401, "unauthorized");
      assert.equal(res.headers["www-authenticate"], "Bearer");
      assert.doesNotMatch(message, /not-bound|namespace|bound/);
    }
  });

  it("rejects a token for another Worker", async () => {
    const token = await mintToken(worker.keys.privateKey, { claims: { aud: ["other-worker"] } });
    assertError(await withToken(token, `/kv/${NAMESPACE}/k`), 401, "unauthorized");
  });

  it("rejects an unsigned token (alg none)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: [AUDIENCE], iss: "dapr.io/cloudflare", iat: now, exp: now + 60 };
    const token = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
    assertError(await withToken(token), 401, "unauthorized");
  });

  it("rejects a token signed by another Ed25519 key", async () => {
    const other = await newKeyPair();
    const res = await withToken(await mintToken(other.privateKey));
    assert.match(assertError(res, 401, "unauthorized"), /signature/);
  });

  it("rejects a token expired for longer than the 300 s clock tolerance", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iat: now - 1000, exp: now - 400 };
    const token = await mintToken(worker.keys.privateKey, { claims });
    assert.match(assertError(await withToken(token), 401, "unauthorized"), /expired/);
  });

  it("accepts a token expired within the clock tolerance", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintToken(worker.keys.privateKey, { claims: { exp: now - 200 } });
    assert.equal((await withToken(token)).status, 200);
  });

  it("rejects a token without an issuer, with another issuer, or without expiry", async () => {
    for (const claims of [{ iss: null }, { iss: "someone-else" }, { exp: null }]) {
      const token = await mintToken(worker.keys.privateKey, { claims });
      assertError(await withToken(token), 401, "unauthorized");
    }
  });

  it("rejects garbage and tokens of another algorithm", async () => {
    const hmac = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ aud: AUDIENCE })}.c2ln`;
    for (const token of ["not-a-jwt", "a.b.c", hmac]) {
      assertError(await withToken(token), 401, "unauthorized");
    }
  });
});

describe("authentication settings", () => {
  it("SKIP_AUTH=true lets requests through without a token", async () => {
    const worker = await startWorker({ bindings: { SKIP_AUTH: "true" } });
    try {
      const res = await request(worker.url, "GET", "/.well-known/dapr/info");
      assert.equal(res.status, 200);
    } finally {
      await stopWorker(worker);
    }
  });

  it("answers a generic 500 and logs once when PUBLIC_KEY is missing", async () => {
    const worker = await startWorker({ bindings: { TOKEN_AUDIENCE: AUDIENCE } });
    try {
      const { privateKey } = await newKeyPair();
      const headers = { Authorization: `Bearer ${await mintToken(privateKey)}` };
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const res = await request(worker.url, "GET", "/.well-known/dapr/info", { headers });
        assert.equal(assertError(res, 500, "internal"), "internal error");
        assert.doesNotMatch(res.text(), /PUBLIC_KEY/);
      }
      const logged = await loggedLines(worker, /PUBLIC_KEY is not set/g);
      assert.equal(logged.length, 1);
    } finally {
      await stopWorker(worker);
    }
  });

  it("answers a generic 500 when PUBLIC_KEY is not a usable key", async () => {
    const bindings = { PUBLIC_KEY: "garbage", TOKEN_AUDIENCE: AUDIENCE };
    const worker = await startWorker({ bindings });
    try {
      const { privateKey } = await newKeyPair();
      const headers = { Authorization: `Bearer ${await mintToken(privateKey)}` };
      const res = await request(worker.url, "GET", "/.well-known/dapr/info", { headers });
      assertError(res, 500, "internal");
      const logged = await loggedLines(worker, /PUBLIC_KEY is not an Ed25519 public key/g);
      assert.equal(logged.length, 1);
    } finally {
      await stopWorker(worker);
    }
  });
});
