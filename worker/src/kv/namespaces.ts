import type { Env } from "../env";
import { HttpError } from "../errors";

/** Tells whether a binding looks like a Workers KV namespace (R2 buckets lack `getWithMetadata`). */
export function isKvNamespace(binding: unknown): binding is KVNamespace {
  if (typeof binding !== "object" || binding === null) {
    return false;
  }

  const methods = ["get", "getWithMetadata", "put", "delete", "list"];
  return methods.every((name) => typeof Reflect.get(binding, name) === "function");
}

/** Names of every binding that is a KV namespace, sorted. */
export function kvBindingNames(env: Env): string[] {
  return Object.keys(env)
    .filter((name) => isKvNamespace(env[name]))
    .sort();
}

/** Returns the KV namespace bound under `name`, or throws a 412 `HttpError`. */
export function namespaceFor(env: Env, name: string): KVNamespace {
  const binding = Object.hasOwn(env, name) ? env[name] : undefined;

  if (!isKvNamespace(binding)) {
    const message = `KV namespace "${name}" is not bound to this Worker; redeploy it with that binding`;
    throw new HttpError(412, "namespace_not_bound", message);
  }
  return binding;
}
