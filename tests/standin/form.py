"""Reading `multipart/form-data` bodies the way an upload endpoint must."""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage


class FormError(Exception):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class Part:
    """One form part: its field name, optional file name, type and raw bytes."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def parse_form(content_type: str, body: bytes) -> list[Part]:
    """Split a multipart/form-data body into its parts, refusing malformed ones."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise FormError(
            f"Content-Type is {content_type or 'missing'}, not multipart/form-data"
        )
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise FormError("the body has no multipart boundary")
    if message.defects:
        raise FormError(
            f"malformed multipart body: {message.defects[0].__class__.__name__}"
        )
    return [_part(sub) for sub in message.iter_parts()]


def _part(sub: EmailMessage) -> Part:
    if sub.get_content_disposition() != "form-data":
        raise FormError("every part needs Content-Disposition: form-data")
    name = sub.get_param("name", header="content-disposition")
    if not isinstance(name, str) or not name:
        raise FormError("a part has no field name")
    payload = sub.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    type_header = sub.get("Content-Type")
    return Part(
        name=name,
        filename=sub.get_filename(),
        content_type=sub.get_content_type() if type_header else None,
        data=data,
    )
