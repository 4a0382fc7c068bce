"""The Cloudflare API endpoints managed mode uses, checked the way the real API checks.

Answers use the API's envelope (`success`, `errors`, `messages`, `result`). Error codes
follow what the real API is known to answer: 1000 for a token it does not know, 10000
when a token may not act on the account, 10007 for an unknown script or a missing
workers.dev subdomain, 10063 when a workers.dev subdomain is required, 10021 when an
uploaded script does not validate, 7000/7003 for a path with no route, 10013 for an
internal error. The codes of rarer refusals (a bad script name, a malformed JSON body,
an unknown KV namespace) stand for the kind of error; they are not known to match.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.standin.form import FormError, Part, parse_form
from tests.standin.runtime import DeployError, Deployments
from tests.standin.wire import Request, Response

PREFIX = "/client/v4"
EDIT = "workers_scripts:edit"
READ = "workers_scripts:read"

BAD_TOKEN = 1000
NOT_ALLOWED = 10000
NOT_FOUND = 10007
SCRIPT_INVALID = 10021
KV_NAMESPACE_INVALID = 10042
SUBDOMAIN_REQUIRED = 10063
INTERNAL = 10013
_MODULE_TYPES = frozenset({"application/javascript+module", "text/javascript+module"})
_PART_TYPES = _MODULE_TYPES | {
    "application/javascript",
    "text/javascript",
    "application/wasm",
    "text/plain",
    "application/octet-stream",
    "application/source-map",
}
_SCRIPT_NAME = re.compile(r"[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ACCOUNT = r"/accounts/(?P<a>[^/]+)/workers"
_SCRIPT = _ACCOUNT + r"/scripts/(?P<s>[^/]+)"


class APIError(Exception):
    """An answer with `success: false`."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"code": code, "message": message, **extra}


@dataclass
class Token:
    """An API token: the account it belongs to and what it may do there."""

    account_id: str
    permissions: frozenset[str]


@dataclass
class Script:
    """A Worker script as the API knows it."""

    name: str
    metadata: dict[str, Any]
    modules: dict[str, Part]
    etag: str
    created_on: str
    modified_on: str
    workers_dev: bool = False
    uploads: int = 1

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "etag": self.etag,
            "created_on": self.created_on,
            "modified_on": self.modified_on,
            "compatibility_date": self.metadata.get("compatibility_date"),
            "handlers": ["fetch"],
            "has_modules": True,
            "usage_model": "standard",
        }


@dataclass
class Account:
    """An account: its workers.dev subdomain, KV namespaces and scripts."""

    id: str
    subdomain: str | None
    namespaces: set[str] = field(default_factory=set)
    scripts: dict[str, Script] = field(default_factory=dict)


Handler = Callable[[Request, Account, dict[str, str]], Awaitable[Any]]


