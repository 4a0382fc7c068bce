import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NAMESPACE, assertError, startAuthenticatedWorker, stopWorker } from "./helpers.mjs";

describe("list and delete-prefix routes", () => {
  let worker;
  const list = (query = "") => worker.call("GET", `/list/${NAMESPACE}${query}`);
  const deletePrefix = (query) => worker.call("DELETE", `/list/${NAMESPACE}${query}`);
  const fill = (names) => Promise.all(names.map((name) => worker.kv.put(name, "v")));

  before(async () => {
    worker = await startAuthenticatedWorker();
    await fill(["app%7C%7Ca", "app%7C%7Cb", "app%7C%7Cc", "other%7C%7Ca"]);
  });
  after(() => stopWorker(worker));

  it("lists every key when no prefix is given", async () => {
    const res = await list();
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      keys: ["app%7C%7Ca", "app%7C%7Cb", "app%7C%7Cc", "other%7C%7Ca"],
      cursor: null,
      complete: true,
    });
  });

  it("lists keys under an escaped prefix, page by page", async () => {
    const first = (await list("?prefix=app%257C%257C&limit=2")).json();
    assert.deepEqual(first.keys, ["app%7C%7Ca", "app%7C%7Cb"]);
    assert.equal(first.complete, false);
    assert.equal(typeof first.cursor, "string");

    const query = `?prefix=app%257C%257C&limit=2&cursor=${encodeURIComponent(first.cursor)}`;
    assert.deepEqual((await list(query)).json(), {
      keys: ["app%7C%7Cc"],
      cursor: null,
      complete: true,
    });
  });

  it("rejects limits outside 1 to 1000", async () => {
    for (const limit of ["0", "1001", "abc", "-1", "2.5", ""]) {
      const res = await list(`?limit=${limit}`);
      assert.match(assertError(res, 400, "invalid_limit"), /1000/);
    }
  });

  it("deletes one page of keys under a prefix and says whether any are left", async () => {
    await fill(["del/1", "del/2", "del/3", "delta"]);

    const first = await deletePrefix("?prefix=del%2F&limit=2");
    assert.equal(first.status, 200);
    assert.deepEqual(first.json(), { deleted: 2, complete: false });

    assert.deepEqual((await deletePrefix("?prefix=del%2F")).json(), { deleted: 1, complete: true });
    assert.deepEqual((await deletePrefix("?prefix=del%2F")).json(), { deleted: 0, complete: true });
    assert.equal(await worker.kv.get("delta"), "v");
  });

  it("refuses to delete without a prefix", async () => {
    for (const query of ["", "?prefix="]) {
      assertError(await deletePrefix(query), 400, "invalid_prefix");
    }
    assert.equal((await list()).json().keys.length >= 4, true);
  });

  it("rejects delete limits outside 1 to 500", async () => {
    assert.match(
      assertError(await deletePrefix("?prefix=a&limit=501"), 400, "invalid_limit"),
      /500/,
    );
  });

  it("answers 412 for a namespace the Worker is not bound to", async () => {
    assertError(await worker.call("GET", "/list/other-ns"), 412, "namespace_not_bound");
    assertError(await worker.call("DELETE", "/list/other-ns?prefix=a"), 412, "namespace_not_bound");
  });
});
