import type { Env } from "./env";
import { HttpError } from "./errors";

/** What a route handler gets: the request, the Worker's env and the named path segments. */
export interface RouteContext {
  readonly request: Request;
  readonly env: Env;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
}

/** One route: a method and a path whose `:name` segments match any single segment. */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly handler: (context: RouteContext) => Promise<Response>;
}

/**
 * Hands the request to the first route that matches. Path segments are passed on as they
 * appear in the URL, percent-escapes included, because KV keys are stored in escaped form.
 */
export async function dispatch(
  routes: readonly Route[],
  request: Request,
  env: Env,
): Promise<Response> {
  const url = new URL(request.url);
  const segments = url.pathname.split("/").slice(1);

  for (const route of routes) {
    const params = route.method === request.method ? matchPath(route.path, segments) : undefined;
    if (params) {
      return route.handler({ request, env, url, params });
    }
  }
  throw new HttpError(404, "not_found", `no route for ${request.method} ${url.pathname}`);
}

function matchPath(path: string, segments: readonly string[]): Record<string, string> | undefined {
  const pattern = path.split("/").slice(1);
  if (pattern.length !== segments.length) {
    return undefined;
  }

  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith(":")) {
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
