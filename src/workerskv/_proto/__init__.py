"""Generated protobuf and gRPC stubs; rebuild with scripts/gen-proto."""
