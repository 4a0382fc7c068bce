import type { RouteContext } from "../router";
import { HttpError } from "../errors";
import { namespaceFor } from "../kv/namespaces";
import { deleteValue, readValue, writeValue } from "../kv/store";
import {
  parseTtlParam,
  validateContentType,
  validateKey,
  validateValueSize,
} from "../kv/validation";

/** Header carrying a value's expiration as Unix seconds. */
export const EXPIRATION_HEADER = "X-Dapr-Expiration";

/** Header carrying the content type a value was written with, only when one was. */
export const CONTENT_TYPE_HEADER = "X-Dapr-Content-Type";

/** `GET /kv/:ns/:key`: the stored bytes, with their content type and expiration when known. */
export async function getValue({ env, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);

  const value = await readValue(namespace, key);
  if (!value) {
    throw new HttpError(404, "key_not_found", "no value is stored under this key");
  }

  const headers = new Headers({ "Content-Type": value.contentType ?? "application/octet-stream" });
  if (value.expiration !== undefined) {
    headers.set(EXPIRATION_HEADER, String(value.expiration));
  }
  if (value.contentType !== undefined) {
    headers.set(CONTENT_TYPE_HEADER, value.contentType);
  }
  return new Response(value.bytes, { status: 200, headers });
}

/** `POST /kv/:ns/:key[?ttl=s]`: stores the request body, answering 201 with no body. */
export async function putValue({ request, env, url, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);
  const ttl = parseTtlParam(url.searchParams.get("ttl"));
  const contentType = validateContentType(request.headers.get("Content-Type"));

  const bytes = new Uint8Array(await request.arrayBuffer());
  validateValueSize(bytes.byteLength);

  await writeValue(namespace, key, bytes, { ttl, contentType });
  return new Response(null, { status: 201 });
}

/** `DELETE /kv/:ns/:key`: removes the value; 204 whether or not it existed. */
export async function removeValue({ env, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);

  await deleteValue(namespace, key);
  return new Response(null, { status: 204 });
}
