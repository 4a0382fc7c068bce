import { authenticate } from "./auth";
import type { Env } from "./env";
import { errorResponse } from "./errors";
import { dispatch } from "./router";
import { ROUTES } from "./routes";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      // Authentication comes first so that an unauthenticated caller learns nothing.
      await authenticate(request, env);
      return await dispatch(ROUTES, request, env);
    } catch (error) {
      await discardBody(request);
      return errorResponse(error);
    }
  },
} satisfies ExportedHandler<Env>;

async function discardBody(request: Request): Promise<void> {
  // The runtime closes a keep-alive connection whose request body was left unread, and the
  // client's next request on it fails; reading the body keeps the connection reusable.
  if (request.body && !request.bodyUsed) {
    await request.body.pipeTo(new WritableStream()).catch(() => undefined);
  }
}
