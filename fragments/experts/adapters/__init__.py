"""The experts fragment's adapters: the ticketing API over HTTP, expert profiles in graph_store."""
