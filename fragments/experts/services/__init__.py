"""The experts' use cases: their work (through the ticketing back end) and their own profile."""
