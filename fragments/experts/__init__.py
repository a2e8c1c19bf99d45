"""The experts fragment: phone-first pages for experts (offers with a countdown, accept/refuse, their
assignments, ticket detail with knowledge-base articles, notes, close; their own profile).

domain/ (offer countdowns, profile rules) <- services/ (work on the ticketing back end, profile)
<- adapters/ (the ticketing API over HTTP, graph_store's expert profiles, the bridge) and entrypoints/.
"""
VERSION = "1.1.0"  # iteration 3: the day view
