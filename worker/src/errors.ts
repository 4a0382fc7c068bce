/** An error that becomes an HTTP answer with a stable code and a message meant for people. */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Returns the generic error that hides what went wrong inside the Worker. */
export function internalError(): HttpError {
  return new HttpError(500, "internal", "internal error");
}

/** Serialises `body` as a JSON response. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** Turns any thrown value into a JSON error response; only unexpected errors are logged. */
export function errorResponse(error: unknown): Response {
  const known = error instanceof HttpError ? error : logUnexpected(error);
  const body = { error: { code: known.code, message: known.message } };

  return jsonResponse(body, known.status, known.headers);
}

function logUnexpected(error: unknown): HttpError {
  console.error("unexpected error", error);
  return internalError();
}
