"""The knowledge fragment: the knowledge base out of the monolith (iteration 2). Articles move into the
graph on first read, are kept and versioned there, ranked for a ticket by product, full text and past
fixes, and shown in the legacy KB screens and to experts in the field."""
VERSION = "1.0.0"
