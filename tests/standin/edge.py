"""The workers.dev side: a CONNECT proxy that serves `*.workers.dev` from workerd.

Clients reach it the ordinary way, through `HTTPS_PROXY`, and trust it through
`SSL_CERT_FILE`. TLS ends here with a certificate from the throwaway CA. Each request
inside the tunnel goes to the workerd process serving the addressed script at that
moment, so an open connection follows redeployments, as on the real edge, and every
answer carries a `Date` header, as the real edge adds one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from tests.standin.tls import ThrowawayCA
from tests.standin.wire import (
    ProtocolError,
    Request,
    Response,
    encode_request,
    read_request,
    read_response,
    write_response,
)

SUFFIX = ".workers.dev"

Resolver = Callable[[str], "tuple[str, int] | None"]


class Edge:
    """Terminates proxied TLS for workers.dev host names and relays to workerd."""

    def __init__(self, ca: ThrowawayCA, resolve: Resolver) -> None:
        self._ca = ca
        self._resolve = resolve

    async def tunnel(
        self,
        request: Request,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Serve the requests of one CONNECT tunnel until the client closes it."""
        host, _, port = request.target.rpartition(":")
        if port != "443" or not host.endswith(SUFFIX):
            refusal = f"this proxy only reaches *{SUFFIX}:443, not {request.target}"
            await write_response(writer, Response.text(403, refusal), close=True)
            return

        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await writer.start_tls(self._ca.server_context(host))

        upstream = _Upstream()
        try:
            while (inner := await read_request(reader)) is not None:
                address = self._resolve(host.removesuffix(SUFFIX))
                response = await upstream.exchange(address, inner, host)
                await write_response(writer, response, close=not inner.keep_alive)
                if not inner.keep_alive:
                    return
        finally:
            await upstream.close()


class _Upstream:
    """A reusable connection to whichever workerd process serves the host now."""

    def __init__(self) -> None:
        self._address: tuple[str, int] | None = None
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def exchange(
        self, address: tuple[str, int] | None, request: Request, host: str
    ) -> Response:
        if address is None:
            # What workers.dev answers for a host with no published Worker.
            return Response.text(404, "There is nothing here yet")
        try:
            return await self._send(address, request, host)
        except (ConnectionError, ProtocolError):
            # A kept-alive connection to a process that has since been replaced.
            await self.close()
            try:
                return await self._send(address, request, host)
            except (ConnectionError, ProtocolError) as exc:
                return Response.text(502, f"the Worker did not answer: {exc}")

    async def _send(
        self, address: tuple[str, int], request: Request, host: str
    ) -> Response:
        if self._streams is None or self._address != address:
            await self.close()
            self._streams = await asyncio.open_connection(*address)
            self._address = address
        reader, writer = self._streams
        writer.write(encode_request(request, host))
        await writer.drain()
        return await read_response(reader, request.method)

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
