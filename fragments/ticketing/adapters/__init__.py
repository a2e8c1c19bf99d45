"""Adapters from the service layer's ports to the real world (graph_store, the bridge) and an in-memory
store with the same behaviour for the fast tests."""
