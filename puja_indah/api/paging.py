"""One way to page, sort and filter every API list.

Query parameters: `page` (from 1), `per_page` (1–100, default 20) and `sort` (one of the list's
documented keys; a leading `-` sorts descending); filters are each list's own. The answer is
`{"items": [...], "meta": {page, per_page, total, pages}, "links": {self, next, prev}}` with
RFC 8288 `Link` headers for the same next and previous pages."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from flask import request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from puja_indah.extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 10_000


class ListArgs(Schema):
    """Paging arguments every list takes; a list subclasses it to add its filters and `sort`."""

    page = fields.Integer(
        load_default=1, validate=validate.Range(1, MAX_PAGE), metadata={"example": 1}
    )
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(1, MAX_PER_PAGE), metadata={"example": 20}
    )


def sort_field(keys: Sequence[str], default: str) -> fields.String:
    """The `sort` parameter of a list: each key ascending or, with `-`, descending."""
    choices = [*keys, *(f"-{key}" for key in keys)]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices),
        metadata={"description": "sort key; a leading - sorts descending", "enum": choices},
    )


class PageMetaSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class PageLinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


_PAGE_SCHEMAS: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list-answer schema for `item_schema` (one class per item type, named for the spec)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[name] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "meta": fields.Nested(PageMetaSchema, required=True),
                "links": fields.Nested(PageLinksSchema, required=True),
            },
        )
    return _PAGE_SCHEMAS[name]


def _url(page: int | None) -> str | None:
    if page is None:
        return None
    assert request.endpoint is not None
    args = request.args.to_dict() | dict(request.view_args or {}) | {"page": page}
    return url_for(request.endpoint, **args)


def paginate(
    stmt: Select[Any],
    args: Mapping[str, Any],
    sort_columns: Mapping[str, Any],
    tie_breaker: Any,
) -> dict[str, Any]:
    """One page of `stmt`, sorted by `args["sort"]` with a stable tie-breaker (the id)."""
    key = str(args.get("sort") or "")
    descending = key.startswith("-")
    column = sort_columns.get(key.lstrip("-"))
    if column is not None:
        stmt = stmt.order_by(column.desc() if descending else column.asc())
    stmt = stmt.order_by(tie_breaker)
    page, per_page = int(args["page"]), int(args["per_page"])
    total = int(
        db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    pages = max(1, math.ceil(total / per_page))
    return page_body(items, page, per_page, total, pages)


def page_body(items: list[Any], page: int, per_page: int, total: int, pages: int) -> dict[str, Any]:
    links = {
        "self": _url(page),
        "next": _url(page + 1) if page < pages else None,
        "prev": _url(page - 1) if 1 < page <= pages + 1 else None,
    }
    return {
        "items": items,
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages},
        "links": links,
    }


def link_header(body: Mapping[str, Any]) -> dict[str, str]:
    """RFC 8288 Link header with the next and previous pages of a `page_body`."""
    parts = [
        f'<{body["links"][rel]}>; rel="{rel}"' for rel in ("next", "prev") if body["links"][rel]
    ]
    return {"Link": ", ".join(parts)} if parts else {}
