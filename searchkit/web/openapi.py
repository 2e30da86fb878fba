"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json.

Written by hand next to `params.py`: tests check that every parameter `SearchRequest`
reads is described here and that every described path answers.
"""

from __future__ import annotations

from searchkit.engine import MAX_OFFSET
from searchkit.web.params import DEFAULT_LIMIT, MAX_FILTER_CHARS, MAX_LIMIT, MAX_QUERY_CHARS, SORTS


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
    "sort": {"schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
             "description": "relevance, or date: newest first, undated last."},
    "facets": {"schema": {"type": "boolean", "default": False},
               "description": "Also count all matches by province and year (more keys may appear)."},
}

_SPAN = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
         "description": "[start, end) in characters (Unicode code points) of the text"}
_NULLABLE = {"type": ["string", "null"]}
SCHEMAS = {
    "Snippet": {"type": "object", "required": ["text", "spans"], "properties": {
        "text": {"type": "string"}, "spans": {"type": "array", "items": _SPAN}}},
    "Hit": {"type": "object", "required": ["id", "title", "score", "snippets", "title_spans"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "score": {"type": "number"},
        **{name: _NULLABLE for name in ("date", "source", "category", "url", "author", "province")},
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
    "Article": {"type": "object", "required": ["id", "title", "body"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"},
        **{name: _NULLABLE for name in ("date", "source", "category", "url", "author", "province", "hash")}}},
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
