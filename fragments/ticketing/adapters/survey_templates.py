"""The monolith's survey templates as a part that moves into the graph (graph_store/lazy.py: freeze,
copy, mark; reconcile by checksum; roll back by release). A legacy template becomes version 1 of the
key `legacy-<id>`, in force since always: the surveys the monolith sent and the answers given to them
keep it. It is copied on its first read (a customer answering a legacy survey) or by the operator's
start-up, and never changed here (a manager's change is a new version of the current template), so a
rollback only gives the rows back to the monolith.

Versions are written create-only (`PUBLISH`): of two managers publishing the same next version, one
write creates it and the other finds it taken."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bridge_client import BridgeClient, record_checksum
from bridge_client.handover import SURVEY_TEMPLATES
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.backfill import backfill_ids
from graph_store.lazy import HandoverPart, LazyMigration
from graph_store.reconciliation import Reconciliation, reconcile_part

from ..domain.survey_forms import legacy_key

MAPPING_VERSION = 1

PUBLISH = """
MERGE (t:SurveyTemplate {id: $id})
ON CREATE SET t += $props, t.token = $token
WITH t WHERE t.token = $token
RETURN t.id AS id
"""

WRITE_LEGACY = """
UNWIND $items AS s
MERGE (t:SurveyTemplate {id: s.id})
ON CREATE SET t += s.props, t.token = $token
WITH t, s WHERE t.token = $token
RETURN t.legacy_id AS id
"""


class TemplateMissing(LookupError):
    """The monolith has no such survey template."""


def template_record(node: dict[str, Any]) -> dict[str, Any]:
    """A stored version as the Surveys port gives it (the questions read back from their JSON)."""
    return {"key": node["key"], "version": node["version"], "name": node.get("name") or "",
            "questions": json.loads(node["questions"]), "in_force_from": node.get("in_force_from"),
            "source": node.get("source") or "manager", "published_by": node.get("published_by")}


def legacy_content(node: dict[str, Any]) -> dict[str, Any]:
    """A copied legacy template's content in the bridge's published shape (what the checksum covers)."""
    return {"id": node["legacy_id"], "name": node.get("name"), "questions": json.loads(node["questions"])}


class SurveyTemplatePart(HandoverPart):
    name = SURVEY_TEMPLATES
    write_query = WRITE_LEGACY

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        key = legacy_key(record["id"])
        props = {"id": f"{key}:1", "key": key, "version": 1, "name": record["name"],
                 "questions": json.dumps(record["questions"]), "in_force_from": None, "source": "legacy",
                 "legacy_id": record["id"], "migrated_via": via, "migrated_at": iso(now),
                 "source_checksum": record["checksum"], "mapping_version": MAPPING_VERSION}
        return {"key": record["id"], "id": props["id"], "props": props}

    def missing(self, record_id: int) -> Exception:
        return TemplateMissing(f"no legacy survey template {record_id}")

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("UNWIND $ids AS id MATCH (t:SurveyTemplate {legacy_id: id}) RETURN properties(t) AS t",
                            {"ids": list(ids)})
        return {row["t"]["legacy_id"]: record_checksum(legacy_content(row["t"])) for row in rows}


def legacy_template_migration(backend: GraphBackend, bridge: BridgeClient) -> LazyMigration:
    return LazyMigration(backend, bridge, SurveyTemplatePart())


def take_legacy_templates(backend: GraphBackend, bridge: BridgeClient) -> int:
    """Every legacy template not yet copied (resumable, create-only beside first reads). Returns how many
    this call copied."""
    migration = legacy_template_migration(backend, bridge)
    return backfill_ids(migration, bridge.handover_ids(SURVEY_TEMPLATES, migrated="false"), workers=1).migrated


def reconcile_templates(backend: GraphBackend, bridge: BridgeClient, now: dt.datetime | None = None) -> Reconciliation:
    """Every legacy template against its copy: a missing mark set, a frozen one copied; a difference
    (a row edited in the database behind the freeze) is for a person."""
    return reconcile_part(legacy_template_migration(backend, bridge), SURVEY_TEMPLATES, now)


def release_templates(backend: GraphBackend, bridge: BridgeClient) -> int:
    """The rollback: every legacy template the monolith's own again (nothing here changes one, so there
    is nothing to write back); the copies stay, for the surveys that name them. Returns how many."""
    ids = [row["id"] for row in backend.read("MATCH (t:SurveyTemplate) WHERE t.legacy_id IS NOT NULL "
                                             "RETURN t.legacy_id AS id ORDER BY id")]
    if ids:
        bridge.release_handover(SURVEY_TEMPLATES, ids)
    return len(ids)
