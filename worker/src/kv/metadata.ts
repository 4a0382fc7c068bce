/** What the Worker keeps in a value's KV metadata; absent fields are left out. */
export interface ValueMetadata {
  /** Content type the writer sent. */
  ct?: string;
  /** Expiration as Unix seconds, when the value was written with a TTL. */
  exp?: number;
  /** Set when the value is UTF-8 without a byte-order mark, so a text read returns it intact. */
  utf8?: true;
}

/** A value read back from KV with what its metadata says about it. */
export interface StoredValue {
  bytes: Uint8Array;
  contentType?: string;
  expiration?: number;
}

/** How a value is written. */
export interface WriteOptions {
  ttl?: number | undefined;
  contentType?: string | undefined;
}

/** Metadata stored with KV metadata as untrusted JSON: someone else may have written the value. */
export type RawMetadata = Record<string, unknown>;

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Builds the metadata for a write, or `undefined` when there is nothing to keep. */
export function metadataFor(bytes: Uint8Array, options: WriteOptions): ValueMetadata | undefined {
  const metadata: ValueMetadata = {};

  if (options.contentType !== undefined) {
    metadata.ct = options.contentType;
  }
  if (options.ttl !== undefined) {
    metadata.exp = Math.floor(Date.now() / 1000) + options.ttl;
  }
  if (isIntactAsText(bytes)) {
    metadata.utf8 = true;
  }
  return Object.keys(metadata).length > 0 ? metadata : undefined;
}

/** Tells whether metadata marks its value as safe to read as text. */
export function isMarkedText(metadata: unknown): boolean {
  return isObject(metadata) && metadata.utf8 === true;
}

/** Pairs bytes with the content type and expiration their metadata records, if any. */
export function storedValue(bytes: Uint8Array, metadata: unknown): StoredValue {
  const value: StoredValue = { bytes };
  const fields: RawMetadata = isObject(metadata) ? metadata : {};

  if (typeof fields.ct === "string") {
    value.contentType = fields.ct;
  }
  if (typeof fields.exp === "number") {
    value.expiration = fields.exp;
  }
  return value;
}

/** Narrows to a non-null object. */
export function isObject(value: unknown): value is RawMetadata {
  return typeof value === "object" && value !== null;
}

function isIntactAsText(bytes: Uint8Array): boolean {
  // A text read drops a leading byte-order mark and replaces invalid sequences.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (bom) {
    return false;
  }

  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
