"""`/api/v1/innovations`: the innovation profiles (IID form fields) the caller's scope may read,
with their stage history, and the writes of the web's profile pages. The tenancy layer narrows
every query to the scope, exactly as for the web list; filters and search are the web list's own
(`innovations.queries`); writes go through `innovations.services` like the web forms:

- `POST /innovations` saves a draft profile (only a name is needed), 201 with its Location;
- `PATCH /innovations/<id>` changes the fields sent, the others keep their stored values (what
  the edit form would show); `"complete": true` submits the profile as complete, and a profile
  that is complete is checked in full on every save, as on the web;
- `POST /innovations/<id>/stage` records a dated stage move;
- `POST /innovations/<id>/publish` and `/unpublish` put it in the public catalogue or take it out.
Every write to an existing profile needs `If-Match` with its ETag and answers the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import load_only

from puja_indah.api.access import api_requires
from puja_indah.api.etags import etag_of, require_if_match
from puja_indah.api.inputs import Line, Text, WebAddress
from puja_indah.api.paging import ListArgs, link_header, page_of, paginate, sort_field
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX
from puja_indah.api.writes import Refusals, commit, created_headers, etag_header
from puja_indah.core import dataversion
from puja_indah.core.permissions import MAX_ID, can_edit_innovations, can_use_app
from puja_indah.core.tenancy import current_scope
from puja_indah.innovations import queries, services
from puja_indah.innovations.forms import MAX_SECTION, MAX_TEXT, PROFILE_FIELDS
from puja_indah.innovations.models import (
    DESIGN_SECTIONS,
    Innovation,
    InnovationForm,
    InnovationKind,
    Origin,
    ProfileStatus,
    Stage,
)
from puja_indah.innovations.services import TEXT_FIELDS, ProfileInput

bp = Blueprint(
    "api_innovations",
    __name__,
    url_prefix=f"{API_PREFIX}/innovations",
    description="Innovation profiles (Indeks Inovasi Daerah form) and their stages.",
)


def _enum_field(enum_type: Any, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_type, by_value=True, **kwargs)


class InnovationSummarySchema(Schema):
    id = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    name = fields.String(required=True)
    origin = _enum_field(Origin, required=True)
    stage = _enum_field(Stage, required=True)
    status = _enum_field(ProfileStatus, required=True)
    kind = _enum_field(InnovationKind, required=True, allow_none=True)
    form = _enum_field(InnovationForm, required=True, allow_none=True)
    theme_id = fields.Integer(required=True, allow_none=True)
    affair_id = fields.Integer(required=True, allow_none=True)
    published = fields.Boolean(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={"description": "the ETag's value"})


class StageChangeSchema(Schema):
    from_stage = _enum_field(Stage, required=True, allow_none=True)
    to_stage = _enum_field(Stage, required=True)
    changed_on = fields.Date(required=True)
    note = fields.String(required=True)


class _InnovationProfileSchema(InnovationSummarySchema):
    appointment_id = fields.Integer(required=True, allow_none=True)
    initiator_kind_id = fields.Integer(required=True, allow_none=True)
    initiator_name = fields.String(required=True)
    other_affair_ids = fields.Method("_other_affairs", required=True)
    trial_date = fields.Date(required=True, allow_none=True)
    implementation_date = fields.Date(required=True, allow_none=True)
    developed_further = fields.Boolean(required=True, allow_none=True)
    developed_note = fields.String(required=True)
    video_url = fields.String(required=True)
    published_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    stage_changes = fields.List(fields.Nested(StageChangeSchema), required=True)

    def _other_affairs(self, innovation: Innovation) -> list[int]:
        return sorted(link.affair_id for link in innovation.other_affairs)


# With the IID form's text sections (design, goals, results …), each a string.
InnovationSchema = type(
    "InnovationSchema",
    (_InnovationProfileSchema,),
    {name: fields.String(required=True) for name in TEXT_FIELDS},
)


class InnovationListArgs(ListArgs):
    q = Line(200, metadata={"description": "search"})
    agency_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    stage = fields.String(validate=validate.OneOf([s.value for s in Stage]))
    status = fields.String(validate=validate.OneOf([s.value for s in ProfileStatus]))
    kind = fields.String(validate=validate.OneOf([k.value for k in InnovationKind]))
    form = fields.String(validate=validate.OneOf([f.value for f in InnovationForm]))
    affair_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    theme_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    sort = sort_field(["name", "updated_at", "stage"], "name")


@bp.route("")
@api_requires(can_use_app)
@bp.arguments(InnovationListArgs, location="query", as_kwargs=True)
@bp.response(200, page_of(InnovationSummarySchema))
def list_innovations(**args: Any) -> Any:
    """List innovations in the caller's scope, filtered, searched and sorted."""
    filters = queries.Filters(
        q=args.get("q"),
        agency=args.get("agency_id"),
        stage=args.get("stage"),
        form=args.get("form"),
        kind=args.get("kind"),
        affair=args.get("affair_id"),
        theme=args.get("theme_id"),
        year=args.get("year"),
        status=args.get("status"),
    )
    # The answer, serialised, is kept per data version for the same scope and query string (a
    # client polling the list, a dashboard): a hit costs no query and no schema dump.
    body, headers = dataversion.remember(
        "api_innovations",
        (dataversion.scope_key(), request.full_path),
        lambda: _list_answer(filters, args),
    )
    return jsonify(body), 200, headers


