"""Durable notification outbox: enqueue (idempotent), then a worker delivers with retries."""
