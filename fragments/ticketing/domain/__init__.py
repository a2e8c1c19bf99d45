"""Ticketing's domain: ticket states and their transitions, appointment slots, candidate ranking.

Plain Python: nothing here knows Flask, HTTP, the bridge or Cypher.
"""
