"""A Dapr state store for Cloudflare Workers KV."""
