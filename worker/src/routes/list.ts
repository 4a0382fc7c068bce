import type { RouteContext } from "../router";
import { HttpError, jsonResponse } from "../errors";
import { namespaceFor } from "../kv/namespaces";
import { deletePage, listKeys } from "../kv/store";

/** Most keys in one listed page (the Workers KV maximum). */
export const MAX_LIST_LIMIT = 1000;
/**
 * Most keys deleted by one request. A Worker invocation may make 1000 KV calls; the listing
 * that finds the keys is one of them.
 */
export const MAX_DELETE_LIMIT = 500;

/** `GET /list/:ns?prefix=&cursor=&limit=`: one page of key names. */
export async function getKeys({ env, url, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const query = url.searchParams;
  const limit = parseLimit(query.get("limit"), MAX_LIST_LIMIT);

  const prefix = query.get("prefix") ?? "";
  const cursor = query.get("cursor") || null;
  return jsonResponse(await listKeys(namespace, { prefix, cursor, limit }));
}

/** `DELETE /list/:ns?prefix=&limit=`: deletes one page of keys under a non-empty prefix. */
export async function deleteByPrefix({ env, url, params }: RouteContext): Promise<Response> {
  const namespace = namespaceFor(env, params.ns ?? "");
  const prefix = url.searchParams.get("prefix") ?? "";
  const limit = parseLimit(url.searchParams.get("limit"), MAX_DELETE_LIMIT);

  if (prefix === "") {
    const message = "prefix must not be empty: deleting a whole namespace is not supported";
    throw new HttpError(400, "invalid_prefix", message);
  }
  return jsonResponse(await deletePage(namespace, prefix, limit));
}

function parseLimit(text: string | null, max: number): number {
  if (text === null) {
    return max;
  }

  const limit = /^[0-9]{1,4}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > max) {
    const message = `limit must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`;
    throw new HttpError(400, "invalid_limit", message);
  }
  return limit;
}
