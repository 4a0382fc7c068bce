"""The committed protobuf stubs are exactly what scripts/gen-proto makes."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "src" / "workerskv" / "_proto"


def test_committed_stubs_equal_a_fresh_generation(tmp_path: Path) -> None:
    subprocess.run(
        [ROOT / "scripts" / "gen-proto", tmp_path],
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
    )

    fresh = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    committed = {
        path.name: path.read_bytes() for path in STUBS.iterdir() if path.is_file()
    }
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"run scripts/gen-proto and commit: {stale} differ"


def test_stubs_keep_the_wire_names() -> None:
    from workerskv._proto import state_pb2

    service = state_pb2.DESCRIPTOR.services_by_name["StateStore"]

    assert service.full_name == "dapr.proto.components.v1.StateStore"
    assert [method.name for method in service.methods] == [
        "Init",
        "Features",
        "Delete",
        "Get",
        "Set",
        "Ping",
        "BulkDelete",
        "BulkGet",
        "BulkSet",
    ]


# name: [(field, number, type)], the contract daprd was built against.
WIRE = {
    "common_pb2.MetadataRequest": [("properties", 1, "map")],
    "common_pb2.FeaturesResponse": [("features", 1, "repeated string")],
    "state_pb2.Etag": [("value", 1, "string")],
    "state_pb2.StateOptions": [
        ("concurrency", 1, "StateConcurrency"),
        ("consistency", 2, "StateConsistency"),
    ],
    "state_pb2.InitRequest": [("metadata", 1, "MetadataRequest")],
    "state_pb2.GetRequest": [
        ("key", 1, "string"),
        ("metadata", 2, "map"),
        ("consistency", 3, "StateConsistency"),
    ],
    "state_pb2.GetResponse": [
        ("data", 1, "bytes"),
        ("etag", 2, "Etag"),
        ("metadata", 3, "map"),
        ("content_type", 4, "string"),
    ],
    "state_pb2.DeleteRequest": [
        ("key", 1, "string"),
        ("etag", 2, "Etag"),
        ("metadata", 3, "map"),
        ("options", 4, "StateOptions"),
    ],
    "state_pb2.SetRequest": [
        ("key", 1, "string"),
        ("value", 2, "bytes"),
        ("etag", 3, "Etag"),
        ("metadata", 4, "map"),
        ("options", 5, "StateOptions"),
        ("content_type", 6, "string"),
    ],
    "state_pb2.BulkGetRequestOptions": [("parallelism", 1, "int64")],
    "state_pb2.BulkSetRequestOptions": [("parallelism", 1, "int64")],
    "state_pb2.BulkDeleteRequestOptions": [("parallelism", 1, "int64")],
    "state_pb2.BulkGetRequest": [
        ("items", 1, "repeated GetRequest"),
        ("options", 2, "BulkGetRequestOptions"),
    ],
    "state_pb2.BulkSetRequest": [
        ("items", 1, "repeated SetRequest"),
        ("options", 2, "BulkSetRequestOptions"),
    ],
    "state_pb2.BulkDeleteRequest": [
        ("items", 1, "repeated DeleteRequest"),
        ("options", 2, "BulkDeleteRequestOptions"),
    ],
    "state_pb2.BulkStateItem": [
        ("key", 1, "string"),
        ("data", 2, "bytes"),
        ("etag", 3, "Etag"),
        ("error", 4, "string"),
        ("metadata", 5, "map"),
        ("content_type", 6, "string"),
    ],
    "state_pb2.BulkGetResponse": [("items", 1, "repeated BulkStateItem")],
}
EMPTY = [
    "common_pb2.FeaturesRequest",
    "common_pb2.PingRequest",
    "common_pb2.PingResponse",
    "state_pb2.InitResponse",
    "state_pb2.SetResponse",
    "state_pb2.DeleteResponse",
    "state_pb2.BulkSetResponse",
    "state_pb2.BulkDeleteResponse",
]
SCALARS = {
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
    FieldDescriptor.TYPE_INT64: "int64",
}


def _describe(field: FieldDescriptor) -> str:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        return "map"
    kind = field.message_type or field.enum_type
    name = kind.name if kind is not None else SCALARS[field.type]
    return f"repeated {name}" if field.is_repeated else name


@pytest.mark.parametrize("name", [*WIRE, *EMPTY])
def test_messages_keep_the_wire_fields(name: str) -> None:
    module_name, message_name = name.split(".")
    module = importlib.import_module(f"workerskv._proto.{module_name}")
    descriptor = module.DESCRIPTOR.message_types_by_name[message_name]

    fields = [(f.name, f.number, _describe(f)) for f in descriptor.fields]

    assert descriptor.full_name == f"dapr.proto.components.v1.{message_name}"
    assert fields == WIRE.get(name, [])


def test_map_fields_hold_strings() -> None:
    from workerskv._proto import state_pb2

    entry = state_pb2.SetRequest.DESCRIPTOR.fields_by_name["metadata"].message_type

    assert [f.type for f in entry.fields] == [FieldDescriptor.TYPE_STRING] * 2


def test_enums_keep_the_wire_values() -> None:
    from workerskv._proto import state_pb2

    options = state_pb2.StateOptions.DESCRIPTOR
    values = {
        enum.name: [(v.name, v.number) for v in enum.values]
        for enum in options.enum_types
    }

    assert values == {
        "StateConcurrency": [
            ("CONCURRENCY_UNSPECIFIED", 0),
            ("CONCURRENCY_FIRST_WRITE", 1),
            ("CONCURRENCY_LAST_WRITE", 2),
        ],
        "StateConsistency": [
            ("CONSISTENCY_UNSPECIFIED", 0),
            ("CONSISTENCY_EVENTUAL", 1),
            ("CONSISTENCY_STRONG", 2),
        ],
    }
