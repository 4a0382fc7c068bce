/** Variables and bindings of the Worker; KV namespaces are recognised by their shape. */
export interface Env {
  readonly PUBLIC_KEY?: string;
  readonly TOKEN_AUDIENCE?: string;
  readonly SKIP_AUTH?: string;
  readonly [binding: string]: unknown;
}
