"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json and, readable, at /docs.

Written by hand next to `params.py`: tests check that every parameter `SearchRequest`
reads is described here and that every described path answers. `readable` flattens it into
rows that the /docs page lays out as tables, on the server (no script, no CDN).
"""

from __future__ import annotations

from searchkit.engine import MAX_OFFSET
from typing import Any

from searchkit.web.params import DEFAULT_LIMIT, LANGUAGES, MAX_FILTER_CHARS, MAX_LIMIT, MAX_QUERY_CHARS, SORTS


def _text(description: str, max_length: int = MAX_FILTER_CHARS, example: str | None = None) -> dict:
    schema = {"type": "string", "maxLength": max_length}
    return {"schema": schema, "description": description, **({"example": example} if example else {})}


SEARCH_PARAMETERS = {
    "q": _text("What to search for: words (accents optional), \"a phrase\", -word, a OR b, title:word; "
               "Telex/VNI keys and abbreviations (CNTT) are understood.", MAX_QUERY_CHARS, "tram bts"),
    "limit": {"schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
              "description": f"Hits to return; more than {MAX_LIMIT} is lowered to {MAX_LIMIT}."},
    "offset": {"schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
               "description": "Best hits to skip (page 3 of 10 hits: offset=20)."},
    "since": _text("Only articles dated on or after: 2010, 2010-02, 2010-02-03 or 03/02/2010.", example="2010"),
    "until": _text("Only articles dated on or before (same forms).", example="2010-06"),
    "province": _text("Only articles about this province or city, any spelling.", example="dak nong"),
    "source": _text("Only articles from this source (case and accents optional).", example="mic.gov.vn"),
    "category": _text("Only articles of this category (case and accents optional).", example="vi tính"),
    "tag": {"schema": {"type": "array", "items": {"type": "string", "maxLength": MAX_FILTER_CHARS}},
            "style": "form", "explode": True, "example": ["5G"],
            "description": "Only articles tagged so (case and accents optional); repeat it for articles "
                           "holding every one: tag=5G&tag=Viettel. A tag no article has finds nothing."},
    "mentions": {"schema": {"type": "array", "items": {"type": "string", "maxLength": MAX_FILTER_CHARS}},
                 "style": "form", "explode": True, "example": ["nghe an"],
                 "description": "Only articles naming this province or city anywhere in their text, any "
                                "spelling; repeat it for articles naming every one."},
    "sort": {"schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
             "description": "relevance, or date: newest first, undated last."},
    "facets": {"schema": {"type": "boolean", "default": False},
               "description": "Also count all matches by province, year, source, category, tag and mentions "
                              "(a province named)."},
    "lang": {"schema": {"type": "string", "enum": list(LANGUAGES), "default": LANGUAGES[0]},
             "description": "Language of the HTML pages (the same parameters serve / and /api/search)."},
}
SUGGEST_PARAMETERS = {
    "q": _text("What has been typed so far; its last words are completed, accents optional.",
               MAX_QUERY_CHARS, "tram b"),
    "limit": {"schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 8},
              "description": "Completions to return at most."},
}

_SPAN = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
         "description": "[start, end) in characters (Unicode code points) of the text"}
_NULLABLE = {"type": ["string", "null"]}
_LISTS = {"tags": {"type": "array", "items": {"type": "string"}, "description": "the article's tags"},
          "mentions": {"type": "array", "items": {"type": "string"},
                       "description": "every province the article names, its own first"}}
SCHEMAS = {
    "Snippet": {"type": "object", "required": ["text", "spans"], "properties": {
        "text": {"type": "string"}, "spans": {"type": "array", "items": _SPAN}}},
    "Hit": {"type": "object", "required": ["id", "title", "score", "snippets", "title_spans"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "score": {"type": "number"},
        **{name: _NULLABLE for name in ("date", "source", "category", "url", "author", "province")},
        **_LISTS,
        "title_spans": {"type": "array", "items": _SPAN},
        "snippets": {"type": "array", "items": {"$ref": "#/components/schemas/Snippet"}}}},
    "Results": {"type": "object", "required": ["query", "total", "hits", "offset", "limit"], "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "description": "all matches, not just this page"},
        "searched": {**_NULLABLE, "description": "the query as searched when it differs (Telex decoded)"},
        "suggestion": {**_NULLABLE, "description": "did-you-mean"},
        "facets": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "integer"}}},
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "offset": {"type": "integer"}, "limit": {"type": "integer"}}},
    "Suggestions": {"type": "object", "required": ["suggestions"], "properties": {
        "suggestions": {"type": "array", "items": {"type": "string"},
                        "description": "completions, most written first, as the index writes them"}}},
    "Article": {"type": "object", "required": ["id", "title", "body"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"},
        **{name: _NULLABLE for name in ("date", "source", "category", "url", "author", "province", "hash")},
        **_LISTS}},
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "type", "message"], "properties": {
            "status": {"type": "integer"}, "type": {"type": "string"},
            "message": {"type": "string", "description": "what went wrong and what to do next"}}}}},
}


def _answer(description: str, schema: str | dict) -> dict:
    body = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"description": description, "content": {"application/json": {"schema": body}}}


_ERROR_400 = _answer("Bad query, filter or parameter", "Error")
_ERROR_503 = _answer("No index (yet), or not a searchkit index", "Error")


def description(version: str) -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchkit", "version": version,
                 "description": "Full-text search of Vietnamese ICT news: accents optional, highlights as spans."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search the articles",
                "parameters": [{"name": name, "in": "query", "required": name == "q", **spec}
                               for name, spec in SEARCH_PARAMETERS.items()],
                "responses": {"200": _answer("One page of hits", "Results"), "400": _ERROR_400, "503": _ERROR_503},
            }},
            "/api/suggest": {"get": {
                "summary": "Complete what is typed in a search box (tram b → trạm BTS)",
                "parameters": [{"name": name, "in": "query", "required": False, **spec}
                               for name, spec in SUGGEST_PARAMETERS.items()],
                "responses": {"200": _answer("Completions", "Suggestions"), "400": _ERROR_400, "503": _ERROR_503},
            }},
            "/api/articles/{id}": {"get": {
                "summary": "One article: stored fields and full text",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _answer("The article", "Article"), "404": _answer("No such article", "Error"),
                              "503": _ERROR_503},
            }},
            "/api/stats": {"get": {
                "summary": "Articles, segments, vocabulary and size of the index",
                "responses": {"200": _answer("Index statistics", {"type": "object"}), "503": _ERROR_503},
            }},
            "/healthz": {"get": {
                "summary": "Ready to answer: the index opens",
                "responses": {"200": _answer("Ready", {"type": "object"}), "503": _ERROR_503},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }


def readable(spec: dict) -> dict[str, Any]:
    """The description as rows for a page: operations with their parameters and responses,
    then schemas with their properties; a type names the schema it refers to (`ref`).

    >>> api = readable(description("1.0"))
    >>> [(o["method"], o["path"]) for o in api["operations"]][:2]
    [('GET', '/api/search'), ('GET', '/api/suggest')]
    >>> api["operations"][0]["parameters"][0]["type"], api["schemas"][0]["name"]
    ('string ≤ 4000', 'Snippet')
    """
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            operations.append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "description": p.get("description", ""), "example": p.get("example"),
                                **_type(p.get("schema", {}))} for p in operation.get("parameters", [])],
                "responses": [{"status": status, "description": answer["description"],
                               **_type(answer.get("content", {}).get("application/json", {}).get("schema", {}))}
                              for status, answer in operation["responses"].items()],
            })
    schemas = [{"name": name, "properties": [
        {"name": field, "required": field in schema.get("required", ()),
         "description": body.get("description", ""), **_type(body)}
        for field, body in schema.get("properties", {}).items()]}
        for name, schema in spec.get("components", {}).get("schemas", {}).items()]
    return {"title": spec["info"]["title"], "version": spec["info"]["version"],
            "description": spec["info"].get("description", ""), "operations": operations, "schemas": schemas}


def _type(schema: dict) -> dict[str, Any]:
    """{"type": words for a schema, "ref": the schema it names or None}."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"type": name, "ref": name}
    kind = schema.get("type", "object")
    kind = " | ".join(kind) if isinstance(kind, list) else kind
    if kind == "array":
        inner = _type(schema.get("items", {}))
        return {"type": f"array of {inner['type']}", "ref": inner["ref"]}
    details = [f"one of {', '.join(map(str, schema['enum']))}"] if "enum" in schema else []
    if "maxLength" in schema:
        details.append(f"≤ {schema['maxLength']}")
    if "minimum" in schema or "maximum" in schema:
        details.append(f"{schema.get('minimum', '')}…{schema.get('maximum', '')}")
    if "default" in schema:
        details.append(f"default {schema['default']}")
    return {"type": " ".join([kind, *details]), "ref": None}
