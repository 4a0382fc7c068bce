"""Our errors as gRPC statuses daprd understands.

daprd passes a status on to the application with the HTTP code it carries when the
status has exactly one detail, a `google.rpc.ErrorInfo` whose metadata holds
`kit_error="true"`, `http_code` and `tag`; any other failure becomes a bare 500.
The application sees the ErrorInfo reason as the error code (HTTP `errorCode`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from workerskv import errors

DOMAIN = "workerskv"
INTERNAL_MESSAGE = "internal error in the workerskv component; its log has the details"


class UnknownInstanceError(errors.WorkersKVError):
    """A call names a component instance this process has not initialised."""


@dataclass(frozen=True)
class Rule:
    """How one error class is answered: gRPC code, HTTP code, tag, log level."""

    code: grpc.StatusCode
    http_code: int
    tag: str
    level: int = logging.WARNING

    @property
    def error_code(self) -> str:
        """The code the application sees, such as `WORKERSKV_RATE_LIMITED`."""
        return f"WORKERSKV_{self.tag}"


_C = grpc.StatusCode
# The Worker's own refusals are the gateway's problem to the application, hence 502:
# a 401 or 403 would tell the application its own Dapr credentials were wrong.
RULES: dict[type[Exception], Rule] = {
    errors.WorkersKVError: Rule(_C.INTERNAL, 500, "ERROR", logging.ERROR),
    errors.ConfigError: Rule(_C.INVALID_ARGUMENT, 400, "CONFIG"),
    errors.KeyFormatError: Rule(_C.INVALID_ARGUMENT, 400, "KEY_FORMAT"),
    errors.InvalidRequestError: Rule(_C.INVALID_ARGUMENT, 400, "INVALID_REQUEST"),
    errors.WorkerError: Rule(_C.UNKNOWN, 502, "WORKER", logging.ERROR),
    errors.AuthRefusedError: Rule(
        _C.PERMISSION_DENIED, 502, "WORKER_AUTH_REFUSED", logging.ERROR
    ),
    errors.RateLimitedError: Rule(_C.RESOURCE_EXHAUSTED, 429, "RATE_LIMITED"),
    errors.WorkerUnreachableError: Rule(_C.UNAVAILABLE, 503, "WORKER_UNREACHABLE"),
    errors.NamespaceNotBoundError: Rule(
        _C.FAILED_PRECONDITION, 502, "NAMESPACE_NOT_BOUND", logging.ERROR
    ),
    errors.WorkerOutdatedError: Rule(
        _C.FAILED_PRECONDITION, 502, "WORKER_OUTDATED", logging.ERROR
    ),
    errors.UnexpectedResponseError: Rule(
        _C.UNKNOWN, 502, "WORKER_UNEXPECTED_RESPONSE", logging.ERROR
    ),
    errors.ProvisionError: Rule(_C.UNKNOWN, 502, "PROVISION", logging.ERROR),
    errors.APITokenError: Rule(
        _C.PERMISSION_DENIED, 502, "PROVISION_API_TOKEN", logging.ERROR
    ),
    errors.SubdomainMissingError: Rule(
        _C.FAILED_PRECONDITION, 502, "PROVISION_NO_SUBDOMAIN", logging.ERROR
    ),
    errors.WorkerKeyMismatchError: Rule(
        _C.PERMISSION_DENIED, 502, "PROVISION_KEY_MISMATCH", logging.ERROR
    ),
    errors.ProvisionTimeoutError: Rule(
        _C.DEADLINE_EXCEEDED, 504, "PROVISION_TIMEOUT", logging.ERROR
    ),
    errors.LocalRuntimeError: Rule(_C.INTERNAL, 500, "LOCAL_RUNTIME", logging.ERROR),
    UnknownInstanceError: Rule(_C.FAILED_PRECONDITION, 500, "UNKNOWN_INSTANCE"),
    Exception: Rule(_C.INTERNAL, 500, "INTERNAL", logging.ERROR),
}


def rule_for(exc: BaseException) -> Rule:
    """The rule of the nearest class of `exc` in the table."""
    for cls in type(exc).__mro__:
        rule = RULES.get(cls)
        if rule is not None:
            return rule
    return RULES[Exception]


def message_for(exc: BaseException) -> str:
    """What the caller is told: our own message, or nothing about a bug."""
    if isinstance(exc, errors.WorkersKVError):
        return str(exc)
    return INTERNAL_MESSAGE


def to_status(exc: BaseException) -> grpc.Status:
    """The status that reports `exc` to daprd, with its HTTP code attached."""
    rule = rule_for(exc)
    info = error_details_pb2.ErrorInfo(
        reason=rule.error_code,
        domain=DOMAIN,
        metadata={
            "kit_error": "true",
            "http_code": str(rule.http_code),
            "tag": rule.error_code,
        },
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(
        code=rule.code.value[0], message=message_for(exc), details=[detail]
    )
    return rpc_status.to_status(status)
