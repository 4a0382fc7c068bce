import meta from "../meta.json";

/** Protocol and feature version the info endpoint reports (`yyyymmdd`). */
export const VERSION: string = meta.version;

/** Extensions beyond the upstream protocol, advertised by the info endpoint. */
export const FEATURES: readonly string[] = ["metadata", "batch", "list", "delete-prefix"];
