"""The ground floor every other package stands on: configuration, keys and tokens, problem details,
and the vocabulary the whole system shares. It imports nothing of ours (docs/architecture.md)."""
