import { HttpError } from "../errors";

/** Runs one KV call, turning the KV errors a client can act on into `HttpError`s. */
export async function kvCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateKvError(error);
  }
}

function translateKvError(error: unknown): unknown {
  // The binding reports failures as errors whose message carries the HTTP status of KV.
  const message = error instanceof Error ? error.message : "";

  if (/\b429\b/.test(message)) {
    const text = "Workers KV allows about one write per second to the same key; retry later";
    return new HttpError(429, "rate_limited", text, { "Retry-After": "1" });
  }
  if (/\b413\b/.test(message)) {
    const text = "the request exceeds a Workers KV size limit (25 MiB in one multi-key read)";
    return new HttpError(413, "too_large", text);
  }
  return error;
}
