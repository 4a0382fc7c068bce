"""HTTP/1.1 on asyncio streams: just enough protocol for the stand-in's two faces."""

from __future__ import annotations

import asyncio
import email.utils
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    502: "Bad Gateway",
}
_MAX_BODY = 64 * 1024 * 1024


class ProtocolError(Exception):
    """The peer sent something that is not HTTP/1.1 we can read."""


@dataclass
class Request:
    """One request: the line, lower-cased headers and the whole body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.target).query))

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


@dataclass
class Response:
    """One response; `Content-Length` and `Date` are added when it is written."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any) -> Response:
        body = json.dumps(payload).encode()
        return cls(status, body, {"Content-Type": "application/json"})

    @classmethod
    def text(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/plain"})


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request, or None when the peer closed the connection first."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise ProtocolError("connection closed inside a request head") from None
        return None
    except asyncio.LimitOverrunError:
        raise ProtocolError("request head too long") from None

    line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise ProtocolError(f"bad request line {line!r}")
    headers = _headers(header_lines)
    body = await _body(reader, headers)
    return Request(parts[0], parts[1], headers, body)


async def read_response(reader: asyncio.StreamReader, method: str) -> Response:
    """Read one response to a `method` request, whatever framing it uses."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        raise ProtocolError("no complete response head") from None

    line, *header_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = line.partition(" ")
    status = rest.split(" ", 1)[0]
    if not version.startswith("HTTP/1.") or not status.isdigit():
        raise ProtocolError(f"bad status line {line!r}")
    headers = _headers(header_lines)
    if method == "HEAD" or int(status) in (204, 304):
        body = b""
    elif "content-length" in headers or "chunked" in headers.get(
        "transfer-encoding", ""
    ):
        body = await _body(reader, headers)
    else:
        body = await reader.read()
    for hop in ("connection", "keep-alive", "transfer-encoding", "content-length"):
        headers.pop(hop, None)
    return Response(int(status), body, headers)


def encode_request(request: Request, host: str) -> bytes:
    """Serialise `request` for an upstream server, framed by Content-Length."""
    skip = {"host", "connection", "content-length", "transfer-encoding"}
    lines = [f"{request.method} {request.target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in request.headers.items() if k not in skip]
    lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


async def write_response(
    writer: asyncio.StreamWriter, response: Response, *, close: bool = False
) -> None:
    """Send `response`; say `Connection: close` when the connection ends after it."""
    headers = {
        "Date": email.utils.formatdate(usegmt=True),
        **response.headers,
        "Content-Length": str(len(response.body)),
    }
    if close:
        headers["Connection"] = "close"
    reason = _REASONS.get(response.status, "Unknown")
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body)
    await writer.drain()


def _headers(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in lines:
        if not raw:
            continue
        name, colon, value = raw.partition(":")
        if not colon:
            raise ProtocolError(f"bad header line {raw!r}")
        key = name.strip().lower()
        headers[key] = (
            f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        )
    return headers


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _chunked(reader)
    length = headers.get("content-length", "0").strip() or "0"
    if not length.isdigit():
        raise ProtocolError(f"bad Content-Length {length!r}")
    if int(length) > _MAX_BODY:
        raise ProtocolError("request body too large")
    return await reader.readexactly(int(length))


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = (await reader.readuntil(b"\r\n")).split(b";")[0].strip()
        size = int(size_line, 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
