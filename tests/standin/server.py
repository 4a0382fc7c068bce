"""The stand-in as a whole: one loopback port for the API and the proxy, in a thread."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from tests.standin.api import EDIT, PREFIX, Account, CloudflareAPI, Script, Token
from tests.standin.edge import Edge
from tests.standin.runtime import Deployments
from tests.standin.tls import ThrowawayCA
from tests.standin.wire import ProtocolError, Response, read_request, write_response
from workerskv.localrun import ensure_runtime

T = TypeVar("T")
_CONTROL_TIMEOUT = 60.0
LOOPBACK = "localhost,127.0.0.1,::1"


class CloudflareStandIn:
    """The Cloudflare API and workers.dev, served on this machine.

    Plain requests on its port are API calls under `/client/v4`; CONNECT requests
    reach `https://<script>.<subdomain>.workers.dev/`. Point a client at it with the
    settings from `environ()`. Accounts, tokens and namespaces are set up with the
    `add_*` methods; everything else goes through the API like on the real one.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._ca = ThrowawayCA(root)
        self._deployments = Deployments(root)
        self._api = CloudflareAPI(self._deployments)
        self._edge = Edge(self._ca, self._route)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.port = 0

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        return self._ca.cert_path

    def environ(self) -> dict[str, str]:
        """Ordinary settings that send the SDK and httpx here instead of Cloudflare."""
        return {
            "CLOUDFLARE_BASE_URL": self.api_url,
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": LOOPBACK,
            "no_proxy": LOOPBACK,
            "SSL_CERT_FILE": str(self.ca_path),
        }

    def start(self) -> None:
        """Install the workerd runtime if needed, then serve from a new thread."""
        if shutil.which("node") is None:
            raise RuntimeError(
                "the Cloudflare stand-in runs Workers with Node.js: install it"
            )
        ensure_runtime()
        self._thread = threading.Thread(target=self._run, name="cloudflare-standin")
        self._thread.start()
        self._ready.wait(_CONTROL_TIMEOUT)
        if self._failure is not None:
            raise RuntimeError(
                "the Cloudflare stand-in did not start"
            ) from self._failure

    def stop(self) -> None:
        """Stop serving and stop every workerd process."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(_CONTROL_TIMEOUT)
        self._thread = self._loop = None

    def add_account(self, account_id: str, subdomain: str | None = None) -> None:
        """Create an account, with a workers.dev subdomain when `subdomain` is given."""
        self._control(
            lambda: self._api.accounts.setdefault(
                account_id, Account(account_id, subdomain)
            )
        )

    def add_token(
        self, token: str, account_id: str, permissions: Iterable[str] = (EDIT,)
    ) -> None:
        """Create an API token for `account_id` with `permissions`."""
        grant = Token(account_id, frozenset(permissions))
        self._control(lambda: self._api.tokens.__setitem__(token, grant))

    def add_namespace(self, account_id: str, namespace_id: str) -> None:
        """Create a Workers KV namespace in the account."""
        self._control(
            lambda: self._api.accounts[account_id].namespaces.add(namespace_id)
        )

    def script(self, account_id: str, name: str) -> Script | None:
        """The script as the API holds it, or None."""
        return self._control(lambda: self._api.accounts[account_id].scripts.get(name))

    def delete_script(self, account_id: str, name: str) -> None:
        """Delete the script and stop its workerd process, as the API's DELETE does."""

        async def delete() -> None:
            self._api.accounts[account_id].scripts.pop(name, None)
            await self._deployments.remove(account_id, name)

        self._await(delete())

    def uploads(self, account_id: str, name: str) -> int:
        """How many uploads of the script the API accepted."""
        script = self.script(account_id, name)
        return script.uploads if script else 0

    def set_publish_delay(self, seconds: float) -> None:
        """Make new deployments reachable only `seconds` after their upload."""
        self._control(lambda: setattr(self._deployments, "publish_delay", seconds))

    def _control(self, action: Callable[[], T]) -> T:
        async def run() -> T:
            return action()

        return self._await(run())

    def _await(self, work: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            work.close()
            raise RuntimeError("the Cloudflare stand-in is not running")
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(_CONTROL_TIMEOUT)

    def _route(self, host: str) -> tuple[str, int] | None:
        script, _, subdomain = host.partition(".")
        for account in self._api.accounts.values():
            if account.subdomain and account.subdomain == subdomain:
                served = account.scripts.get(script)
                if served and served.workers_dev:
                    return self._deployments.address(account.id, script)
        return None

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            await self._deployments.close()

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while (request := await read_request(reader)) is not None:
                if request.method == "CONNECT":
                    await self._edge.tunnel(request, reader, writer)
                    return
                if not request.target.startswith("/"):
                    refusal = "this proxy only tunnels HTTPS (CONNECT)"
                    await write_response(
                        writer, Response.text(400, refusal), close=True
                    )
                    return
                response = await self._api.handle(request)
                await write_response(writer, response, close=not request.keep_alive)
                if not request.keep_alive:
                    return
        except (
            ProtocolError,
            ConnectionError,
            ssl.SSLError,
            asyncio.IncompleteReadError,
        ):
            pass
        finally:
            writer.close()
