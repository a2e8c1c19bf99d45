"""The ticketing service's part of the graph's schema: the keys its queries MERGE on and what they
scan by (a report's days by the numeric `created_day`, not the string `created_at`: FalkorDB's index
answers a two-sided range on a string property with every node; the waiting queue; a customer's
tickets; bookings, surveys and their templates)."""
from graph_store.schema import Schema

# Customer, Contract, Product, Locale and Expert are reference nodes here: MERGEd by id to link a ticket.
SCHEMA = Schema(
    unique_keys=(("Ticket", "id"), ("Event", "key"), ("Booking", "key"), ("Survey", "ticket_id"),
                 ("RaiseRequest", "key"), ("ReportDay", "day"), ("CallCentreStaff", "username"), ("Customer", "id"),
                 ("Contract", "id"), ("Product", "id"), ("Locale", "id"), ("Expert", "id"), ("Counter", "name"),
                 ("LinkUse", "jti"), ("Marker", "name"), ("SurveyTemplate", "id")),
    range_indexes=(("Ticket", "status"), ("Ticket", "created_day"), ("Ticket", "customer_id"),
                   ("Ticket", "product_id"), ("Booking", "ticket_id"), ("Survey", "expert_id"), ("Ticket", "next_alert_at"),
                   ("SurveyTemplate", "key"), ("SurveyTemplate", "legacy_id")),
    relationships=("RAISED", "RAISED_FOR", "REGARDING", "HOLDS", "LOCATED_IN", "HAS_EVENT", "ALLOCATED", "AGAINST",
                   "APPLIES_TO", "CREATED_BY", "SUBSCRIBES_TO", "REFERENCES", "ABOUT"),
)
