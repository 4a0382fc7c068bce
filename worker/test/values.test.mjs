import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { META, NAMESPACE, assertError, startAuthenticatedWorker, stopWorker } from "./helpers.mjs";

const path = (key, query = "") => `/kv/${NAMESPACE}/${key}${query}`;

describe("single-key routes", () => {
  let worker;
  const call = (...args) => worker.call(...args);

  before(async () => {
    worker = await startAuthenticatedWorker();
  });
  after(() => stopWorker(worker));

  it("info lists the version, the bound namespace and the extensions", async () => {
    const res = await call("GET", "/.well-known/dapr/info");
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"], /^application\/json/);
    assert.deepEqual(res.json(), {
      version: META.version,
      kv: [NAMESPACE],
      features: ["metadata", "batch", "list", "delete-prefix"],
    });
    assert.ok(Number(META.version) >= 20230517);
  });

  it("stores, reads and deletes a value", async () => {
    const put = await call("POST", path("k1"), { body: "hello" });
    assert.equal(put.status, 201);
    assert.equal(put.body.length, 0);

    const got = await call("GET", path("k1"));
    assert.equal(got.status, 200);
    assert.equal(got.text(), "hello");
    assert.equal(got.headers["content-type"], "application/octet-stream");
    assert.equal(got.headers["x-dapr-content-type"], undefined);
    assert.equal(got.headers["x-dapr-expiration"], undefined);

    assert.equal((await call("DELETE", path("k1"))).status, 204);
    assertError(await call("GET", path("k1")), 404, "key_not_found");
  });

  it("answers 204 when deleting a key that never existed", async () => {
    const res = await call("DELETE", path("never-set"));
    assert.equal(res.status, 204);
    assert.equal(res.body.length, 0);
  });

  it("answers 404 for a key that never existed", async () => {
    assertError(await call("GET", path("never-set")), 404, "key_not_found");
  });

  it("keeps an empty value as present and empty", async () => {
    assert.equal((await call("POST", path("empty"), { body: "" })).status, 201);
    const got = await call("GET", path("empty"));
    assert.equal(got.status, 200);
    assert.equal(got.body.length, 0);
  });

  it("returns binary values byte for byte", async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x00, 0xff, 0xfe, 0x80, 0x41]);
    assert.equal((await call("POST", path("bin"), { body: bytes })).status, 201);
    assert.deepEqual((await call("GET", path("bin"))).body, bytes);
  });

  it("stores the key exactly as escaped in the path, without decoding it", async () => {
    const escaped = "app%7C%7Ca%2Fb%20c";
    assert.equal((await call("POST", path(escaped), { body: "1" })).status, 201);

    const stored = await worker.kv.list();
    assert.ok(stored.keys.some((entry) => entry.name === escaped));
    assert.equal(await worker.kv.get("app||a/b c"), null);
    assert.equal((await call("GET", path(escaped))).text(), "1");

    assert.equal((await call("DELETE", path(escaped))).status, 204);
    assert.equal(await worker.kv.get(escaped), null);
  });

  it("keeps the case of escapes and unescaped reserved characters", async () => {
    const key = "a%7cb$&+:=@";
    assert.equal((await call("POST", path(key), { body: "x" })).status, 201);
    assert.equal(await worker.kv.get(key), "x");
  });

  it("reads values written straight into KV under the escaped name", async () => {
    await worker.kv.put("user%2F123", "direct");
    assert.equal((await call("GET", path("user%2F123"))).text(), "direct");
  });

  it("accepts a 512-byte key and rejects 513 bytes naming the limit", async () => {
    assert.equal((await call("POST", path("k".repeat(512)), { body: "x" })).status, 201);
    const message = assertError(await call("POST", path("k".repeat(513))), 400, "invalid_key");
    assert.match(message, /513 bytes/);
    assert.match(message, /512 bytes/);
  });

  it("rejects an empty key", async () => {
    assertError(await call("POST", path(""), { body: "x" }), 400, "invalid_key");
  });

  it("does not serve dot segments as keys", async () => {
    // URL parsing folds "." and ".." segments away, so these never reach a key.
    assertError(await call("GET", path(".")), 400, "invalid_key");
    assertError(await call("GET", path("..")), 404, "not_found");
  });

  it("answers 412 for a namespace the Worker is not bound to", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      assertError(await call(method, "/kv/other-ns/k"), 412, "namespace_not_bound");
    }
    assertError(await call("GET", "/kv/constructor/k"), 412, "namespace_not_bound");
    assertError(await call("GET", "/kv/PUBLIC_KEY/k"), 412, "namespace_not_bound");
  });

  it("rejects a TTL under 60 s with a 400 that names the minimum", async () => {
    const res = await call("POST", path("short", "?ttl=30"), { body: "x" });
    assert.match(assertError(res, 400, "invalid_ttl"), /60/);
    assert.equal(await worker.kv.get("short"), null);
  });

  it("rejects TTLs that are not whole numbers of seconds in range", async () => {
    for (const ttl of ["abc", "-1", "1.5", "", "0", "59", "2147483648", "1e3", "+60"]) {
      const res = await call("POST", path("bad-ttl", `?ttl=${ttl}`), { body: "x" });
      assertError(res, 400, "invalid_ttl");
    }
    assert.equal(await worker.kv.get("bad-ttl"), null);
  });

  it("stores a value with a TTL of 60 s and reports its expiration", async () => {
    const before = Math.floor(Date.now() / 1000);
    assert.equal((await call("POST", path("ttl", "?ttl=60"), { body: "x" })).status, 201);

    const got = await call("GET", path("ttl"));
    const expiration = Number(got.headers["x-dapr-expiration"]);
    assert.ok(expiration >= before + 60 && expiration <= before + 62, String(expiration));

    const { keys } = await worker.kv.list({ prefix: "ttl" });
    assert.ok(Math.abs(keys[0].expiration - expiration) <= 1);
  });

  it("drops the expiration when a value is written again without TTL", async () => {
    await call("POST", path("ttl-reset", "?ttl=3600"), { body: "x" });
    await call("POST", path("ttl-reset"), { body: "y" });

    const got = await call("GET", path("ttl-reset"));
    assert.equal(got.headers["x-dapr-expiration"], undefined);
    const { keys } = await worker.kv.list({ prefix: "ttl-reset" });
    assert.equal(keys[0].expiration, undefined);
  });

  it("keeps the content type the value was written with", async () => {
    const headers = { "Content-Type": "application/json; charset=utf-8" };
    await call("POST", path("typed"), { body: '{"a":1}', headers });

    const got = await call("GET", path("typed"));
    assert.equal(got.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(got.headers["x-dapr-content-type"], "application/json; charset=utf-8");
    assert.equal(got.text(), '{"a":1}');
  });

  it("stores content type and expiration as KV metadata, and nothing for binary values", async () => {
    const headers = { "Content-Type": "text/plain" };
    await call("POST", path("meta", "?ttl=120"), { body: "x", headers });
    await call("POST", path("plain-bin"), { body: Buffer.from([0xff]) });

    const typed = await worker.kv.getWithMetadata("meta");
    assert.deepEqual(Object.keys(typed.metadata).sort(), ["ct", "exp", "utf8"]);
    assert.equal(typed.metadata.ct, "text/plain");
    assert.equal((await worker.kv.getWithMetadata("plain-bin")).metadata, null);
  });

  it("rejects a content type too long for KV metadata", async () => {
    const headers = { "Content-Type": `text/${"x".repeat(300)}` };
    const res = await call("POST", path("long-ct"), { body: "x", headers });
    assert.match(assertError(res, 400, "invalid_content_type"), /256 bytes/);
  });

  it("keeps a keep-alive connection usable after rejecting a request with a body", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const res = await call("POST", path("reuse", "?ttl=1"), { body: "x".repeat(1000), agent });
        assertError(res, 400, "invalid_ttl");
      }
    } finally {
      agent.destroy();
    }
  });
});
