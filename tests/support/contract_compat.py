"""Would a client built against `old` break against `new`? A list of reasons, empty if compatible.

Rules: paths, methods, parameters and success responses may be added, never removed; a
parameter or request field may not become required; a response field that was required stays
required with the same type; request enums may only grow, response enums may only shrink.
"""
from __future__ import annotations

from typing import Any


def _resolve(doc: dict, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def _types(schema: dict) -> set:
    value = schema.get("type")
    return set(value) if isinstance(value, list) else ({value} if value else set())


def _compare(old_doc, new_doc, old, new, where: str, direction: str, problems: list[str]) -> None:
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    if _types(old) and _types(new) and _types(old) != _types(new):
        grows = _types(old) < _types(new)
        if direction == "response" or not grows:
            problems.append(f"{where}: type {sorted(_types(old))} -> {sorted(_types(new))}")
    if "enum" in old or "enum" in new:
        old_values, new_values = set(map(str, old.get("enum", []))), set(map(str, new.get("enum", [])))
        if direction == "request" and "enum" in new and not old_values <= new_values:
            problems.append(f"{where}: request enum lost {sorted(old_values - new_values)}")
        if direction == "response" and "enum" in old and not new_values <= old_values:
            problems.append(f"{where}: response enum gained {sorted(new_values - old_values)}")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    if direction == "response" and not old_required <= new_required:
        problems.append(f"{where}: response no longer guarantees {sorted(old_required - new_required)}")
    if direction == "request" and not new_required <= old_required:
        problems.append(f"{where}: request now requires {sorted(new_required - old_required)}")
    for name, old_property in old.get("properties", {}).items():
        new_property = new.get("properties", {}).get(name)
        if new_property is None:
            if direction == "response" and name in old_required:
                problems.append(f"{where}.{name}: response field removed")
            continue
        _compare(old_doc, new_doc, old_property, new_property, f"{where}.{name}", direction, problems)
    if "items" in old and "items" in new:
        _compare(old_doc, new_doc, old["items"], new["items"], f"{where}[]", direction, problems)


def breaking_changes(old: dict, new: dict) -> list[str]:
    problems: list[str] = []
    for path, operations in old["paths"].items():
        for method, old_op in operations.items():
            new_op = new["paths"].get(path, {}).get(method)
            where = f"{method.upper()} {path}"
            if new_op is None:
                problems.append(f"{where}: removed")
                continue
            old_params = {(p["in"], p["name"]): p for p in old_op.get("parameters", [])}
            new_params = {(p["in"], p["name"]): p for p in new_op.get("parameters", [])}
            for key, param in new_params.items():
                if param.get("required") and not old_params.get(key, {}).get("required"):
                    problems.append(f"{where}: parameter {key[1]} is now required")
            for key, param in old_params.items():
                if key not in new_params:
                    problems.append(f"{where}: parameter {key[1]} removed")
                else:
                    _compare(old, new, param.get("schema", {}), new_params[key].get("schema", {}),
                             f"{where} ?{key[1]}", "request", problems)
            old_body = old_op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            new_body = new_op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if old_body is None and new_body is not None and new_op["requestBody"].get("required"):
                problems.append(f"{where}: now requires a body")
            if old_body is not None and new_body is not None:
                _compare(old, new, old_body, new_body, f"{where} body", "request", problems)
            for status, old_response in old_op.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                new_response = new_op.get("responses", {}).get(status)
                if new_response is None:
                    problems.append(f"{where}: response {status} removed")
                    continue
                for media, content in old_response.get("content", {}).items():
                    new_content = new_response.get("content", {}).get(media)
                    if new_content is None:
                        problems.append(f"{where} {status}: no longer {media}")
                        continue
                    _compare(old, new, content.get("schema", {}), new_content.get("schema", {}),
                             f"{where} {status}", "response", problems)
    return problems
