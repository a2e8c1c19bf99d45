"""The ticketing fragment: new ticket services and their HTMX UI, embedded in the legacy screens.

domain/ (states, slots, ranking) <- services/ (management, assignment, orchestrator) <- adapters/
(graph_store, bridge client, in-memory fakes) and entrypoints/ (HTMX views, JSON API, worker).
"""
VERSION = "1.4.0"  # iteration 6: survey templates in versions, a manager changes the questions
