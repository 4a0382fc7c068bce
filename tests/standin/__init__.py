"""A local stand-in for the Cloudflare API and workers.dev, backed by real workerd.

It checks requests like the real API (tokens, permissions, the answer envelope,
multipart uploads) and deploys every accepted upload into its own workerd process.
The product reaches it through ordinary settings only: `CLOUDFLARE_BASE_URL` for the
SDK, `HTTPS_PROXY` and `SSL_CERT_FILE` for workers.dev.
"""

from tests.standin.api import EDIT, READ
from tests.standin.server import CloudflareStandIn

__all__ = ["EDIT", "READ", "CloudflareStandIn"]
