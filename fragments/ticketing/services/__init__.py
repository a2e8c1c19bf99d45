"""Ticketing use cases: management (raise, read, update, note, cancel), assignment (offer, accept,
refuse, time out, re-offer), and the orchestrator that runs them in the order that never loses a
ticket. They reach data only through the ports in `ports.py`."""
