"""The customers fragment (iteration 4): customers with their contracts, and the catalogue (products,
plans, locales), moved out of the monolith (docs/adr/0025).

Its own process, its own data in the graph (copied from the monolith on first read and by backfill,
with the freeze protocol every part uses), its own screens (a customer's details and plans, for staff
and for the customer), and a published read module (`published/customers_v1.py`) that the raise path
of ticketing, the experts' pages, the reports and the notifications read, so that none of them asks
the monolith about a customer. Since 1.1 it keeps the contracts' monthly bills too, with their payments
and the customers' cards (a token and the last four digits), and the managers' financial report.
"""
VERSION = "1.1.0"  # 1.1: billing (monthly bills, payments, cards, the financial report), issue 29
