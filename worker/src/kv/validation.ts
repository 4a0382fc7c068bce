import { HttpError } from "../errors";

/** Longest key Workers KV accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;
/** Shortest expiration Workers KV accepts, in seconds. */
export const MIN_TTL_SECONDS = 60;
/** Longest expiration the KV binding accepts, in seconds (a signed 32-bit integer). */
export const MAX_TTL_SECONDS = 2_147_483_647;
/** Longest content type kept in a value's metadata, in UTF-8 bytes. */
export const MAX_CONTENT_TYPE_BYTES = 256;
/** Largest value Workers KV stores, in bytes. */
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;

const TTL_RANGE = `a whole number of seconds from ${MIN_TTL_SECONDS} (the Workers KV minimum) to ${MAX_TTL_SECONDS}`;
const encoder = new TextEncoder();

/** Returns `key` unchanged, or throws a 400 `HttpError` if Workers KV would refuse it. */
export function validateKey(key: unknown, where = ""): string {
  if (typeof key !== "string" || key === "") {
    throw invalid("invalid_key", `${where}key must be a non-empty string`);
  }
  if (key === "." || key === "..") {
    throw invalid("invalid_key", `${where}key must not be "." or ".."`);
  }

  const size = encoder.encode(key).byteLength;
  if (size > MAX_KEY_BYTES) {
    const limit = `Workers KV keys are at most ${MAX_KEY_BYTES} bytes in their escaped form`;
    throw invalid("invalid_key", `${where}key is ${size} bytes; ${limit}`);
  }
  return key;
}

/** Parses the `ttl` query parameter; `null` (absent) means no expiry. */
export function parseTtlParam(text: string | null): number | undefined {
  if (text === null) {
    return undefined;
  }

  const ttl = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return validateTtl(ttl, "", text);
}

/** Returns `ttl` when it is a whole number of seconds KV accepts; `undefined`/`null` mean none. */
export function validateTtl(ttl: unknown, where = "", shown = String(ttl)): number | undefined {
  if (ttl === undefined || ttl === null) {
    return undefined;
  }

  const inRange = typeof ttl === "number" && ttl >= MIN_TTL_SECONDS && ttl <= MAX_TTL_SECONDS;
  if (!inRange || !Number.isInteger(ttl)) {
    throw invalid("invalid_ttl", `${where}ttl must be ${TTL_RANGE}, got ${JSON.stringify(shown)}`);
  }
  return ttl;
}

/** Returns a content type worth storing, `undefined` when absent, or throws a 400 `HttpError`. */
export function validateContentType(contentType: unknown, where = ""): string | undefined {
  if (contentType === undefined || contentType === null || contentType === "") {
    return undefined;
  }
  if (typeof contentType !== "string") {
    throw invalid("invalid_content_type", `${where}ct must be a string`);
  }

  const size = encoder.encode(contentType).byteLength;
  if (size > MAX_CONTENT_TYPE_BYTES) {
    const limit = `at most ${MAX_CONTENT_TYPE_BYTES} bytes`;
    throw invalid("invalid_content_type", `${where}content type is ${size} bytes; ${limit}`);
  }
  return contentType;
}

/** Throws a 413 `HttpError` if a value is larger than Workers KV stores. */
export function validateValueSize(size: number, where = ""): void {
  if (size > MAX_VALUE_BYTES) {
    const limit = `Workers KV values are at most ${MAX_VALUE_BYTES} bytes (25 MiB)`;
    throw new HttpError(413, "too_large", `${where}value is ${size} bytes; ${limit}`);
  }
}

function invalid(code: string, message: string): HttpError {
  return new HttpError(400, code, message);
}
