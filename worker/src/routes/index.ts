import type { Route } from "../router";
import { postBatch } from "./batch";
import { getInfo } from "./info";
import { deleteByPrefix, getKeys } from "./list";
import { getValue, putValue, removeValue } from "./values";

/** Every route the Worker answers; any other request gets a 404. */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/.well-known/dapr/info", handler: getInfo },
  { method: "GET", path: "/kv/:ns/:key", handler: getValue },
  { method: "POST", path: "/kv/:ns/:key", handler: putValue },
  { method: "DELETE", path: "/kv/:ns/:key", handler: removeValue },
  { method: "POST", path: "/batch/:ns", handler: postBatch },
  { method: "GET", path: "/list/:ns", handler: getKeys },
  { method: "DELETE", path: "/list/:ns", handler: deleteByPrefix },
];
