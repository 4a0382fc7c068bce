import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NAMESPACE, assertError, startAuthenticatedWorker, stopWorker } from "./helpers.mjs";

const b64 = (value) => Buffer.from(value).toString("base64");

describe("batch route", () => {
  let worker;
  const batch = (body, ns = NAMESPACE) =>
    worker.call("POST", `/batch/${ns}`, {
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    });

  before(async () => {
    worker = await startAuthenticatedWorker();
  });
  after(() => stopWorker(worker));

  it("sets values and reads them back in request order, missing keys as null", async () => {
    const set = await batch({
      set: [
        { key: "a", value: b64("1") },
        { key: "b", value: b64("2"), ct: "text/plain" },
      ],
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json(), {});

    const got = await batch({ get: ["b", "missing", "a", "b"] });
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), {
      items: [
        { key: "b", value: b64("2"), ct: "text/plain" },
        { key: "missing", value: null },
        { key: "a", value: b64("1") },
        { key: "b", value: b64("2"), ct: "text/plain" },
      ],
    });
  });

  it("round-trips binary, empty, BOM-prefixed and non-ASCII text values", async () => {
    const values = {
      bin: Buffer.from([0x00, 0xff, 0xfe, 0x80]),
      empty: Buffer.alloc(0),
      bom: Buffer.from([0xef, 0xbb, 0xbf, 0x41]),
      text: Buffer.from("zażółć 🙂"),
    };
    const set = Object.entries(values).map(([key, value]) => ({ key, value: b64(value) }));
    assert.equal((await batch({ set })).status, 200);

    const { items } = (await batch({ get: Object.keys(values) })).json();
    for (const item of items) {
      assert.deepEqual(Buffer.from(item.value, "base64"), values[item.key], item.key);
    }
  });

  it("reads values written without metadata, as an upstream Worker writes them", async () => {
    await worker.kv.put("legacy-text", "plain");
    await worker.kv.put("legacy-bin", new Uint8Array([0xef, 0xbb, 0xbf, 0xff]));

    const { items } = (await batch({ get: ["legacy-text", "legacy-bin"] })).json();
    assert.deepEqual(items, [
      { key: "legacy-text", value: b64("plain") },
      { key: "legacy-bin", value: b64(Buffer.from([0xef, 0xbb, 0xbf, 0xff])) },
    ]);
  });

  it("agrees with the single-key route on values it wrote", async () => {
    const body = Buffer.from([0x01, 0x02, 0xc3]);
    await worker.call("POST", `/kv/${NAMESPACE}/single`, { body });
    const { items } = (await batch({ get: ["single"] })).json();
    assert.deepEqual(Buffer.from(items[0].value, "base64"), body);

    await batch({ set: [{ key: "from-batch", value: b64("v") }] });
    assert.equal((await worker.call("GET", `/kv/${NAMESPACE}/from-batch`)).text(), "v");
  });

  it("reports TTL expirations and content types", async () => {
    const now = Math.floor(Date.now() / 1000);
    await batch({ set: [{ key: "ttl", value: b64("x"), ttl: 600, ct: "application/json" }] });

    const [item] = (await batch({ get: ["ttl"] })).json().items;
    assert.equal(item.ct, "application/json");
    assert.ok(item.exp >= now + 600 && item.exp <= now + 602, String(item.exp));

    const single = await worker.call("GET", `/kv/${NAMESPACE}/ttl`);
    assert.equal(single.headers["x-dapr-expiration"], String(item.exp));
  });

  it("keeps keys escaped exactly as sent", async () => {
    await batch({ set: [{ key: "app%7C%7Ca%2Fb%20c", value: b64("1") }] });
    assert.equal(await worker.kv.get("app%7C%7Ca%2Fb%20c"), "1");
    assert.equal(await worker.kv.get("app||a/b c"), null);
  });

  it("applies the last of two items for the same key", async () => {
    const set = [
      { key: "dup", value: b64("first") },
      { key: "dup", value: b64("second") },
    ];
    assert.equal((await batch({ set })).status, 200);
    assert.equal(await worker.kv.get("dup"), "second");
  });

  it("deletes keys, missing ones included", async () => {
    await batch({
      set: [
        { key: "d1", value: b64("1") },
        { key: "d2", value: b64("2") },
      ],
    });
    const res = await batch({ delete: ["d1", "d2", "never-set"] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {});
    assert.equal(await worker.kv.get("d1"), null);
    assert.equal(await worker.kv.get("d2"), null);
  });

  it("accepts 100 items of a kind and rejects 101 naming the limit", async () => {
    const keys = Array.from({ length: 101 }, (_, index) => `many-${index}`);
    const set = keys.slice(0, 100).map((key) => ({ key, value: b64(key) }));
    assert.equal((await batch({ set })).status, 200);

    const { items } = (await batch({ get: keys.slice(0, 100) })).json();
    assert.equal(items.length, 100);
    assert.ok(items.every((item) => Buffer.from(item.value, "base64").toString() === item.key));

    for (const body of [{ get: keys }, { delete: keys }, { set: [...set, set[0]] }]) {
      assert.match(assertError(await batch(body), 400, "too_many_items"), /at most 100/);
    }
  });

  it("writes nothing when any item of a set is invalid, naming the item", async () => {
    const cases = [
      [{ key: "bad", value: b64("x"), ttl: 30 }, "invalid_ttl", /set\[1\] \(key "bad"\).*60/],
      [{ key: "bad", value: b64("x"), ttl: 60.5 }, "invalid_ttl", /set\[1\]/],
      [{ key: "bad", value: b64("x"), ttl: "600" }, "invalid_ttl", /set\[1\]/],
      [{ key: "k".repeat(513), value: b64("x") }, "invalid_key", /set\[1\].*513 bytes/],
      [{ key: "", value: b64("x") }, "invalid_key", /set\[1\]/],
      [{ key: "..", value: b64("x") }, "invalid_key", /set\[1\]/],
      [{ key: "bad", value: "not base64!" }, "invalid_value", /set\[1\].*base64/],
      [{ key: "bad", value: 5 }, "invalid_value", /set\[1\]/],
      [{ key: "bad", value: b64("x"), ct: 5 }, "invalid_content_type", /set\[1\]/],
      ["just a string", "invalid_body", /set\[1\]/],
    ];
    for (const [item, code, pattern] of cases) {
      const set = [{ key: "untouched", value: b64("x") }, item];
      assert.match(assertError(await batch({ set }), 400, code), pattern);
    }
    assert.equal(await worker.kv.get("untouched"), null);
  });

  it("rejects bad keys in get and delete, naming the item", async () => {
    const res = await batch({ get: ["fine", 7] });
    assert.match(assertError(res, 400, "invalid_key"), /get\[1\]/);
    assert.match(assertError(await batch({ delete: [""] }), 400, "invalid_key"), /delete\[0\]/);
  });

  it("rejects bodies that are not one JSON list of a known kind", async () => {
    const bodies = ["{", "[]", "null", '{"get": "a"}', '{"put": []}', '{"get": [], "delete": []}'];
    for (const body of bodies) {
      assertError(await batch(body), 400, "invalid_body");
    }
  });

  it("answers 412 for a namespace the Worker is not bound to", async () => {
    assertError(await batch({ get: ["a"] }, "other-ns"), 412, "namespace_not_bound");
  });

  it("answers 404 for other methods", async () => {
    assertError(await worker.call("GET", `/batch/${NAMESPACE}`), 404, "not_found");
  });
});
