import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  NAMESPACE,
  assertError,
  assertNoInternals,
  loggedLines,
  request,
  startAuthenticatedWorker,
  startWorker,
  stopWorker,
} from "./helpers.mjs";

// A stand-in namespace that fails every call, the way the KV binding reports a rate limit
// for keys containing "busy" and an unexpected failure otherwise.
const FAILING_KV = `
export default function () {
  const fail = async (key) => {
    if (String(key).includes("busy")) throw new Error("KV PUT failed: 429 Too Many Requests");
    throw new Error("secret detail of an internal failure");
  };
  return { get: fail, getWithMetadata: fail, put: fail, delete: fail, list: fail };
}`;

describe("routing", () => {
  let worker;

  before(async () => {
    worker = await startAuthenticatedWorker({ kvNamespaces: [NAMESPACE, "second"] });
  });
  after(() => stopWorker(worker));

  it("lists only KV namespaces among the bindings, sorted", async () => {
    const info = (await worker.call("GET", "/.well-known/dapr/info")).json();
    assert.deepEqual(info.kv, [NAMESPACE, "second"].sort());
    assert.equal(info.queues, undefined);
  });

  it("answers 404 for unknown paths and methods", async () => {
    const cases = [
      ["GET", "/"],
      ["GET", "/nowhere"],
      ["POST", "/.well-known/dapr/info"],
      ["GET", "/.well-known/dapr/info/"],
      ["PUT", `/kv/${NAMESPACE}/k`],
      ["PATCH", `/kv/${NAMESPACE}/k`],
      ["GET", `/kv/${NAMESPACE}`],
      ["GET", `/kv/${NAMESPACE}/a/b`],
      ["POST", `/list/${NAMESPACE}`],
    ];
    for (const [method, path] of cases) {
      assertError(await worker.call(method, path), 404, "not_found");
    }
  });

  it("keeps namespaces apart", async () => {
    await worker.call("POST", `/kv/${NAMESPACE}/shared-name`, { body: "first" });
    await worker.call("POST", "/kv/second/shared-name", { body: "second" });

    assert.equal((await worker.call("GET", `/kv/${NAMESPACE}/shared-name`)).text(), "first");
    assert.equal((await worker.call("GET", "/kv/second/shared-name")).text(), "second");
  });
});

describe("errors from KV", () => {
  let worker;
  const call = (method, path) => request(worker.url, method, path);

  before(async () => {
    worker = await startWorker({
      bindings: { SKIP_AUTH: "true" },
      wrappedBindings: { failing: { scriptName: "failing-kv" } },
      services: [
        {
          name: "failing-kv",
          modules: [{ type: "ESModule", path: "failing.mjs", contents: FAILING_KV }],
        },
      ],
    });
  });
  after(() => stopWorker(worker));

  it("recognises a namespace by its methods", async () => {
    const info = (await call("GET", "/.well-known/dapr/info")).json();
    assert.deepEqual(info.kv, ["failing", NAMESPACE].sort());
    assert.equal(info.version.length, 8);
  });

  it("turns a KV rate limit into a 429 with Retry-After", async () => {
    const res = await call("POST", "/kv/failing/busy");
    assert.match(assertError(res, 429, "rate_limited"), /one write per second/);
    assert.equal(res.headers["retry-after"], "1");
  });

  it("answers any other failure with a generic 500, logging it once", async () => {
    for (const [method, path] of [
      ["GET", "/kv/failing/k"],
      ["POST", "/kv/failing/k"],
      ["DELETE", "/kv/failing/k"],
      ["GET", "/list/failing"],
    ]) {
      const res = await call(method, path);
      assert.equal(assertError(res, 500, "internal"), "internal error");
      assert.doesNotMatch(res.text(), /secret|stack/);
      assertNoInternals(res.text());
    }
    const logged = await loggedLines(worker, /secret detail of an internal failure/g, 4);
    assert.equal(logged.length, 4);
  });
});
