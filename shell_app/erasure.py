"""A customer forgotten at their request (issue 29): the monolith's part, in its own database while it is
still written, and in a restore of its archive (shell_app/archive.py keeps the erasures beside the dump,
applied by `apply_erasures`). The same erased values as the services' copies, so both still compare
equal where they are reconciled."""
from __future__ import annotations

from sqlalchemy import select, update

from .db import make_engine, make_session_factory
from .models import Customer, LegacyTicket, Notification, Survey, SurveyResponse, TicketHistory, UserAccount

ERASED_TEXT = "[erased at the customer's request]"
ERASED = {"first_name": "Erased", "email": "", "phone": "", "address_line": "", "city": "", "postcode": ""}
WORDED = ("note", "description")


def erase_customer(url: str, customer_id: int) -> dict[str, int]:
    """How many rows of each kind were erased (nothing if the customer is unknown here)."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            done = {
                "customer": session.execute(update(Customer).where(Customer.id == customer_id).values(
                    **ERASED, last_name=f"customer {customer_id}")).rowcount,
                "accounts": session.execute(update(UserAccount).where(UserAccount.customer_id == customer_id).values(
                    display_name="Erased", password_hash="", active=False)).rowcount,
                "tickets": session.execute(update(LegacyTicket).where(LegacyTicket.customer_id == customer_id).values(
                    description=ERASED_TEXT)).rowcount,
            }
            tickets = select(LegacyTicket.id).where(LegacyTicket.customer_id == customer_id)
            session.execute(update(LegacyTicket).where(LegacyTicket.customer_id == customer_id,
                                                       LegacyTicket.resolution.is_not(None)).values(resolution=ERASED_TEXT))
            done["notes"] = session.execute(update(TicketHistory).where(TicketHistory.ticket_id.in_(tickets),
                                                                        TicketHistory.action.in_(WORDED))
                                            .values(detail=ERASED_TEXT)).rowcount
            surveys = select(Survey.id).where(Survey.ticket_id.in_(tickets))
            done["survey answers"] = session.execute(update(SurveyResponse).where(
                SurveyResponse.survey_id.in_(surveys), SurveyResponse.text.is_not(None)).values(text="")).rowcount
            done["messages"] = session.execute(update(Notification).where(
                Notification.recipient_kind == "customer", Notification.recipient_id == customer_id).values(
                subject=ERASED_TEXT, body=ERASED_TEXT, address="")).rowcount
            # An account's name is its own: renamed to one that says nothing of the person.
            for account in session.scalars(select(UserAccount).where(UserAccount.customer_id == customer_id)):
                account.username = f"erased-{account.id}"
            session.commit()
            return done
    finally:
        engine.dispose()
