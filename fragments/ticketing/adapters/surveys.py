"""Satisfaction surveys in the graph, the Surveys port itself: (Survey)-[:REGARDING]->(Ticket), one per ticket, and each expert's
score as the mean of the surveys of the tickets they closed (what assignment ranks by); the survey's
templates in versions, `(:SurveyTemplate {id: 'key:version'})`, each written once (a version is never
changed: an answer names the one it was given under). A legacy template is copied from the monolith on
its first read (survey_templates.py), or by the operator's start-up."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from bridge_client import BridgeClient
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.errors import MigrationUnavailable

from ..domain.survey_forms import CURRENT
from .errors import port_errors
from .survey_templates import PUBLISH, legacy_template_migration, template_record

# Create-only: a second answer for the same ticket writes nothing (the MERGE finds the first one).
RECORD = """
MATCH (t:Ticket {id: $ticket_id})
MERGE (s:Survey {ticket_id: $ticket_id})
ON CREATE SET s.expert_id = $expert_id, s.customer_id = $customer_id, s.score = $score, s.comment = $comment,
              s.answered_at = $at, s.token = $token, s.template = $template, s.template_version = $version,
              s.answers = $answers
WITH t, s WHERE s.token = $token
CREATE (s)-[:REGARDING]->(t)
RETURN s.ticket_id AS ticket_id
"""

RESCORE = """
MATCH (s:Survey {expert_id: $expert_id})
WITH avg(toFloat(s.score)) AS score, count(s) AS answers
MATCH (x:Expert {id: $expert_id})
SET x.score = score, x.score_answers = answers
RETURN x.score AS score, x.score_answers AS answers
"""

# The same mean for several experts at once (surveys carried over from the legacy system).
RESCORE_MANY = """
UNWIND $expert_ids AS expert_id
MATCH (s:Survey {expert_id: expert_id})
WITH expert_id, avg(toFloat(s.score)) AS score, count(s) AS answers
MATCH (x:Expert {id: expert_id})
SET x.score = score, x.score_answers = answers
RETURN x.id AS id
"""

# Answers given before templates had versions carry no template: the current template's first version.
ANSWER_COUNTS = """
MATCH (s:Survey)
WITH s, coalesce(s.template, CASE WHEN $current AND coalesce(s.source, '') <> 'legacy' THEN $key END) AS key
WHERE key = $key
RETURN coalesce(s.template_version, 1) AS version, count(s) AS n
"""


@port_errors
class GraphSurveys:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient | None = None):
        self.db = backend
        self.bridge = bridge  # None: legacy templates are only those copied already

    def record(self, *, ticket_id: int, expert_id: int, customer_id: int, score: float, comment: str,
               now: dt.datetime, template: str, version: int, answers: list[dict[str, Any]]) -> bool:
        """True if this answer was recorded; False if the ticket already had one."""
        created = bool(self.db.write(RECORD, {"ticket_id": ticket_id, "expert_id": expert_id,
                                              "customer_id": customer_id, "score": score, "comment": comment,
                                              "at": iso(now), "token": uuid.uuid4().hex, "template": template,
                                              "version": version, "answers": json.dumps(answers)}))
        if created:
            self.db.write(RESCORE, {"expert_id": expert_id})
        return created

    def find(self, ticket_id: int) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (s:Survey {ticket_id: $id}) RETURN s {.*} AS s", {"id": ticket_id})
        if not rows:
            return None
        survey = rows[0]["s"]
        survey.pop("token", None)
        survey["answers"] = json.loads(survey["answers"]) if survey.get("answers") else []
        return survey

    def versions(self, key: str) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (t:SurveyTemplate {key: $key}) RETURN properties(t) AS t ORDER BY t.version",
                            {"key": key})
        return [template_record(row["t"]) for row in rows]

    def version(self, key: str, version: int) -> dict[str, Any] | None:
        found = self._version(key, version)
        if found is None and self.bridge is not None and key.startswith("legacy-") and key[7:].isdigit():
            try:  # a legacy template not copied yet: copied on this first read
                legacy_template_migration(self.db, self.bridge).migrate(int(key[7:]), via="read")
            except (MigrationUnavailable, LookupError):
                return None  # the monolith does not answer, or has no such template
            found = self._version(key, version)
        return found

    def _version(self, key: str, version: int) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (t:SurveyTemplate {id: $id}) RETURN properties(t) AS t",
                            {"id": f"{key}:{version}"})
        return template_record(rows[0]["t"]) if rows else None

    def publish(self, record: dict[str, Any]) -> bool:
        props = {**record, "id": f"{record['key']}:{record['version']}", "questions": json.dumps(record["questions"])}
        return bool(self.db.write(PUBLISH, {"id": props["id"], "props": props, "token": uuid.uuid4().hex}))

    def sent_with(self, ticket_id: int) -> tuple[str, int] | None:
        rows = self.db.read("MATCH (t:Ticket {id: $id}) RETURN t.survey_template AS key, "
                            "t.survey_template_version AS version", {"id": ticket_id})
        return (rows[0]["key"], rows[0]["version"]) if rows and rows[0]["key"] else None

    def answer_counts(self, key: str) -> dict[int, int]:
        """Answers per version; those given before templates had versions count for the first (the
        built-in one, or for a legacy survey its template's only version)."""
        rows = self.db.read(ANSWER_COUNTS, {"key": key, "current": key == CURRENT})
        return {row["version"]: row["n"] for row in rows}
