// Bundles the Worker into the Python package: `node scripts/build.mjs` writes the bundle and
// its metadata; `node scripts/build.mjs --verify` exits non-zero when the shipped files differ
// from what the sources build to.
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const workerDir = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(workerDir, "..", "src", "workerskv", "_worker");
const BANNER = "// Generated from worker/src by `npm run build`; do not edit.";

async function bundle() {
  const result = await build({
    absWorkingDir: workerDir,
    entryPoints: ["src/index.ts"],
    outfile: join(outDir, "worker.js"),
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    charset: "utf8",
    legalComments: "inline",
    banner: { js: BANNER },
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

async function metadata() {
  const source = JSON.parse(await readFile(join(workerDir, "meta.json"), "utf8"));
  const meta = { version: source.version, compatibility_date: source.compatibility_date };

  if (!/^\d{8}$/.test(meta.version) || !/^\d{4}-\d{2}-\d{2}$/.test(meta.compatibility_date)) {
    throw new Error("meta.json needs version as yyyymmdd and compatibility_date as yyyy-mm-dd");
  }
  return JSON.stringify(meta, null, 2) + "\n";
}

async function expectedFiles() {
  const [script, meta] = await Promise.all([bundle(), metadata()]);
  return { "worker.js": script, "meta.json": meta };
}

async function writeAll(files) {
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(outDir, name), text);
  }
}

async function verifyAll(files) {
  const stale = [];
  for (const [name, text] of Object.entries(files)) {
    const shipped = await readFile(join(outDir, name), "utf8").catch(() => null);
    if (shipped !== text) {
      stale.push(relative(workerDir, join(outDir, name)));
    }
  }

  if (stale.length > 0) {
    console.error(`shipped Worker bundle is out of date: ${stale.join(", ")}`);
    console.error("run `npm run build` in worker/ and commit the result");
    process.exitCode = 1;
  }
}

const files = await expectedFiles();
await (process.argv.includes("--verify") ? verifyAll(files) : writeAll(files));