class CloudflareAPI:
    """Routes, authenticates and answers API requests."""

    def __init__(self, deployments: Deployments) -> None:
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, Token] = {}
        self._deployments = deployments
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = [
            ("GET", _path(_ACCOUNT + "/subdomain"), READ, self._subdomain),
            ("GET", _path(_ACCOUNT + "/scripts"), READ, self._list),
            ("PUT", _path(_SCRIPT), EDIT, self._upload),
            ("DELETE", _path(_SCRIPT), EDIT, self._delete),
            ("GET", _path(_SCRIPT + "/subdomain"), READ, self._route),
            ("POST", _path(_SCRIPT + "/subdomain"), EDIT, self._set_route),
        ]

    async def handle(self, request: Request) -> Response:
        """Answer one API request with the API's envelope."""
        try:
            result = await self._dispatch(request)
        except APIError as exc:
            return _envelope(exc.status, success=False, errors=[exc.error])
        except Exception as exc:
            # A fault of the stand-in itself: answer like the API's internal error,
            # naming the cause so the failing test shows it.
            message = f"An unknown error has occurred ({type(exc).__name__}: {exc})"
            error = {"code": INTERNAL, "message": message}
            return _envelope(500, success=False, errors=[error])
        return _envelope(200, success=True, result=result)

    async def _dispatch(self, request: Request) -> Any:
        for method, pattern, permission, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                account = self._authorize(request, match["a"], permission)
                return await handler(request, account, match.groupdict())
        raise APIError(
            404,
            7003,
            f"Could not route to {request.path}, perhaps your object identifier "
            "is invalid?",
            error_chain=[{"code": 7000, "message": "No route for that URI"}],
        )

    def _authorize(self, request: Request, account_id: str, permission: str) -> Account:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not value.strip():
            raise APIError(
                400,
                6003,
                "Invalid request headers",
                error_chain=[
                    {"code": 6111, "message": "Invalid format for Authorization header"}
                ],
            )
        token = self.tokens.get(value.strip())
        if token is None:
            raise APIError(400, BAD_TOKEN, "Invalid API Token")
        account = self.accounts.get(account_id)
        allowed = token.permissions if token.account_id == account_id else frozenset()
        if permission == READ:
            allowed_here = bool(allowed & {READ, EDIT})
        else:
            allowed_here = permission in allowed
        if account is None or not allowed_here:
            raise APIError(403, NOT_ALLOWED, "Authentication error")
        return account

    async def _subdomain(
        self, request: Request, account: Account, _: dict[str, str]
    ) -> Any:
        if not account.subdomain:
            raise APIError(404, NOT_FOUND, "workers.api.error.not_found")
        return {"subdomain": account.subdomain}

    async def _list(self, request: Request, account: Account, _: dict[str, str]) -> Any:
        return [script.summary() for script in account.scripts.values()]

    async def _route(
        self, request: Request, account: Account, params: dict[str, str]
    ) -> Any:
        script = _script(account, params["s"])
        return {"enabled": script.workers_dev, "previews_enabled": False}

    async def _set_route(
        self, request: Request, account: Account, params: dict[str, str]
    ) -> Any:
        script = _script(account, params["s"])
        body = _json_body(request)
        enabled = body.get("enabled")
        if not isinstance(enabled, bool):
            raise APIError(400, 10026, "'enabled' must be a boolean")
        if enabled and not account.subdomain:
            raise APIError(
                400, SUBDOMAIN_REQUIRED, "workers.api.error.subdomain_required"
            )
        script.workers_dev = enabled
        return {"enabled": enabled, "previews_enabled": False}

    async def _delete(
        self, request: Request, account: Account, params: dict[str, str]
    ) -> Any:
        _script(account, params["s"])
        del account.scripts[params["s"]]
        await self._deployments.remove(account.id, params["s"])
        return None

    async def _upload(
        self, request: Request, account: Account, params: dict[str, str]
    ) -> Any:
        name = params["s"]
        if not _SCRIPT_NAME.fullmatch(name):
            raise APIError(400, 10016, "workers.api.error.invalid_script_name")
        if name not in account.scripts and not account.subdomain:
            raise APIError(
                400, SUBDOMAIN_REQUIRED, "workers.api.error.subdomain_required"
            )

        metadata, modules = _upload_parts(request)
        main = _check_metadata(metadata, modules)
        kv, plain = _bindings(metadata.get("bindings", []), account)
        try:
            await self._deployments.deploy(
                account.id,
                name,
                modules,
                main=main,
                compatibility_date=metadata.get("compatibility_date", "2021-11-03"),
                kv_namespaces=kv,
                plain_text=plain,
            )
        except DeployError as exc:
            raise APIError(400, SCRIPT_INVALID, str(exc)) from None

        return self._store(account, name, metadata, modules).summary()

    def _store(
        self,
        account: Account,
        name: str,
        metadata: dict[str, Any],
        modules: dict[str, Part],
    ) -> Script:
        now = datetime.datetime.now(datetime.UTC).isoformat()
        digest = hashlib.sha256()
        for part in modules.values():
            digest.update(part.data)
        previous = account.scripts.get(name)
        script = Script(
            name=name,
            metadata=metadata,
            modules=modules,
            etag=digest.hexdigest(),
            created_on=previous.created_on if previous else now,
            modified_on=now,
            workers_dev=previous.workers_dev if previous else False,
            uploads=previous.uploads + 1 if previous else 1,
        )
        account.scripts[name] = script
        return script


def _path(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(PREFIX) + pattern)


