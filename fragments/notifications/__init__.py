"""The notifications fragment (iteration 3): every message the system sends to a customer or an expert.

Its own process and worker, its own data in the graph (messages, recipients' channels and opt-outs),
its own screens (the outbox, a customer's messages, a customer's preferences). Senders hand it a
message under an idempotency key; it stores the message before answering, then a worker routes it by
the recipient's preference (email over SMTP, SMS through a gateway), with a fallback channel, retries
with back-off, quiet hours for what is not urgent, and a dead-letter list staff can resend from.
"""
VERSION = "1.1.0"
