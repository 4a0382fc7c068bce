"""The one table from our errors to gRPC statuses and HTTP codes."""

from __future__ import annotations

import inspect

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from workerskv import errors
from workerskv.server import status
from workerskv.server.status import RULES, UnknownInstanceError, rule_for, to_status

ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.WorkersKVError)
] + [UnknownInstanceError]


def decode(
    answer: grpc.Status,
) -> tuple[status_pb2.Status, error_details_pb2.ErrorInfo]:
    [(key, value)] = answer.trailing_metadata
    assert key == rpc_status.GRPC_DETAILS_METADATA_KEY
    rich = status_pb2.Status.FromString(value)
    [detail] = rich.details
    info = error_details_pb2.ErrorInfo()
    assert detail.Unpack(info)
    return rich, info


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_has_its_own_rule(cls: type[Exception]) -> None:
    assert cls in RULES


def test_table_holds_only_error_classes_we_raise() -> None:
    assert set(RULES) == {*ERROR_CLASSES, Exception}


@pytest.mark.parametrize(
    ("error", "code", "http_code"),
    [
        (errors.InvalidRequestError("x"), grpc.StatusCode.INVALID_ARGUMENT, 400),
        (errors.ConfigError("key", "x"), grpc.StatusCode.INVALID_ARGUMENT, 400),
        (errors.KeyFormatError("x"), grpc.StatusCode.INVALID_ARGUMENT, 400),
        (errors.RateLimitedError("x"), grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
        (errors.WorkerUnreachableError("x"), grpc.StatusCode.UNAVAILABLE, 503),
        (errors.AuthRefusedError("x"), grpc.StatusCode.PERMISSION_DENIED, 502),
        (
            errors.NamespaceNotBoundError("x"),
            grpc.StatusCode.FAILED_PRECONDITION,
            502,
        ),
        (UnknownInstanceError("x"), grpc.StatusCode.FAILED_PRECONDITION, 500),
        (ValueError("x"), grpc.StatusCode.INTERNAL, 500),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_errors_map_to_status_and_http_code(
    error: Exception, code: grpc.StatusCode, http_code: int
) -> None:
    rule = rule_for(error)

    assert (rule.code, rule.http_code) == (code, http_code)


def test_a_subclass_without_a_rule_takes_its_parents() -> None:
    class Throttled(errors.RateLimitedError):
        pass

    assert rule_for(Throttled("x")) is RULES[errors.RateLimitedError]


def test_status_has_one_error_info_daprd_reads() -> None:
    answer = to_status(errors.RateLimitedError("key 'k': Workers KV answered 429"))

    rich, info = decode(answer)

    assert answer.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert answer.details == rich.message == "key 'k': Workers KV answered 429"
    assert rich.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert dict(info.metadata) == {
        "kit_error": "true",
        "http_code": "429",
        "tag": "WORKERSKV_RATE_LIMITED",
    }
    assert (info.domain, info.reason) == ("workerskv", "WORKERSKV_RATE_LIMITED")


def test_status_of_a_bug_says_nothing_of_it() -> None:
    answer = to_status(RuntimeError("token=abc.def"))

    assert answer.details == status.INTERNAL_MESSAGE
    assert b"abc.def" not in answer.trailing_metadata[0][1]


def test_tags_are_unique() -> None:
    tags = [rule.tag for rule in RULES.values()]

    assert len(tags) == len(set(tags))
