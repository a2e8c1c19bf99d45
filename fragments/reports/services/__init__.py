"""The reports: fetch rows through graph_store and the bridge, compute with the domain's definitions."""
