import type { RouteContext } from "../router";
import { jsonResponse } from "../errors";
import { kvBindingNames } from "../kv/namespaces";
import { FEATURES, VERSION } from "../version";

/** `GET /.well-known/dapr/info`: version, bound KV namespaces and extensions; empty lists are left out. */
export async function getInfo({ env }: RouteContext): Promise<Response> {
  const info: { version: string; kv?: string[]; features?: string[] } = { version: VERSION };
  const kv = kvBindingNames(env);

  if (kv.length > 0) {
    info.kv = kv;
  }
  if (FEATURES.length > 0) {
    info.features = [...FEATURES];
  }
  return jsonResponse(info);
}
