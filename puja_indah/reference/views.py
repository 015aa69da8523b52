"""Screens of the national reference lists: government affairs (urusan), yearly themes and
initiator kinds. Every signed-in user reads them; monitors and administrators edit them
(`can_edit_reference`). Thin: writes come from services and each request commits at most once.

The three lists share one shape (list, new, edit, delete), so their routes are made by
`_register` from a `ListKind` each; their endpoints are still named plainly
(`reference.list_affairs`, `reference.edit_theme`, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from puja_indah.core.forms import BaseForm
from puja_indah.core.permissions import MAX_ID, can_edit_reference, can_use_app, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.reference import queries, services
from puja_indah.reference.forms import (
    AffairForm,
    DeleteForm,
    InitiatorKindForm,
    ThemeForm,
    YearFilterForm,
)
from puja_indah.reference.models import Affair, InitiatorKind, Theme

bp = Blueprint("reference", __name__, template_folder="templates", url_prefix="/reference")


@dataclass(frozen=True)
class ListKind:
    plural: str  # endpoint suffix of the list: list_<plural>
    singular: str  # endpoint suffix of one row: new_<singular>, edit_<singular>, …
    path: str
    model: type[Affair] | type[Theme] | type[InitiatorKind]
    form: type[BaseForm]
    fields: tuple[str, ...]
    title: Any
    new_title: Any
    edit_title: Any
    save: Callable[..., Any]
    make_input: Callable[..., Any]


KINDS = (
    ListKind(
        "affairs",
        "affair",
        "affairs",
        Affair,
        AffairForm,
        ("code", "name", "basic_service", "sort_order", "active"),
        _l("Government affairs (urusan)"),
        _l("New affair"),
        _l("Edit affair"),
        services.save_affair,
        services.AffairInput,
    ),
    ListKind(
        "themes",
        "theme",
        "themes",
        Theme,
        ThemeForm,
        ("year", "name", "active", "is_demo"),
        _l("Themes per year"),
        _l("New theme"),
        _l("Edit theme"),
        services.save_theme,
        services.ThemeInput,
    ),
    ListKind(
        "initiator_kinds",
        "initiator_kind",
        "initiator-kinds",
        InitiatorKind,
        InitiatorKindForm,
        ("code", "name", "sort_order", "active"),
        _l("Initiator kinds"),
        _l("New initiator kind"),
        _l("Edit initiator kind"),
        services.save_initiator_kind,
        services.InitiatorKindInput,
    ),
)


def _row_or_404(kind: ListKind, row_id: int) -> Any:
    row = db.session.get(kind.model, row_id)
    if row is None:
        abort(404)
    return row


def _refused(form: BaseForm, error: services.ServiceError) -> None:
    db.session.rollback()
    if isinstance(error, services.NotAllowed):
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _list_context(kind: ListKind) -> dict[str, Any]:
    if kind.model is Affair:
        return {"rows": queries.affairs(), "basic_count": queries.basic_service_count()}
    if kind.model is Theme:
        form = YearFilterForm(request.args)
        form.year.choices = [
            SelectChoice("", _("All years")),
            *(SelectChoice(str(y), str(y)) for y in queries.theme_years()),
        ]
        year = form.year.data if form.validate() else None
        return {"rows": queries.themes(year), "filter": form, "year": year}
    return {"rows": queries.initiator_kinds()}


def _register(kind: ListKind) -> None:
    row_id = f"<int(max={MAX_ID}):{kind.singular}_id>"

    @requires(can_use_app)
    def list_rows() -> Any:
        return render_template(f"reference/{kind.plural}.html", kind=kind, **_list_context(kind))

    def form_page(row: Any) -> Any:
        scope = current_scope()
        form = kind.form(obj=row if request.method == "GET" else None)
        if request.method == "GET" and row is None and kind.model is Theme:
            form.year.data = request.args.get("year", type=int)
        if form.validate_on_submit():
            data = kind.make_input(**{name: form[name].data for name in kind.fields})
            try:
                saved = kind.save(scope, row, data)
                db.session.commit()
            except services.ServiceError as error:
                _refused(form, error)
            else:
                flash(_("%(name)s saved.", name=saved.name), "success")
                args = {"year": saved.year} if kind.model is Theme else {}
                return redirect(url_for(f".list_{kind.plural}", **args))
        return render_template(
            "reference/form.html",
            kind=kind,
            form=form,
            row=row,
            delete_form=DeleteForm(formdata=None),
        )

    @requires(can_edit_reference)
    def new_row() -> Any:
        return form_page(None)

    @requires(can_edit_reference)
    def edit_row(**ids: int) -> Any:
        return form_page(_row_or_404(kind, ids[f"{kind.singular}_id"]))

    @requires(can_edit_reference)
    def delete_row(**ids: int) -> Any:
        row = _row_or_404(kind, ids[f"{kind.singular}_id"])
        form = DeleteForm()
        if not form.validate_on_submit():
            abort(400)
        name = row.name
        try:
            services.delete_row(current_scope(), row)
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
            values: dict[str, Any] = dict(ids)
            return redirect(url_for(f".edit_{kind.singular}", **values))
        flash(_("%(name)s deleted.", name=name), "success")
        return redirect(url_for(f".list_{kind.plural}"))

    bp.add_url_rule(f"/{kind.path}", f"list_{kind.plural}", list_rows)
    bp.add_url_rule(f"/{kind.path}/new", f"new_{kind.singular}", new_row, methods=["GET", "POST"])
    bp.add_url_rule(
        f"/{kind.path}/{row_id}/edit", f"edit_{kind.singular}", edit_row, methods=["GET", "POST"]
    )
    bp.add_url_rule(
        f"/{kind.path}/{row_id}/delete", f"delete_{kind.singular}", delete_row, methods=["POST"]
    )


for _kind in KINDS:
    _register(_kind)


@bp.route("")
@requires(can_use_app)
def index() -> Any:
    return redirect(url_for(".list_affairs"))
