import type { RouteContext } from "../router";
import { decodeBase64, encodeBase64 } from "../base64";
import { HttpError, jsonResponse } from "../errors";
import { namespaceFor } from "../kv/namespaces";
import type { StoredValue, WriteOptions } from "../kv/metadata";
import { deleteValue, readValues, writeValue } from "../kv/store";
import { validateContentType, validateKey, validateTtl, validateValueSize } from "../kv/validation";

/** Most items of one kind in a batch request; also the most keys one multi-key KV read takes. */
export const MAX_BATCH_ITEMS = 100;

const OPERATIONS = ["get", "set", "delete"] as const;
type Operation = (typeof OPERATIONS)[number];

interface BatchItem {
  key: string;
  value: string | null;
  ct?: string;
  exp?: number;
}

interface BatchWrite extends WriteOptions {
  key: string;
  bytes: Uint8Array;
}

/**
 * `POST /batch/:ns` with a JSON body holding exactly one of `get` (keys), `set` (items with
 * base64 values) or `delete` (keys). Every item is checked before anything is written.
 */
export async function postBatch({ request, env, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const [operation, items] = await readBatch(request);

  switch (operation) {
    case "get":
      return jsonResponse({ items: await batchGet(namespace, items.map(keyAt("get"))) });
    case "set":
      await batchSet(namespace, items.map(writeAt));
      return jsonResponse({});
    case "delete":
      await batchDelete(namespace, items.map(keyAt("delete")));
      return jsonResponse({});
  }
}

async function readBatch(request: Request): Promise<[Operation, unknown[]]> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw invalidBody("request body is not valid JSON");
  }

  const fields = isObject(body) ? Object.keys(body) : [];
  const operation = fields.length === 1 ? OPERATIONS.find((name) => name === fields[0]) : undefined;
  const items = operation && isObject(body) ? body[operation] : undefined;
  if (!operation || !Array.isArray(items)) {
    throw invalidBody('request body must be a JSON object with one list: "get", "set" or "delete"');
  }

  if (items.length > MAX_BATCH_ITEMS) {
    const message = `${operation} has ${items.length} items; a batch takes at most ${MAX_BATCH_ITEMS}`;
    throw new HttpError(400, "too_many_items", message);
  }
  return [operation, items];
}

async function batchGet(namespace: KVNamespace, keys: string[]): Promise<BatchItem[]> {
  const values = await readValues(namespace, keys);

  return keys.map((key) => batchItem(key, values.get(key) ?? null));
}

async function batchSet(namespace: KVNamespace, writes: BatchWrite[]): Promise<void> {
  // Applied as if in order: for a key given twice, the last item wins.
  const byKey = new Map(writes.map((write) => [write.key, write]));

  await Promise.all(
    [...byKey.values()].map(({ key, bytes, ...options }) =>
      writeValue(namespace, key, bytes, options),
    ),
  );
}

async function batchDelete(namespace: KVNamespace, keys: string[]): Promise<void> {
  await Promise.all([...new Set(keys)].map((key) => deleteValue(namespace, key)));
}

function batchItem(key: string, value: StoredValue | null): BatchItem {
  if (!value) {
    return { key, value: null };
  }

  const item: BatchItem = { key, value: encodeBase64(value.bytes) };
  if (value.contentType !== undefined) {
    item.ct = value.contentType;
  }
  if (value.expiration !== undefined) {
    item.exp = value.expiration;
  }
  return item;
}

function keyAt(operation: Operation) {
  return (key: unknown, index: number): string => validateKey(key, label(operation, index, key));
}

function writeAt(item: unknown, index: number): BatchWrite {
  if (!isObject(item)) {
    throw invalidBody(`set[${index}] must be an object with "key" and "value"`);
  }

  const where = label("set", index, item.key);
  const key = validateKey(item.key, where);
  const bytes = decodeValue(item.value, where);
  validateValueSize(bytes.byteLength, where);

  return {
    key,
    bytes,
    ttl: validateTtl(item.ttl, where),
    contentType: validateContentType(item.ct, where),
  };
}

function decodeValue(value: unknown, where: string): Uint8Array {
  try {
    if (typeof value === "string") {
      return decodeBase64(value);
    }
  } catch {
    // Reported below, like a value that is not a string.
  }
  throw new HttpError(400, "invalid_value", `${where}value must be a base64 string`);
}

function label(operation: Operation, index: number, key: unknown): string {
  const shown = typeof key === "string" && key.length <= 64 ? ` (key ${JSON.stringify(key)})` : "";
  return `${operation}[${index}]${shown}: `;
}

function invalidBody(message: string): HttpError {
  return new HttpError(400, "invalid_body", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