def _envelope(
    status: int, *, success: bool, result: Any = None, errors: list[Any] | None = None
) -> Response:
    return Response.json(
        status,
        {"success": success, "errors": errors or [], "messages": [], "result": result},
    )


def _script(account: Account, name: str) -> Script:
    script = account.scripts.get(name)
    if script is None:
        raise APIError(404, NOT_FOUND, "workers.api.error.script_not_found")
    return script


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise APIError(400, 10026, "the request body must be a JSON object")
    return body


def _upload_parts(request: Request) -> tuple[dict[str, Any], dict[str, Part]]:
    try:
        parts = parse_form(request.headers.get("content-type", ""), request.body)
    except FormError as exc:
        raise APIError(
            400, SCRIPT_INVALID, f"Could not parse the upload: {exc}"
        ) from None

    metadata_parts = [p for p in parts if p.name == "metadata" and p.filename is None]
    if len(metadata_parts) != 1:
        raise APIError(400, SCRIPT_INVALID, "Expected exactly one 'metadata' part")
    try:
        metadata = json.loads(metadata_parts[0].data)
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        raise APIError(400, SCRIPT_INVALID, "The 'metadata' part is not a JSON object")

    modules: dict[str, Part] = {}
    for part in parts:
        if part is metadata_parts[0]:
            continue
        module_name = part.filename or part.name
        if part.content_type not in _PART_TYPES:
            raise APIError(
                400,
                SCRIPT_INVALID,
                f"Part {module_name!r} has an unsupported Content-Type "
                f"{part.content_type!r}",
            )
        if module_name in modules:
            raise APIError(
                400, SCRIPT_INVALID, f"Module {module_name!r} is uploaded twice"
            )
        modules[module_name] = part
    return metadata, modules


def _check_metadata(metadata: dict[str, Any], modules: dict[str, Part]) -> str:
    main = metadata.get("main_module")
    if not isinstance(main, str) or not main:
        raise APIError(
            400,
            SCRIPT_INVALID,
            "metadata.main_module is required for an ES module Worker",
        )
    if main not in modules:
        raise APIError(400, SCRIPT_INVALID, f'Uncaught Error: No such module "{main}".')
    if modules[main].content_type not in _MODULE_TYPES:
        raise APIError(
            400,
            SCRIPT_INVALID,
            f"main_module {main!r} must be uploaded as an ES module",
        )

    date = metadata.get("compatibility_date")
    if date is not None:
        if not isinstance(date, str) or not _DATE.fullmatch(date):
            raise APIError(400, SCRIPT_INVALID, f"Invalid compatibility date {date!r}")
        if date > datetime.date.today().isoformat():
            raise APIError(
                400, SCRIPT_INVALID, "Can't set compatibility date in the future"
            )
    return main


def _bindings(bindings: Any, account: Account) -> tuple[dict[str, str], dict[str, str]]:
    """Split bindings into KV (name to namespace ID) and plain text (name to text)."""
    if not isinstance(bindings, list):
        raise APIError(400, SCRIPT_INVALID, "metadata.bindings must be a list")
    kv: dict[str, str] = {}
    plain: dict[str, str] = {}
    for binding in bindings:
        if not isinstance(binding, dict) or not isinstance(binding.get("name"), str):
            raise APIError(
                400, SCRIPT_INVALID, "every binding needs a 'type' and a 'name'"
            )
        name = binding["name"]
        if name in kv or name in plain:
            raise APIError(400, SCRIPT_INVALID, f"binding name {name!r} is used twice")
        kind = binding.get("type")
        if kind == "kv_namespace":
            namespace = binding.get("namespace_id")
            if not isinstance(namespace, str) or namespace not in account.namespaces:
                raise APIError(
                    400,
                    KV_NAMESPACE_INVALID,
                    f"KV namespace {namespace!r} is not valid.",
                )
            kv[name] = namespace
        elif kind == "plain_text":
            if not isinstance(binding.get("text"), str):
                raise APIError(
                    400, SCRIPT_INVALID, f"plain_text binding {name!r} needs 'text'"
                )
            plain[name] = binding["text"]
        else:
            raise APIError(
                400, SCRIPT_INVALID, f"binding type {kind!r} is not supported here"
            )
    return kv, plain