_PAGE_SCHEMA = page_of(InnovationSummarySchema)()


def _list_answer(
    filters: queries.Filters, args: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    # Only the summary's columns: the rancang bangun and other long texts stay in the database.
    summary = [getattr(Innovation, name) for name in InnovationSummarySchema._declared_fields]
    body = paginate(
        queries.filtered_innovations(filters).options(load_only(*summary)),
        args,
        {
            "name": Innovation.name_key,
            "updated_at": Innovation.updated_at,
            "stage": queries.STAGE_ORDER,
        },
        Innovation.id,
    )
    return _PAGE_SCHEMA.dump(body), link_header(body)


def innovation_or_404(innovation_id: int) -> Innovation:
    """One innovation the scope may read, or a 404 problem (another agency's looks unknown)."""
    innovation = queries.get_innovation(innovation_id) if 0 < innovation_id <= MAX_ID else None
    if innovation is None:
        raise Problem(404, "not_found", _("No such innovation in your scope."))
    return innovation


@bp.route("/<int:innovation_id>")
@api_requires(can_use_app)
@bp.response(200, InnovationSchema, headers={"ETag": {"schema": {"type": "string"}}})
def get_innovation(innovation_id: int) -> Any:
    """One innovation's profile and stage history; its ETag guards later writes."""
    innovation = innovation_or_404(innovation_id)
    return innovation, 200, {"ETag": etag_of(innovation.version)}


# --- writes: the web's profile, stage and publication forms, through the same services --------

ETAG_HEADER = etag_header("innovation")
CREATED_HEADERS = created_headers("innovation")
REFUSALS = Refusals(services.Conflict, services.NotAllowed, services.ServiceError)
MAX_OTHER_AFFAIRS = 50


def _reference_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(allow_none=True, validate=validate.Range(1, MAX_ID), **kwargs)


class _ProfileFieldsSchema(Schema):
    """The profile fields a client may send; each is optional (a draft needs only a name)."""

    name = Line(200, metadata={"description": "unique within the region"})
    origin = _enum_field(Origin)
    appointment_id = _reference_id(
        metadata={"description": "the agency's decree appointment (origin assigned)"}
    )
    initiator_kind_id = _reference_id()
    initiator_name = Line(200)
    kind = _enum_field(InnovationKind, allow_none=True)
    form = _enum_field(InnovationForm, allow_none=True)
    theme_id = _reference_id()
    affair_id = _reference_id()
    other_affair_ids = fields.List(
        fields.Integer(validate=validate.Range(1, MAX_ID)),
        validate=validate.Length(max=MAX_OTHER_AFFAIRS),
    )
    trial_date = fields.Date(allow_none=True)
    implementation_date = fields.Date(allow_none=True)
    developed_further = fields.Boolean(allow_none=True)
    developed_note = Text(MAX_TEXT)
    video_url = WebAddress(500)


def _text_inputs() -> dict[str, Text]:
    """The IID form's text sections (design sections are longer), one field object per schema."""
    return {
        name: Text(MAX_SECTION if name in DESIGN_SECTIONS else MAX_TEXT) for name in TEXT_FIELDS
    }


class _NewProfileSchema(_ProfileFieldsSchema):
    name = Line(200, required=True, metadata={"description": "unique within the region"})
    stage = _enum_field(Stage, metadata={"description": "the stage it is at when registered"})


class _ProfileChangeSchema(_ProfileFieldsSchema):
    complete = fields.Boolean(
        metadata={
            "description": "true: submit the profile as complete (every rule of its stage is "
            "checked); a complete profile stays complete"
        }
    )


NewProfileSchema = type("NewProfileSchema", (_NewProfileSchema,), _text_inputs())
ProfileChangeSchema = type("ProfileChangeSchema", (_ProfileChangeSchema,), _text_inputs())


class InnovationStageMoveSchema(Schema):
    to_stage = _enum_field(Stage, required=True)
    changed_on = fields.Date(
        metadata={"description": "the date of the move (WITA); today when left out"}
    )
    note = Text(1000, metadata={"description": "required when going back to an earlier stage"})


def _code(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _stored_values(innovation: Innovation) -> dict[str, Any]:
    """The stored profile as the web edit form shows it, in the JSON body's terms."""
    values: dict[str, Any] = {
        name: getattr(innovation, name) for name in PROFILE_FIELDS if name != "other_affair_ids"
    }
    values["other_affair_ids"] = [link.affair_id for link in innovation.other_affairs]
    return values


def _profile_input(values: Mapping[str, Any]) -> ProfileInput:
    """`services.ProfileInput` from body values (the web's `_input` builds it from the form)."""
    texts = {name: values.get(name) or "" for name in TEXT_FIELDS}
    developed = values.get("developed_further")
    return ProfileInput(
        name=values.get("name") or "",
        origin=_code(values.get("origin")),
        appointment_id=values.get("appointment_id"),
        summary=texts.get("summary", ""),
        initiator_kind_id=values.get("initiator_kind_id"),
        initiator_name=values.get("initiator_name") or "",
        kind=_code(values.get("kind")),
        form=_code(values.get("form")),
        theme_id=values.get("theme_id"),
        affair_id=values.get("affair_id"),
        other_affair_ids=list(values.get("other_affair_ids") or []),
        trial_date=values.get("trial_date"),
        implementation_date=values.get("implementation_date"),
        developed_further="" if developed is None else ("yes" if developed else "no"),
        developed_note=values.get("developed_note") or "",
        texts=texts,
        video_url=values.get("video_url") or "",
        stage=_code(values.get("stage")) or Stage.INITIATIVE.value,
    )


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _commit(change: Callable[[], Any], innovation_id: int | None = None) -> Any:
    return commit(
        change, REFUSALS, lambda: innovation_or_404(innovation_id).version if innovation_id else 0
    )


def _answer(innovation_id: int, status: int = 200, *, created: bool = False) -> Any:
    innovation = innovation_or_404(innovation_id)
    headers = {"ETag": etag_of(innovation.version)}
    if created:
        headers["Location"] = url_for(".get_innovation", innovation_id=innovation.id)
    return innovation, status, headers


@bp.route("", methods=["POST"])
@api_requires(can_edit_innovations)
@bp.arguments(NewProfileSchema)
@bp.response(201, InnovationSchema, headers=CREATED_HEADERS)
def create_innovation(body: dict[str, Any]) -> Any:
    """Register an innovation of the caller's agency as a draft profile (only a name needed)."""
    saved = _commit(
        lambda: services.save_profile(
            current_scope(),
            None,
            _profile_input(body),
            complete=False,
            opened_version=None,
            user_id=_user_id(),
        )
    )
    return _answer(saved.id, 201, created=True)


@bp.route("/<int:innovation_id>", methods=["PATCH"])
@api_requires(can_edit_innovations)
@bp.arguments(ProfileChangeSchema)
@bp.response(200, InnovationSchema, headers=ETAG_HEADER)
def update_innovation(body: dict[str, Any], innovation_id: int) -> Any:
    """Change the fields sent (the others keep their stored values); needs If-Match."""
    innovation = innovation_or_404(innovation_id)
    require_if_match(innovation.version)
    complete = bool(body.pop("complete", False))
    data = _profile_input({**_stored_values(innovation), **body})
    _commit(
        lambda: services.save_profile(
            current_scope(),
            innovation,
            data,
            complete=complete,
            opened_version=innovation.version,
            user_id=_user_id(),
        ),
        innovation_id,
    )
    return _answer(innovation_id)


@bp.route("/<int:innovation_id>/stage", methods=["POST"])
@api_requires(can_edit_innovations)
@bp.arguments(InnovationStageMoveSchema)
@bp.response(200, InnovationSchema, headers=ETAG_HEADER)
def move_stage(body: dict[str, Any], innovation_id: int) -> Any:
    """Record a dated move to another stage (a move back needs a note); needs If-Match."""
    innovation = innovation_or_404(innovation_id)
    require_if_match(innovation.version)
    _commit(
        lambda: services.move_stage(
            current_scope(),
            innovation,
            to_stage=body["to_stage"].value,
            changed_on=body.get("changed_on") or services.today_wita(),
            note=body.get("note") or "",
            opened_version=innovation.version,
            user_id=_user_id(),
        ),
        innovation_id,
    )
    return _answer(innovation_id)


def _set_published(innovation_id: int, publish: bool) -> Any:
    innovation = innovation_or_404(innovation_id)
    require_if_match(innovation.version)
    _commit(
        lambda: services.set_published(
            current_scope(),
            innovation,
            publish=publish,
            opened_version=innovation.version,
            user_id=_user_id(),
        ),
        innovation_id,
    )
    return _answer(innovation_id)


@bp.route("/<int:innovation_id>/publish", methods=["POST"])
@api_requires(can_edit_innovations)
@bp.response(200, InnovationSchema, headers=ETAG_HEADER)
def publish_innovation(innovation_id: int) -> Any:
    """Show a complete profile in the public catalogue; needs If-Match."""
    return _set_published(innovation_id, True)


@bp.route("/<int:innovation_id>/unpublish", methods=["POST"])
@api_requires(can_edit_innovations)
@bp.response(200, InnovationSchema, headers=ETAG_HEADER)
def unpublish_innovation(innovation_id: int) -> Any:
    """Take the innovation out of the public catalogue; needs If-Match."""
    return _set_published(innovation_id, False)
