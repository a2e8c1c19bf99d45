"""SQLAlchemy models of the legacy monolith's relational schema."""
from .accounts import ROLES, STAFF_ROLES, LoginSession, UserAccount
from .base import Base
from .billing import Bill, Payment
from .catalog import Locale, Plan, Product, plan_products
from .customers import CONTRACT_STATUSES, NOTIFICATION_PREFERENCES, Contract, Customer, contract_products
from .experts import (
    PERIODS,
    SKILL_LEVELS,
    SLOT_HOURS,
    Expert,
    ExpertAvailability,
    ExpertLocale,
    ExpertSkill,
    ExpertTimeOff,
)
from .knowledge import Article, Keyword, Tag, article_keywords, article_tags
from .messaging import NOTIFICATION_STATUSES, RECIPIENT_KINDS, Notification, PartOwner, StaffAlert
from .surveys import QUESTION_KINDS, Survey, SurveyQuestion, SurveyResponse, SurveyTemplate
from .tickets import CHANNELS, TICKET_STATUSES, LegacyTicket, TicketHistory, TicketSlot

__all__ = [name for name in dir() if not name.startswith("_")]
