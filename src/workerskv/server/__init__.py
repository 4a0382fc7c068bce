"""The Dapr pluggable component: our state store served to daprd over gRPC.

daprd finds the unix socket at start-up, asks it which services it offers, and then
calls `dapr.proto.components.v1.StateStore` for each Component YAML of type
`state.<socket name without extension>`, naming the Component in the gRPC metadata
`x-component-instance` of every call.
"""

from workerskv.server.instances import Instances, Store, StoreFactory
from workerskv.server.serve import (
    DEFAULT_SOCKET_FOLDER,
    DEFAULT_SOCKET_NAME,
    GRACE_PERIOD,
    create_server,
    serve,
)
from workerskv.server.servicer import StateStoreServicer
from workerskv.server.status import UnknownInstanceError, to_status

__all__ = [
    "DEFAULT_SOCKET_FOLDER",
    "DEFAULT_SOCKET_NAME",
    "GRACE_PERIOD",
    "Instances",
    "StateStoreServicer",
    "Store",
    "StoreFactory",
    "UnknownInstanceError",
    "create_server",
    "serve",
    "to_status",
]
