"""The `dapr.proto.components.v1.StateStore` service over our state stores."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from workerskv._proto import common_pb2, state_pb2, state_pb2_grpc
from workerskv.errors import InvalidRequestError, WorkersKVError
from workerskv.models import SetItem, StateItem
from workerskv.server.instances import Instances, Store
from workerskv.server.status import (
    UnknownInstanceError,
    message_for,
    rule_for,
    to_status,
)
from workerskv.ttl import parse_ttl

log = logging.getLogger("workerskv.server")

INSTANCE_METADATA = "x-component-instance"
# daprd reads component answers with gRPC's default 4 MiB receive limit: a larger
# value would be stored, then fail every Get in daprd. The margin leaves room for
# the rest of the answer (metadata, content type).
DAPRD_MAX_VALUE = 4 * 1024 * 1024 - 64 * 1024
_FIRST_WRITE = state_pb2.StateOptions.CONCURRENCY_FIRST_WRITE

Request = TypeVar("Request")
Response = TypeVar("Response")
Method = Callable[["StateStoreServicer", Request, Any], Awaitable[Response]]


def _answers_errors(method: Method[Request, Response]) -> Method[Request, Response]:
    """Log a failed call once and answer it with the status of its error."""

    @functools.wraps(method)
    async def wrapper(
        self: StateStoreServicer, request: Request, context: Any
    ) -> Response:
        try:
            response = await method(self, request, context)
        except Exception as exc:
            rule = rule_for(exc)
            log.log(
                rule.level,
                "call failed: method=%s instance=%s code=%s: %s",
                method.__name__,
                _instance_or_none(context),
                rule.code.name,
                message_for(exc),
                # A traceback only for bugs: our own errors explain themselves.
                exc_info=not isinstance(exc, WorkersKVError),
            )
            await context.abort_with_status(to_status(exc))
            raise  # not reached: abort_with_status raises

        log.debug(
            "call answered: method=%s instance=%s",
            method.__name__,
            _instance_or_none(context),
        )
        return response

    return wrapper


class StateStoreServicer(state_pb2_grpc.StateStoreServicer):
    """Answers daprd's state-store calls with the instance each call names."""

    def __init__(self, instances: Instances) -> None:
        self._instances = instances

    @_answers_errors
    async def Init(
        self, request: state_pb2.InitRequest, context: Any
    ) -> state_pb2.InitResponse:
        name = _instance(context)
        await self._instances.init(name, dict(request.metadata.properties))
        return state_pb2.InitResponse()

    @_answers_errors
    async def Features(
        self, request: common_pb2.FeaturesRequest, context: Any
    ) -> common_pb2.FeaturesResponse:
        store = await self._store(context)
        return common_pb2.FeaturesResponse(features=store.features())

    @_answers_errors
    async def Ping(
        self, request: common_pb2.PingRequest, context: Any
    ) -> common_pb2.PingResponse:
        await (await self._store(context)).ping()
        return common_pb2.PingResponse()

    @_answers_errors
    async def Get(
        self, request: state_pb2.GetRequest, context: Any
    ) -> state_pb2.GetResponse:
        item = await (await self._store(context)).get(request.key)
        if item is None:
            return state_pb2.GetResponse()
        return state_pb2.GetResponse(
            data=item.data,
            metadata=item.metadata,
            content_type=item.content_type or "",
        )

    @_answers_errors
    async def Set(
        self, request: state_pb2.SetRequest, context: Any
    ) -> state_pb2.SetResponse:
        store = await self._store(context)
        item = _set_item(request)
        await store.set(
            item.key, item.value, ttl=item.ttl, content_type=item.content_type
        )
        return state_pb2.SetResponse()

    @_answers_errors
    async def Delete(
        self, request: state_pb2.DeleteRequest, context: Any
    ) -> state_pb2.DeleteResponse:
        store = await self._store(context)
        _refuse_concurrency(request.key, request.etag.value, request.options)
        await store.delete(request.key)
        return state_pb2.DeleteResponse()

    @_answers_errors
    async def BulkGet(
        self, request: state_pb2.BulkGetRequest, context: Any
    ) -> state_pb2.BulkGetResponse:
        keys = [item.key for item in request.items]
        results = await (await self._store(context)).bulk_get(keys)

        # Keys are echoed as daprd sent them, whatever the store made of them.
        items = [
            _bulk_item(key, result.item, result.error)
            for key, result in zip(keys, results, strict=True)
        ]
        return state_pb2.BulkGetResponse(items=_within_daprd_limit(items))

    @_answers_errors
    async def BulkSet(
        self, request: state_pb2.BulkSetRequest, context: Any
    ) -> state_pb2.BulkSetResponse:
        store = await self._store(context)
        items = [_set_item(item) for item in request.items]
        await store.bulk_set(items)
        return state_pb2.BulkSetResponse()

    @_answers_errors
    async def BulkDelete(
        self, request: state_pb2.BulkDeleteRequest, context: Any
    ) -> state_pb2.BulkDeleteResponse:
        store = await self._store(context)
        for item in request.items:
            _refuse_concurrency(item.key, item.etag.value, item.options)
        await store.bulk_delete([item.key for item in request.items])
        return state_pb2.BulkDeleteResponse()

    async def _store(self, context: Any) -> Store:
        return await self._instances.resolve(_instance(context))


