import { kvCall } from "./calls";
import {
  isMarkedText,
  isObject,
  metadataFor,
  storedValue,
  type RawMetadata,
  type StoredValue,
  type WriteOptions,
} from "./metadata";

/** One page of key names. */
export interface KeyPage {
  keys: string[];
  cursor: string | null;
  complete: boolean;
}

const encoder = new TextEncoder();

/** Stores `bytes` under `key`, replacing any earlier value, TTL and metadata. */
export async function writeValue(
  namespace: KVNamespace,
  key: string,
  bytes: Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const metadata = metadataFor(bytes, options);
  const putOptions: KVNamespacePutOptions = {};

  if (options.ttl !== undefined) {
    putOptions.expirationTtl = options.ttl;
  }
  if (metadata) {
    putOptions.metadata = metadata;
  }

  await kvCall(() => namespace.put(key, bytes, putOptions));
}

/** Reads one value with its metadata; `null` when the key does not exist. */
export async function readValue(namespace: KVNamespace, key: string): Promise<StoredValue | null> {
  const found = await kvCall(() => namespace.getWithMetadata<RawMetadata>(key, "arrayBuffer"));

  if (found.value === null) {
    return null;
  }
  return storedValue(new Uint8Array(found.value), found.metadata);
}

/**
 * Reads up to 100 values with one multi-key call. That call only returns text, so a value not
 * marked as intact UTF-8 is read again by itself as bytes.
 */
export async function readValues(
  namespace: KVNamespace,
  keys: readonly string[],
): Promise<Map<string, StoredValue | null>> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) {
    return new Map();
  }

  const found = await kvCall(() => namespace.getWithMetadata<RawMetadata>(unique, "text"));
  const read = (key: string) => fromTextRead(namespace, key, found.get(key));
  const values = await Promise.all(unique.map(read));

  return new Map(unique.map((key, index) => [key, values[index] ?? null]));
}

/** Deletes `key`; deleting a missing key is not an error. */
export async function deleteValue(namespace: KVNamespace, key: string): Promise<void> {
  await kvCall(() => namespace.delete(key));
}

/** Lists one page of key names under `prefix`. */
export async function listKeys(
  namespace: KVNamespace,
  options: { prefix: string; cursor: string | null; limit: number },
): Promise<KeyPage> {
  const page = await kvCall(() => namespace.list(options));

  return {
    keys: page.keys.map((entry) => entry.name),
    cursor: page.list_complete ? null : page.cursor,
    complete: page.list_complete,
  };
}

/** Deletes the first page of keys under `prefix`; `complete` tells whether none were left. */
export async function deletePage(
  namespace: KVNamespace,
  prefix: string,
  limit: number,
): Promise<{ deleted: number; complete: boolean }> {
  const page = await listKeys(namespace, { prefix, cursor: null, limit });

  await Promise.all(page.keys.map((key) => deleteValue(namespace, key)));
  return { deleted: page.keys.length, complete: page.complete };
}

async function fromTextRead(
  namespace: KVNamespace,
  key: string,
  entry: unknown,
): Promise<StoredValue | null> {
  if (entry === null || entry === undefined) {
    return null;
  }

  // Anything but marked text with its metadata is read again as bytes; local runtimes, for
  // one, answer an empty value with a bare string.
  const { value, metadata } = isObject(entry) ? entry : {};
  if (typeof value === "string" && isMarkedText(metadata)) {
    return storedValue(encoder.encode(value), metadata);
  }
  return readValue(namespace, key);
}
