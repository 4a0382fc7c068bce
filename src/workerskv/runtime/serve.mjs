// Serves one Worker on local workerd through Miniflare.
//
//   node serve.mjs CONFIG.json
//
// CONFIG.json: {"workers": [{"name", "script_path", "compatibility_date", "kv_namespaces": [ids],
// "bindings": {VAR: "text"}}], "host": "127.0.0.1", "port": 0, "persist_dir": "DIR" | null}.
// Exactly one worker; each KV namespace is bound under its own ID; port 0 picks a free port;
// KV data lives under persist_dir (kept across restarts) or in memory when it is null.
//
// When the Worker answers, one line goes to stdout: {"event": "ready", "url": "http://HOST:PORT/"}.
// Everything workerd prints goes to stderr. The process stops on SIGINT, SIGTERM, or when its
// stdin (a pipe from the parent) closes, so it does not outlive the process that started it.
import { readFile } from "node:fs/promises";
import { fstatSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Miniflare } from "miniflare";

class ConfigError extends Error {}

async function readConfig(path) {
  if (!path) {
    throw new ConfigError("usage: node serve.mjs CONFIG.json");
  }

  let config;
  try {
    config = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${error.message}`);
  }
  return validateConfig(config);
}

function validateConfig(config) {
  const workers = config?.workers;
  if (!Array.isArray(workers) || workers.length !== 1) {
    throw new ConfigError('config needs "workers" with exactly one worker');
  }

  const [worker] = workers;
  expect(typeof worker?.script_path === "string", "workers[0].script_path must be a path");
  expect(isDate(worker.compatibility_date), "workers[0].compatibility_date must be yyyy-mm-dd");
  expect(isStringList(worker.kv_namespaces ?? []), "workers[0].kv_namespaces must be strings");
  expect(isStringMap(worker.bindings ?? {}), "workers[0].bindings must map names to strings");
  expect(isPort(config.port ?? 0), "port must be an integer from 0 to 65535");
  expect(typeof (config.host ?? "") === "string", "host must be a string");
  const persistDir = config.persist_dir ?? null;
  expect(
    persistDir === null || typeof persistDir === "string",
    "persist_dir must be a path or null",
  );
  return config;
}

function miniflareOptions(config) {
  const [worker] = config.workers;
  const scriptPath = resolve(worker.script_path);

  return {
    name: worker.name ?? "worker",
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; the script's own folder always works.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: worker.compatibility_date,
    kvNamespaces: worker.kv_namespaces ?? [],
    bindings: worker.bindings ?? {},
    kvPersist: config.persist_dir ? resolve(config.persist_dir) : false,
    host: config.host || "127.0.0.1",
    port: config.port ?? 0,
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      stdout.pipe(process.stderr);
      stderr.pipe(process.stderr);
    },
  };
}

function stopOnSignalsAndEof(mf) {
  let stopping = false;
  const stop = async () => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    await mf.dispose().catch(() => undefined);
    process.exit(0);
  };

  // Miniflare's own handlers kill workerd and exit with 128 + signal before an asynchronous
  // dispose could finish; ours dispose first and exit 0.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }

  // Only a pipe or socket ends when the parent goes away; a terminal or /dev/null does not.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on("end", stop).on("error", stop).resume();
  }
}

async function main() {
  const config = await readConfig(process.argv[2]);
  const mf = new Miniflare(miniflareOptions(config));
  const url = await mf.ready;
  stopOnSignalsAndEof(mf);

  process.stdout.write(JSON.stringify({ event: "ready", url: url.href }) + "\n");
}

function expect(condition, message) {
  if (!condition) {
    throw new ConfigError(message);
  }
}

function isDate(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

function isPort(value) {
  return Number.isInteger(value) && value >= 0 && value <= 65535;
}

function isStringList(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isStringMap(value) {
  const isMap = typeof value === "object" && value !== null && !Array.isArray(value);
  return isMap && Object.values(value).every((item) => typeof item === "string");
}

main().catch((error) => {
  const reason =
    error instanceof ConfigError ? error.message : `cannot start workerd: ${error.message}`;
  process.stderr.write(`serve.mjs: ${reason.split("\n")[0]}\n`);
  process.exit(1);
});