def _instance(context: Any) -> str:
    name = _instance_or_none(context)
    if name is None:
        raise UnknownInstanceError(
            f"the call carries no {INSTANCE_METADATA!r} gRPC metadata; daprd sends "
            "the Component name in it with every call"
        )
    return name


def _instance_or_none(context: Any) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == INSTANCE_METADATA:
            return str(value)
    return None


def _set_item(request: state_pb2.SetRequest) -> SetItem:
    _refuse_concurrency(request.key, request.etag.value, request.options)
    _refuse_unreadable(request.key, request.value)
    return SetItem(
        key=request.key,
        value=request.value,
        ttl=parse_ttl(request.metadata),
        content_type=request.content_type or None,
    )


def _refuse_concurrency(key: str, etag: str, options: state_pb2.StateOptions) -> None:
    """Refuse what needs ETags: the store cannot compare versions."""
    if etag:
        raise InvalidRequestError(
            f"key {key!r}: this state store does not support ETags (it does not "
            "claim the ETAG feature); send the request without an etag"
        )
    if options.concurrency == _FIRST_WRITE:
        raise InvalidRequestError(
            f"key {key!r}: first-write concurrency needs ETags, which this state "
            "store does not support; use last-write concurrency"
        )


def _refuse_unreadable(key: str, value: bytes) -> None:
    """Refuse a value daprd could store but never read back."""
    if len(value) > DAPRD_MAX_VALUE:
        raise InvalidRequestError(
            f"key {key!r}: the value has {len(value)} bytes, more than the "
            f"{DAPRD_MAX_VALUE} daprd could read back (its gRPC client to "
            "components accepts 4 MiB per message); store a smaller value"
        )


def _within_daprd_limit(
    items: list[state_pb2.BulkStateItem],
) -> list[state_pb2.BulkStateItem]:
    """Turn the values past what daprd can receive in one answer into item errors."""
    total = 0
    for index, item in enumerate(items):
        total += item.ByteSize()
        if total > DAPRD_MAX_VALUE:
            items[index] = state_pb2.BulkStateItem(
                key=item.key,
                error=(
                    f"value of key {item.key!r} left out: with the values before it "
                    "the answer would pass the 4 MiB daprd accepts; read it alone"
                ),
            )
            total += items[index].ByteSize() - item.ByteSize()
    return items


def _bulk_item(
    key: str, item: StateItem | None, error: str | None
) -> state_pb2.BulkStateItem:
    if item is None:
        return state_pb2.BulkStateItem(key=key, error=error or "")
    return state_pb2.BulkStateItem(
        key=key,
        data=item.data,
        metadata=item.metadata,
        content_type=item.content_type or "",
    )
