// The local runtime shipped in the Python package (src/workerskv/runtime/serve.mjs), run as a
// child process the way the Python side runs it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { META, NAMESPACE, request } from "./helpers.mjs";

const workerDir = dirname(dirname(fileURLToPath(import.meta.url)));
const packageDir = join(workerDir, "..", "src", "workerskv");
// A copy under node_modules resolves `miniflare` to the same pinned version as the runtime's own.
const runDir = join(workerDir, "node_modules", ".cache", "serve-test");

function config(dataDir, persist) {
  const worker = {
    name: "workerskv",
    script_path: join(packageDir, "_worker", "worker.js"),
    compatibility_date: META.compatibility_date,
    kv_namespaces: [NAMESPACE],
    bindings: { SKIP_AUTH: "true" },
  };
  return { workers: [worker], host: "127.0.0.1", port: 0, persist_dir: persist };
}

async function serve(configPath) {
  const child = spawn(process.execPath, [join(runDir, "serve.mjs"), configPath], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stderr = [];
  child.stderr.on("data", (chunk) => stderr.push(String(chunk)));
  const exited = once(child, "exit");

  const lines = createInterface({ input: child.stdout });
  const [first] = await Promise.race([once(lines, "line"), exited.then(() => [null])]);
  return { child, exited, stderr, ready: first === null ? null : JSON.parse(first) };
}

describe("local runtime (serve.mjs)", () => {
  let dataDir;

  before(async () => {
    await mkdir(runDir, { recursive: true });
    await copyFile(join(packageDir, "runtime", "serve.mjs"), join(runDir, "serve.mjs"));
    dataDir = await mkdtemp(join(tmpdir(), "workerskv-serve-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("serves on a free port, keeps KV on disk across restarts, and stops cleanly", async () => {
    const configPath = join(dataDir, "config.json");
    await writeFile(configPath, JSON.stringify(config(dataDir, join(dataDir, "kv"))));

    const first = await serve(configPath);
    assert.equal(first.ready?.event, "ready", first.stderr.join(""));
    const url = new URL(first.ready.url);
    assert.notEqual(url.port, "0");
    assert.equal(url.pathname, "/");
    const put = await request(url, "POST", `/kv/${NAMESPACE}/kept%7Ckey`, { body: "v1" });
    assert.equal(put.status, 201);

    first.child.stdin.end();
    assert.deepEqual(await first.exited, [0, null]);

    const second = await serve(configPath);
    const got = await request(new URL(second.ready.url), "GET", `/kv/${NAMESPACE}/kept%7Ckey`);
    assert.equal(got.text(), "v1");

    second.child.kill("SIGTERM");
    assert.deepEqual(await second.exited, [0, null]);
  });

  it("exits 1 with one line on stderr when the config is unusable", async () => {
    const configPath = join(dataDir, "bad.json");
    await writeFile(configPath, JSON.stringify({ workers: [] }));

    const run = await serve(configPath);
    assert.equal(run.ready, null);
    assert.deepEqual(await run.exited, [1, null]);
    assert.match(run.stderr.join(""), /^serve\.mjs: .*exactly one worker\n$/);
  });
});
