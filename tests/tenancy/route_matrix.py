"""The expected answer of every route to every role — the specification the route-matrix test
checks the app against. Written by hand, on purpose: it is what the roles of the foundation issue
mean, not a copy of the code's policies.

Roles: anonymous, agency officer and agency lead of BKD (Bombana), region monitor of Bombana,
national reviewer, platform admin. Objects in a URL are taken in three relations to those actors:
  own   — BKD's (or Bombana's) object,
  other — DPMPTSP's object, another agency of the same region,
  far   — an object of another region (Kabupaten Konawe Selatan),
and, for URLs with two ids, `mixed`: an own parent with a far child, which is 404 for everyone the
route's policy lets in.
A value is one status for every relation, or a tuple (own, other, far).
POST-only routes are sent an empty form; `post=` gives their statuses where they differ from GET.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, url_for

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

ROLES = (
    "anonymous",
    "agency_officer",
    "agency_lead",
    "region_monitor",
    "national_reviewer",
    "platform_admin",
)
RELATIONS = ("own", "other", "far", "mixed")
Status = int | tuple[int, int, int]

# Served by Flask and Bootstrap-Flask from installed files: public, no data.
EXEMPT = {"static", "bootstrap.static"}


@dataclass(frozen=True)
class Expect:
    get: dict[str, Status]
    post: dict[str, Status] = field(default_factory=dict)

    def status(self, role: str, relation: str, method: str) -> int:
        table = self.post if method != "GET" and role in self.post else self.get
        value = table[role]
        if relation == "mixed":
            # Refused before any object is looked at (a role, or an API write's missing CSRF
            # token), or else not found.
            own = value if isinstance(value, int) else value[0]
            return own if role == "anonymous" or own in (400, 403) else 404
        if isinstance(value, int):
            return value
        return value[("own", "other", "far").index(relation)]

    @staticmethod
    def has_object(rule: str) -> bool:
        return "<" in rule


def roles(
    anonymous: Status = 302,
    officer: Status = 403,
    lead: Status = 403,
    monitor: Status = 403,
    reviewer: Status = 403,
    admin: Status = 403,
) -> dict[str, Status]:
    return {
        "anonymous": anonymous,
        "agency_officer": officer,
        "agency_lead": lead,
        "region_monitor": monitor,
        "national_reviewer": reviewer,
        "platform_admin": admin,
    }


SIGNED_IN = roles(officer=200, lead=200, monitor=200, reviewer=200, admin=200)
READ_ACROSS = roles(monitor=200, reviewer=200, admin=200)
REGION_OBJECT = (200, 200, 404)  # a monitor's view of own / other / far objects
OWN_ONLY = (200, 404, 404)
API_SIGNED_IN = roles(401, 200, 200, 200, 200, 200)
API_READ = roles(401, OWN_ONLY, OWN_ONLY, REGION_OBJECT, 200, 200)
# The matrix writes with a browser cookie and no CSRF token: refused (400) before the policy.
API_WRITE = roles(401, 400, 400, 400, 400, 400)

MATRIX: dict[str, Expect] = {
    # --- JSON API (/api/v1): no credentials is 401, not the sign-in page; a browser session
    # reads like a token of its role does, and writes without a CSRF token are 400 -----------
    "api_docs.openapi_json": Expect(roles(200, 200, 200, 200, 200, 200)),
    "api_docs.docs": Expect(roles(200, 200, 200, 200, 200, 200)),
    "api_docs.swagger_asset": Expect(
        roles(*(6 * [(200, 200, 404)]))  # type: ignore[arg-type]
    ),
    "api_agencies.list_agencies": Expect(API_SIGNED_IN),
    "api_agencies.get_agency": Expect(roles(401, OWN_ONLY, OWN_ONLY, REGION_OBJECT, 200, 200)),
    "api_innovations.list_innovations": Expect(API_SIGNED_IN),
    "api_innovations.get_innovation": Expect(
        roles(401, OWN_ONLY, OWN_ONLY, REGION_OBJECT, 200, 200)
    ),
    "api_evidence.list_evidence": Expect(API_SIGNED_IN),
    "api_evidence.get_evidence": Expect(roles(401, OWN_ONLY, OWN_ONLY, REGION_OBJECT, 200, 200)),
    # Open data (published innovations, aggregate figures, the licence): no token needed.
    **{
        f"api_open_data.{name}": Expect(roles(200, 200, 200, 200, 200, 200))
        for name in (
            "list_innovations",
            "innovations_csv",
            "figures",
            "figures_csv",
            "licence_document",
        )
    },
    # e-tracking's own API (the module's blueprint): the desk's staff, their own files; tracked_id
    # as for the desk pages (BKD's file, DPMPTSP's, Konsel's). Region and national roles: 403.
    "api_etracking.list_files": Expect(roles(401, 200, 200, 403, 403, 403)),
    "api_etracking.get_file": Expect(roles(401, OWN_ONLY, OWN_ONLY, 403, 403, 403)),
    "api_etracking.register_file": Expect(
        roles(401, 200, 200, 403, 403, 403), post=roles(401, 400, 400, 400, 400, 400)
    ),
    "api_etracking.act_on_file": Expect(
        roles(401, OWN_ONLY, OWN_ONLY, 403, 403, 403), post=roles(401, 400, 400, 400, 400, 400)
    ),
    # The progress board: monitors (own region), reviewers and administrators.
    "api_board.get_board": Expect(roles(401, 403, 403, 200, 200, 200)),
    "api_innovations.create_innovation": Expect(API_WRITE, post=API_WRITE),
    "api_innovations.update_innovation": Expect(API_WRITE, post=API_WRITE),
    "api_innovations.move_stage": Expect(API_WRITE, post=API_WRITE),
    "api_innovations.publish_innovation": Expect(API_WRITE, post=API_WRITE),
    "api_innovations.unpublish_innovation": Expect(API_WRITE, post=API_WRITE),
    "api_milestones.list_milestones": Expect(API_READ),
    "api_milestones.get_milestone": Expect(API_READ),
    "api_milestones.create_milestone": Expect(API_WRITE, post=API_WRITE),
    "api_milestones.update_milestone": Expect(API_WRITE, post=API_WRITE),
    "api_milestones.delete_milestone": Expect(API_WRITE, post=API_WRITE),
    # No ?year=: the catalogue's newest year (seeded), so the innovation decides.
    "api_claims.list_claims": Expect(API_READ),
    "api_replications.list_replications": Expect(API_SIGNED_IN),
    "api_replications.get_replication": Expect(API_READ),
    "api_replications.create_replication": Expect(API_WRITE, post=API_WRITE),
    "api_replications.update_replication": Expect(API_WRITE, post=API_WRITE),
    "api_replications.change_status": Expect(API_WRITE, post=API_WRITE),
    # --- public and account routes -----------------------------------------------------------
    "home.index": Expect(SIGNED_IN),
    "home.health": Expect(roles(200, 200, 200, 200, 200, 200)),
    "auth.login": Expect(
        roles(anonymous=200, officer=302, lead=302, monitor=302, reviewer=302, admin=302)
    ),
    "auth.logout": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.set_language": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.switch_scope": Expect(roles(302, 302, 302, 302, 302, 302)),
    "auth.change_password": Expect(SIGNED_IN),
    # API tokens: every user's own page; revoking answers 404 for anyone else's token.
    "auth.tokens": Expect(SIGNED_IN),
    "auth.revoke_token": Expect(roles(302, (302, 404, 404), 404, 404, 404, 404)),
    # --- agencies (monitor screens) ----------------------------------------------------------
    "agencies.list_agencies": Expect(READ_ACROSS),
    "agencies.agency_detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "agencies.new_agency": Expect(roles(monitor=200, admin=200)),
    "agencies.edit_agency": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.own_profile": Expect(roles(officer=200, lead=200)),
    "agencies.list_decrees": Expect(READ_ACROSS),
    "agencies.new_decree": Expect(roles(monitor=200, admin=200)),
    "agencies.decree_detail": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "agencies.decree_pdf": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "agencies.edit_decree": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.import_decree": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.new_appointment": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.edit_appointment": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "agencies.delete_appointment": Expect(roles(monitor=(302, 302, 404), admin=302)),
    # --- users -------------------------------------------------------------------------------
    "users.list_users": Expect(roles(lead=200, monitor=200, admin=200)),
    "users.create_user": Expect(roles(lead=200, monitor=200, admin=200)),
    "users.user_detail": Expect(roles(lead=OWN_ONLY, monitor=REGION_OBJECT, admin=200)),
    "users.lock_user": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.unlock_user": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.reset_password": Expect(roles(lead=(200, 404, 404), monitor=(200, 200, 404), admin=200)),
    "users.add_role": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    "users.remove_role": Expect(roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=302)),
    # --- audit trail -------------------------------------------------------------------------
    "audit.list_entries": Expect(roles(lead=200, monitor=200, reviewer=200, admin=200)),
    "audit.entry_detail": Expect(
        roles(lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    # --- service modules ---------------------------------------------------------------------
    "modules.switchboard": Expect(roles(lead=200, monitor=200, admin=200)),
    # code is "etracking" (built in) for own and other, a code no module has for far: a lead
    # switches only its own agency's modules; an unknown module is not found for anyone.
    "modules.switch": Expect(
        roles(lead=(302, 404, 404), monitor=(302, 302, 404), admin=(302, 302, 404))
    ),
    # --- e-tracking (BKD and DPMPTSP run it in the demo) ---------------------------------------
    "etracking.desk": Expect(roles(officer=200, lead=200)),
    "etracking.install_preset": Expect(roles(lead=302)),
    # --- e-pintar (Dinas Pendidikan runs it in the demo; BKD does not) -------------------------
    # BKD does not run e-pintar, so its staff would only ever see the module guard's 404. The
    # matrix switches it on for BKD and DPMPTSP (build_epintar_objects, rebuilt after every
    # restore) and leaves it off for the far agency (Konsel): BKD's staff use the screens, another
    # agency's school, announcement or feedback is 404 by isolation, and the far school's public
    # page is 404 because its agency has the module off. The guard itself (module off → 404 for
    # staff and public pages) is tested in tests/integration/test_epintar.py.
    "epintar.schools": Expect(roles(officer=200, lead=200)),
    "epintar.new_school": Expect(roles(officer=200, lead=200)),
    "epintar.edit_school": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "epintar.announcements": Expect(roles(officer=200, lead=200)),
    "epintar.new_announcement": Expect(roles(officer=200, lead=200)),
    "epintar.edit_announcement": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "epintar.publish_announcement": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    "epintar.unpublish_announcement": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    "epintar.feedback": Expect(roles(officer=200, lead=200)),
    "epintar.moderate_feedback": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    "epintar.participation": Expect(roles(officer=200, lead=200)),
    # Public: the seeded Dikbud runs e-pintar, so the list answers everyone; a school page answers
    # for an agency with the module on (own, other) and 404 where it is off (far). An empty
    # feedback form is shown again with its errors (200).
    "schools.index": Expect(roles(200, 200, 200, 200, 200, 200)),
    "schools.school": Expect(
        roles(*([(200, 200, 404)] * 6))  # type: ignore[arg-type]
    ),
    # --- e-tracking: the submitting agency's files and notifications ---
    # tracked_id own = BKD's file submitted by BKD itself; other (a DPMPTSP licence, submitted by
    # the public) and far (Konsel) were not submitted by BKD: 404. Region and national roles have
    # no submitting agency: 403.
    "tracking.submitted_files": Expect(roles(officer=200, lead=200)),
    "tracking.submitted_file": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "tracking.subscribe": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    # --- e-tracking public status page and receipts ---
    # The status page answers whoever holds the code, for any desk that runs the module (the far
    # desk's resolver switches it on too); the lookup form has no object. Receipts: the desk's own
    # staff, own files only.
    "tracking.status": Expect(roles(200, 200, 200, 200, 200, 200)),
    "tracking.lookup": Expect(roles(200, 200, 200, 200, 200, 200)),
    "etracking.receipt": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.receipt_pdf": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    # --- e-tracking settings: calendar, collective leave (per region), process versions ---
    "etracking.calendar": Expect(roles(officer=200, lead=200)),
    "etracking.save_calendar": Expect(roles(lead=200)),  # empty form: errors beside fields
    "etracking.collective_leave": Expect(roles(officer=200, lead=200, monitor=200, admin=200)),
    "etracking.add_collective_leave": Expect(roles(monitor=200, admin=200)),
    "etracking.confirm_remove_collective_leave": Expect(roles(monitor=REGION_OBJECT, admin=200)),
    "etracking.remove_collective_leave": Expect(roles(monitor=(302, 302, 404), admin=302)),
    "etracking.process_detail": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    # An empty form carries no version: refused as stale (409), nothing saved.
    "etracking.save_process": Expect(roles(lead=(409, 404, 404))),
    # --- e-tracking SLA analytics: the desk's own process; an agency's for monitors and national
    # readers (agency_id far = Konsel's BKAD, whose desk the matrix's e-tracking files switch on:
    # national readers read it, Bombana's monitor does not) ---
    "etracking.analytics_page": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.analytics_csv": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.analytics_xlsx": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.agency_analytics": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "etracking.agency_analytics_csv": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "etracking.agency_analytics_xlsx": Expect(
        roles(monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "etracking.evidence_settings": Expect(roles(lead=302)),
    # --- e-minduk (civil-registration requests; Disdukcapil runs it in the demo) --------------
    # The matrix's agency roles are BKD's, and BKD has e-minduk off in the demo: its officer and
    # lead get 404 on every e-minduk page without an object. The request_id / batch_id resolvers
    # switch it on for BKD (as tracked_id does e-tracking) so that own = a BKD request or batch,
    # other = Disdukcapil's, far = Konsel BKAD's — the isolation is then tested, not just the
    # switch. Readers (monitor, reviewer, admin) read requests with the NIK masked and never
    # write or download; the hand-over CSV (full NIKs) is the desk's own.
    "eminduk.home": Expect(roles(officer=404, lead=404, monitor=302, reviewer=302, admin=302)),
    "eminduk.list_requests": Expect(
        roles(officer=404, lead=404, monitor=200, reviewer=200, admin=200)
    ),
    "eminduk.new_request": Expect(roles(officer=404, lead=404)),
    "eminduk.request_detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "eminduk.list_batches": Expect(roles(officer=404, lead=404)),
    "eminduk.new_batch": Expect(roles(officer=404, lead=404)),
    "eminduk.batch_detail": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "eminduk.batch_csv": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    # --- e-tracking desk screens (intake, file page, open by code, queue, batch advance) ---
    # process_id / tracked_id: BKD's process and file (own), DPMPTSP's (other), Konsel's (far).
    # POSTs with an empty form: refused and sent back (302) on an own object.
    "etracking.intake": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.file_detail": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.act_on_file": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    "etracking.open_file": Expect(roles(officer=200, lead=200)),
    "etracking.queue": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "etracking.batch_advance": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    # --- replications and public catalogue ---------------------------------------------------
    # innovation_id: own (BKD) and other (DPMPTSP) innovations are unpublished, the far one
    # (Konsel) is published — so the public page answers 404, 404, 200 to everyone, and an
    # officer reads who replicated a far innovation only because it is published.
    "replications.list_replications": Expect(SIGNED_IN),
    "replications.search_sources": Expect(roles(officer=200, lead=200)),
    "replications.new_replication": Expect(roles(officer=200, lead=200)),
    "replications.replication_detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "replications.edit_replication": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "replications.change_status": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "replications.documents": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "replications.replicated_by": Expect(
        roles(
            officer=(200, 404, 200),
            lead=(200, 404, 200),
            monitor=200,
            reviewer=200,
            admin=200,
        )
    ),
    "replications.lineage": Expect(
        roles(
            officer=(200, 404, 200),
            lead=(200, 404, 200),
            monitor=200,
            reviewer=200,
            admin=200,
        )
    ),
    "public.catalogue": Expect(roles(200, 200, 200, 200, 200, 200)),
    "public.innovation": Expect(
        roles(*([(404, 404, 200)] * 6))  # type: ignore[arg-type]
    ),
    # --- self-assessment and index panel ------------------------------------------------------
    # <year> relations: own and other = 2026 (seeded), far = a year the catalogue does not have.
    "assessment.self_assessment": Expect(
        roles(
            officer=OWN_ONLY,
            lead=OWN_ONLY,
            monitor=REGION_OBJECT,
            reviewer=REGION_OBJECT,
            admin=REGION_OBJECT,
        ),
        post=roles(
            officer=OWN_ONLY,
            lead=OWN_ONLY,
            monitor=(403, 403, 404),
            reviewer=403,
            admin=403,
        ),
    ),
    "assessment.region_claims": Expect(roles(monitor=REGION_OBJECT, admin=REGION_OBJECT)),
    "assessment.latest_index": Expect(roles(monitor=302, reviewer=302, admin=302)),
    "assessment.region_index": Expect(
        roles(monitor=REGION_OBJECT, reviewer=REGION_OBJECT, admin=REGION_OBJECT)
    ),
    # --- progress board (monitors; reviewers and admins choose a region) ----------------------
    "board.board": Expect(roles(monitor=200, reviewer=200, admin=200)),
    "board.agency": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "board.decree": Expect(roles(monitor=REGION_OBJECT, reviewer=200, admin=200)),
    "board.settings": Expect(roles(monitor=200, admin=200)),
    # --- evidence ----------------------------------------------------------------------------
    # Officers and leads write their own agency's documents; monitors (region), reviewers and
    # admins read and download; another agency's document is 404 to anyone who may not see it.
    "evidence.innovation_documents": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "evidence.agency_documents": Expect(SIGNED_IN),
    "evidence.new_document": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "evidence.document": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "evidence.edit_document": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "evidence.upload_version": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "evidence.download": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "evidence.delete_document": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    "evidence.set_public": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    # --- progress (milestones, timeline, roll-up) and reference lists --------------------------
    "progress.timeline": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "progress.new_milestone": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "progress.edit_milestone": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "progress.delete_milestone": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY),
        post=roles(officer=(302, 404, 404), lead=(302, 404, 404)),
    ),
    "progress.roll_up": Expect(SIGNED_IN),
    "reference.index": Expect(roles(302, 302, 302, 302, 302, 302)),
    "reference.list_affairs": Expect(SIGNED_IN),
    "reference.new_affair": Expect(roles(monitor=200, admin=200)),
    "reference.edit_affair": Expect(roles(monitor=200, admin=200)),
    "reference.delete_affair": Expect(roles(monitor=302, admin=302)),
    "reference.list_themes": Expect(SIGNED_IN),
    "reference.new_theme": Expect(roles(monitor=200, admin=200)),
    "reference.edit_theme": Expect(roles(monitor=200, admin=200)),
    "reference.delete_theme": Expect(roles(monitor=302, admin=302)),
    "reference.list_initiator_kinds": Expect(SIGNED_IN),
    "reference.new_initiator_kind": Expect(roles(monitor=200, admin=200)),
    "reference.edit_initiator_kind": Expect(roles(monitor=200, admin=200)),
    "reference.delete_initiator_kind": Expect(roles(monitor=302, admin=302)),
    # --- innovations -------------------------------------------------------------------------
    "innovations.index": Expect(SIGNED_IN),
    "innovations.new": Expect(roles(officer=200, lead=200)),
    "innovations.detail": Expect(
        roles(officer=OWN_ONLY, lead=OWN_ONLY, monitor=REGION_OBJECT, reviewer=200, admin=200)
    ),
    "innovations.edit": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "innovations.move_stage": Expect(roles(officer=OWN_ONLY, lead=OWN_ONLY)),
    "innovations.publish": Expect(roles(officer=(302, 404, 404), lead=(302, 404, 404))),
    # --- reviews (Kemendagri reviewer workspace) --------------------------------------------------
    # National reviewers read every region and decide; administrators read, never decide (403);
    # nobody else enters. <year> far = 2199 (no catalogue) and <number> far = 99 (no indicator):
    # 404. An empty decision form is shown again with its errors (200), nothing saved.
    "reviews.workspace": Expect(roles(reviewer=200, admin=200)),
    "reviews.review": Expect(roles(reviewer=(200, 200, 404), admin=(200, 200, 404))),
    "reviews.decide": Expect(roles(reviewer=(200, 200, 404))),
    # --- uploads (public document files) -----------------------------------------------------
    # A document file is public only when its innovation is published and the document is marked
    # public. The matrix's documents are not public, and the far document belongs to the far
    # agency's unpublished innovation, not the published one: 404 for everyone, signed in or not
    # (tests/integration/test_uploads.py covers the 200).
    "public.document_file": Expect(roles(404, 404, 404, 404, 404, 404)),
    # --- reports and exports: a job is its asker's only (the matrix's jobs are the officers' of
    # BKD, DPMPTSP and Konsel's BKAD; the agency officer role is officer.bkd) ---
    "reports.exports_index": Expect(
        SIGNED_IN,
        # An empty form is refused with a message, and no job is made.
        post=roles(officer=400, lead=400, monitor=400, reviewer=400, admin=400),
    ),
    "reports.job_status": Expect(
        roles(officer=OWN_ONLY, lead=404, monitor=404, reviewer=404, admin=404)
    ),
    "reports.job_json": Expect(
        roles(officer=OWN_ONLY, lead=404, monitor=404, reviewer=404, admin=404)
    ),
    "reports.download": Expect(
        roles(officer=OWN_ONLY, lead=404, monitor=404, reviewer=404, admin=404)
    ),
}


# --- filling URL variables ------------------------------------------------------------------


@dataclass
class FarObjects:
    """Rows the seed does not have but the matrix needs: a decree and an appointment in the far
    region, and audit entries about each agency."""

    decree: int
    appointment: int
    audit_entries: dict[int, int]  # agency id -> an entry about it
    # agency id -> (innovation, evidence document, its file version) of that agency
    evidence: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def build_far_objects(app: Flask, demo: Any) -> FarObjects:
    from puja_indah.agencies.models import AgencyProfile, Appointment, Decree
    from puja_indah.agencies.storage import decree_files
    from puja_indah.core.audit import AuditEntry

    far_agency = demo.agency("BKAD", "74.05")
    with app.app_context(), scoped(Scope.system("tests: far objects"), db.session):
        decree = db.session.scalar(sa.select(Decree).where(Decree.number == "7 Tahun 2019"))
        if decree is None:
            decree = Decree(region_id=demo.regions["74.05"], number="7 Tahun 2019", title="Demo")
            db.session.add(decree)
            db.session.flush()
            db.session.add(Appointment(decree_id=decree.id, agency_id=far_agency))
        # Both decrees carry a scanned PDF, so the download route has a file to answer with.
        for with_pdf in db.session.scalars(
            sa.select(Decree).where(Decree.id.in_([decree.id, demo.decrees["193 Tahun 2018"]]))
        ):
            if with_pdf.pdf_key is None:
                data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
                with_pdf.pdf_key = decree_files().save(data)
                with_pdf.pdf_sha256 = hashlib.sha256(data).hexdigest()
                with_pdf.pdf_size = len(data)
        for agency_id in (demo.agency("BKD"), demo.agency("DPMPTSP"), far_agency):
            if (
                db.session.scalar(
                    sa.select(AgencyProfile).where(AgencyProfile.agency_id == agency_id)
                )
                is None
            ):
                db.session.add(AgencyProfile(agency_id=agency_id, phone="0000"))
        db.session.commit()
        appointment = db.session.scalar(
            sa.select(Appointment.id).where(Appointment.decree_id == decree.id)
        )
        entries = {
            agency_id: db.session.scalar(
                sa.select(sa.func.max(AuditEntry.id)).where(AuditEntry.agency_id == agency_id)
            )
            for agency_id in (demo.agency("BKD"), demo.agency("DPMPTSP"), far_agency)
        }
        _ensure_replication_rows(demo)  # first: the matrix innovations, published or not
        build_progress_objects(demo)  # then a milestone for each
        build_epintar_objects(demo)  # e-pintar: a school, announcement and feedback for each
        evidence = build_evidence_objects((demo.agency("BKD"), demo.agency("DPMPTSP"), far_agency))
        _matrix_leaves(demo)  # e-tracking settings: same ids again after every restore
        _ensure_tracked_files(demo)  # e-tracking desk screens: same ids after every restore
        db.session.commit()
        result = FarObjects(decree.id, appointment or 0, entries, evidence)  # type: ignore[arg-type]
        db.session.remove()
    return result


# --- evidence ---------------------------------------------------------------------------------


def build_evidence_objects(agency_ids: tuple[int, ...]) -> dict[int, tuple[int, int, int]]:
    """An innovation with one document and its stored file for each agency, found or created in
    a fixed order (after a snapshot restore they come back with the same ids)."""
    from puja_indah.evidence.models import Evidence, EvidenceFile
    from puja_indah.evidence.services import evidence_files
    from puja_indah.innovations.models import Innovation

    found: dict[int, tuple[int, int, int]] = {}
    for agency_id in agency_ids:
        # The same matrix innovation the other resolvers use (made by _ensure_replication_rows).
        innovation = db.session.get(Innovation, _matrix_innovation(agency_id, published=False))
        assert innovation is not None
        evidence = db.session.scalar(
            sa.select(Evidence).where(Evidence.innovation_id == innovation.id)
        )
        if evidence is None:
            data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
            evidence = Evidence(agency_id=agency_id, innovation_id=innovation.id, title="Matrix")
            evidence.files.append(
                EvidenceFile(
                    agency_id=agency_id,
                    number=1,
                    storage_key=evidence_files().save(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    content_type="application/pdf",
                    original_name="matrix.pdf",
                    uploaded_at=datetime.now(UTC),
                )
            )
            db.session.add(evidence)
            db.session.flush()
        found[agency_id] = (innovation.id, evidence.id, evidence.files[0].id)
    return found


def _appointment_of(decree_id: int, agency_id: int) -> int:
    from puja_indah.agencies.models import Appointment

    return int(
        db.session.scalar(
            sa.select(Appointment.id).where(
                Appointment.decree_id == decree_id, Appointment.agency_id == agency_id
            )
        )
        or 0
    )


def _matrix_token(user_id: int) -> int:
    """The user's "matrix" API token, found or made (a row like tokens.create makes)."""
    from puja_indah.auth.models import PersonalAccessToken, TokenScope
    from puja_indah.core.models import Membership

    found = db.session.scalar(
        sa.select(PersonalAccessToken.id).where(
            PersonalAccessToken.user_id == user_id, PersonalAccessToken.name == "matrix"
        )
    )
    if found is not None:
        return int(found)
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
    )
    assert membership is not None
    token = PersonalAccessToken(
        user_id=user_id,
        membership_id=membership.id,
        name="matrix",
        scope=TokenScope.READ,
        prefix="pi_matrix",
        token_hash=hashlib.sha256(f"matrix-{user_id}".encode()).hexdigest(),
        expires_at=datetime.now(UTC) + dt.timedelta(days=30),
    )
    db.session.add(token)
    db.session.commit()
    return token.id


def _first_membership(user_id: int) -> int:
    from puja_indah.core.models import Membership

    return int(
        db.session.scalar(
            sa.select(sa.func.min(Membership.id)).where(Membership.user_id == user_id)
        )
        or 0
    )


# --- replications: rows the matrix needs, made on first use (system scope) ---


def _matrix_innovation(agency_id: int, *, published: bool) -> int:
    from puja_indah.core.models import Agency
    from puja_indah.innovations.models import Innovation, Origin

    name = f"Matrix innovation {agency_id}"
    found = db.session.scalar(sa.select(Innovation.id).where(Innovation.name == name))
    if found is not None:
        return int(found)
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    innovation = Innovation(
        agency_id=agency_id,
        region_id=agency.region_id,
        origin=Origin.OWN,
        name=name,
        name_key=name.casefold(),
        published=published,
    )
    db.session.add(innovation)
    db.session.commit()
    return innovation.id


def _matrix_tracked_file(agency_id: int, preset: str = "bkd_spm") -> Any:
    """An e-tracking file at the agency's desk (module switched on, preset installed), submitted
    by the agency itself (SPM) or by a named applicant (licences). Made once per agency."""
    from decimal import Decimal

    from puja_indah.core.models import Agency, Role
    from puja_indah.core.registry import ModuleActivation
    from puja_indah.modules.etracking import engine
    from puja_indah.modules.etracking.models import TrackedFile

    number = f"MATRIX/{agency_id}"
    found = db.session.scalar(sa.select(TrackedFile).where(TrackedFile.internal_number == number))
    if found is not None:
        return found
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    activation = db.session.scalar(
        sa.select(ModuleActivation).where(
            ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "etracking"
        )
    )
    if activation is None:
        db.session.add(ModuleActivation(agency_id=agency_id, module_code="etracking", enabled=True))
    process = engine.install_preset(agency_id, preset)
    kind = engine.current_version(process).file_kinds[0]
    desk = Scope.for_membership(Role.AGENCY_OFFICER, agency_id, agency.region_id)
    tracked = engine.register_file(
        desk,
        process,
        engine.Intake(
            file_kind_id=kind.id,
            internal_number=number,
            amount=Decimal("1500000.00"),
            submitter_agency_id=agency_id if process.submitted_by_agencies else None,
            applicant_name="" if process.submitted_by_agencies else "Pemohon Matriks",
            ticked=list(kind.checklist),
        ),
        user_id=None,
    )
    db.session.commit()
    return tracked


# --- e-pintar: a school with an announcement and a feedback for BKD, DPMPTSP (module on) and the
# far agency (module off), made in this order after every snapshot restore: same ids each time ---

EPINTAR_NPSN = "8{:07d}"


def _matrix_epintar_on(agency_id: int) -> None:
    from puja_indah.core.registry import ModuleActivation

    found = db.session.scalar(
        sa.select(ModuleActivation).where(
            ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == "epintar"
        )
    )
    if found is None:
        db.session.add(ModuleActivation(agency_id=agency_id, module_code="epintar", enabled=True))


def build_epintar_objects(demo: Any) -> None:
    from puja_indah.modules.epintar.models import Announcement, Feedback, School, SchoolLevel

    bkd, dpmptsp, bkad = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")
    for agency_id in (bkd, dpmptsp, bkad):
        if agency_id != bkad:
            _matrix_epintar_on(agency_id)
        npsn = EPINTAR_NPSN.format(agency_id)
        if db.session.scalar(sa.select(School.id).where(School.npsn == npsn)) is not None:
            continue
        school = School(agency_id=agency_id, npsn=npsn, name="Matrix school", level=SchoolLevel.SD)
        db.session.add(school)
        db.session.flush()
        db.session.add(
            Announcement(agency_id=agency_id, school_id=school.id, title="Matrix", body="x")
        )
        db.session.add(Feedback(agency_id=agency_id, school_id=school.id, rating=4))
        db.session.flush()
    db.session.commit()


def _matrix_epintar_row(model_name: str, agency_id: int) -> int:
    from puja_indah.modules.epintar import models

    school_id = db.session.scalar(
        sa.select(models.School.id).where(models.School.npsn == EPINTAR_NPSN.format(agency_id))
    )
    if model_name == "School":
        return int(school_id)
    model = getattr(models, model_name)
    return int(
        db.session.scalar(sa.select(sa.func.min(model.id)).where(model.school_id == school_id))
    )


def _epintar_values(bkd: int, dpmptsp: int, bkad: int) -> dict[str, dict[str, Any]]:
    relations = (("own", bkd), ("other", dpmptsp), ("far", bkad))
    return {
        name: {
            relation: (lambda a=agency, m=model: _matrix_epintar_row(m, a))
            for relation, agency in relations
        }
        for name, model in (
            ("school_id", "School"),
            ("announcement_id", "Announcement"),
            ("feedback_id", "Feedback"),
        )
    }


def _matrix_export_job(user_id: int) -> int:
    """A finished export job of the user (an agency officer), with its file stored."""
    from puja_indah.core.models import Membership, Role
    from puja_indah.core.storage import file_store
    from puja_indah.reports.models import ExportJob, JobStatus

    found = db.session.scalar(
        sa.select(ExportJob.id).where(ExportJob.user_id == user_id, ExportJob.kind == "profiles")
    )
    if found is not None:
        return int(found)
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user_id))
    assert membership is not None and membership.agency_id is not None
    now = datetime.now(UTC)
    data = b"\xef\xbb\xbfNama Inovasi\r\n"
    job = ExportJob(
        user_id=user_id,
        scope_kind="agency",
        scope_role=Role.AGENCY_OFFICER,
        scope_agency_id=membership.agency_id,
        kind="profiles",
        format="csv",
        params={},
        status=JobStatus.DONE,
        result_key=file_store("exports").save(data),
        filename="profiles.csv",
        mimetype="text/csv; charset=utf-8",
        size=len(data),
        created_at=now,
        finished_at=now,
        expires_at=now + dt.timedelta(days=3650),
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def _matrix_process(agency_id: int, preset: str = "bkd_spm") -> int:
    """A desk's process (e-tracking settings): the seeded one when there is one, so resolving
    the URL writes nothing; else the one `_matrix_tracked_file` installs."""
    from puja_indah.modules.etracking.models import Process

    found = db.session.scalar(
        sa.select(sa.func.min(Process.id)).where(Process.agency_id == agency_id)
    )
    return (
        int(found)
        if found is not None
        else _matrix_tracked_file(agency_id, preset).version.process_id
    )


def _matrix_leaves(demo: Any) -> dict[str, int]:
    """Collective-leave days (e-tracking settings): two of Bombana (own, other), one of Konsel
    (far), made in this order once — so a restored snapshot gets them back with the same ids."""
    from puja_indah.modules.etracking.models import CollectiveLeave

    wanted = {
        "own": (demo.regions["74.06"], dt.date(2026, 6, 2)),
        "other": (demo.regions["74.06"], dt.date(2026, 6, 3)),
        "far": (demo.regions["74.05"], dt.date(2026, 6, 2)),
    }
    ids: dict[str, int] = {}
    for relation, (region_id, day) in wanted.items():
        found = db.session.scalar(
            sa.select(CollectiveLeave).where(
                CollectiveLeave.region_id == region_id, CollectiveLeave.day == day
            )
        )
        if found is None:
            found = CollectiveLeave(region_id=region_id, day=day, name="Cuti bersama (matriks)")
            db.session.add(found)
            db.session.flush()
        ids[relation] = found.id
    db.session.commit()
    return ids


# --- e-minduk: a civil request (and a hand-over batch) at an agency's desk, made on first use ---


def _matrix_civil_request(agency_id: int) -> int:
    """A request at the agency's e-minduk desk (e-tracking and e-minduk switched on, the
    Disdukcapil preset installed), with an obviously demo NIK. Made once per agency."""
    from puja_indah.core.models import Agency, Role
    from puja_indah.core.registry import ModuleActivation
    from puja_indah.modules.eminduk import services
    from puja_indah.modules.eminduk.models import CivilRequest
    from puja_indah.modules.etracking import engine
    from puja_indah.modules.etracking.models import TrackedFile

    name = f"Pemohon Matriks {agency_id}"
    found = db.session.scalar(
        sa.select(CivilRequest.id)
        .join(TrackedFile, TrackedFile.id == CivilRequest.file_id)
        .where(TrackedFile.applicant_name == name)
    )
    if found is not None:
        return int(found)
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    for code in ("etracking", "eminduk"):
        activation = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == code
            )
        )
        if activation is None:
            db.session.add(ModuleActivation(agency_id=agency_id, module_code=code, enabled=True))
    process = engine.install_preset(agency_id, services.PRESET)
    kind = engine.current_version(process).file_kinds[0]
    desk = Scope.for_membership(Role.AGENCY_OFFICER, agency_id, agency.region_id)
    civil = services.register_request(
        desk,
        process,
        services.RequestIntake(
            file_kind_id=kind.id,
            applicant_name=name,
            nik="7406011203850002",
            phone="",
            ticked=list(kind.checklist),
        ),
        user_id=None,
    )
    db.session.commit()
    return civil.id


def _matrix_batch(agency_id: int) -> int:
    """The agency's matrix request, completed and handed over in a batch. Made once."""
    from puja_indah.core.models import Agency, Role
    from puja_indah.modules.eminduk import services
    from puja_indah.modules.eminduk.models import CivilRequest
    from puja_indah.modules.etracking import engine
    from puja_indah.modules.etracking.models import FileAction, FileStatus

    civil = db.session.get(CivilRequest, _matrix_civil_request(agency_id))
    assert civil is not None
    if civil.batch_id is not None:
        return civil.batch_id
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    desk = Scope.for_membership(Role.AGENCY_OFFICER, agency_id, agency.region_id)
    tracked = civil.file
    while tracked.status is FileStatus.OPEN:
        engine.act(desk, tracked, FileAction.ADVANCE, tracked.last_sequence, None)
    batch = services.create_batch(desk, [civil.id], None)
    db.session.commit()
    return batch.id


def _ensure_tracked_files(demo: Any) -> None:
    """The e-tracking matrix files made in the same order after every restore, so a URL's
    tracked_id (and process_id) stays valid after an accepted POST restored the snapshot."""
    _matrix_tracked_file(demo.agency("BKD"))
    _matrix_tracked_file(demo.agency("DPMPTSP"), "dpmptsp_permit")
    _matrix_tracked_file(demo.agency("BKAD", "74.05"))


def _matrix_replication(agency_id: int) -> int:
    import datetime as dt

    from puja_indah.core.models import Agency
    from puja_indah.innovations.models import Innovation, Origin
    from puja_indah.replications.models import Replication, ReplicationMode

    name = f"Matrix replica {agency_id}"
    found = db.session.scalar(
        sa.select(Replication.id)
        .join(Innovation, Innovation.id == Replication.replica_id)
        .where(Innovation.name == name)
    )
    if found is not None:
        return int(found)
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    replica = Innovation(
        agency_id=agency_id,
        region_id=agency.region_id,
        origin=Origin.REPLICATION,
        name=name,
        name_key=name.casefold(),
    )
    db.session.add(replica)
    db.session.flush()
    replication = Replication(
        agency_id=agency_id,
        replica_id=replica.id,
        source_name="Outside innovation",
        mode=ReplicationMode.ADOPT,
        status_on=dt.date(2026, 1, 1),
    )
    db.session.add(replication)
    db.session.commit()
    return replication.id


def _ensure_replication_rows(demo: Any) -> None:
    """Made in the same order after every restore, so the ids in a URL stay valid."""
    bkd, dpmptsp, bkad = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")
    for agency_id in (bkd, dpmptsp, bkad):
        _matrix_innovation(agency_id, published=agency_id == bkad)
    for agency_id in (bkd, dpmptsp, bkad):
        _matrix_replication(agency_id)


def build_progress_objects(demo: Any) -> None:
    """One innovation (with a milestone) for BKD, DPMPTSP and far BKAD, made in this order after
    every snapshot restore, so that they get the same ids each time."""
    for agency_id in (demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")):
        _matrix_milestone(agency_id)


def _matrix_milestone(agency_id: int) -> int:
    from puja_indah.progress.models import Milestone

    innovation_id = _matrix_innovation(agency_id, published=False)
    found = db.session.scalar(
        sa.select(sa.func.min(Milestone.id)).where(Milestone.innovation_id == innovation_id)
    )
    if found is not None:
        return int(found)
    milestone = Milestone(
        agency_id=agency_id,
        innovation_id=innovation_id,
        happened_on=dt.date(2025, 1, 1),
        title="Matrix milestone",
        progress=40,
    )
    db.session.add(milestone)
    db.session.commit()
    return milestone.id


def _first_id(model_path: str) -> int:
    from importlib import import_module

    module, name = model_path.rsplit(".", 1)
    model = getattr(import_module(module), name)
    return int(db.session.scalar(sa.select(sa.func.min(model.id))))


def _progress_values(bkd: int, dpmptsp: int, bkad: int) -> dict[str, dict[str, Any]]:
    national = {
        "affair_id": "puja_indah.reference.models.Affair",
        "theme_id": "puja_indah.reference.models.Theme",
        "initiator_kind_id": "puja_indah.reference.models.InitiatorKind",
    }
    values: dict[str, dict[str, Any]] = {
        "milestone_id": {
            relation: (lambda a=agency: _matrix_milestone(a))
            for relation, agency in (("own", bkd), ("other", dpmptsp), ("far", bkad))
        },
    }
    for name, path in national.items():
        values[name] = dict.fromkeys(("own", "other", "far"), lambda p=path: _first_id(p))
    return values


def _value(name: str, relation: str, demo: Any, far: FarObjects) -> int | str:
    bkd, dpmptsp, bkad = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")
    sk193 = demo.decrees["193 Tahun 2018"]
    by_relation: dict[str, dict[str, Any]] = {
        "agency_id": {"own": bkd, "other": dpmptsp, "far": bkad},
        "decree_id": {"own": sk193, "other": sk193, "far": far.decree},
        "appointment_id": {
            "own": lambda: _appointment_of(sk193, bkd),
            "other": lambda: _appointment_of(sk193, dpmptsp),
            "far": far.appointment,
        },
        "user_id": {
            "own": demo.users["officer.bkd"],
            "other": demo.users["officer.dpmptsp"],
            "far": demo.users["officer.konsel"],
        },
        "membership_id": {
            "own": lambda: _first_membership(demo.users["officer.bkd"]),
            "other": lambda: _first_membership(demo.users["officer.dpmptsp"]),
            "far": lambda: _first_membership(demo.users["officer.konsel"]),
        },
        # An API token of the BKD officer (own), the DPMPTSP officer (other) and Konsel's (far).
        "token_id": {
            "own": lambda: _matrix_token(demo.users["officer.bkd"]),
            "other": lambda: _matrix_token(demo.users["officer.dpmptsp"]),
            "far": lambda: _matrix_token(demo.users["officer.konsel"]),
        },
        "code": {"own": "etracking", "other": "etracking", "far": "no_such_module"},
        # The API page's Swagger UI files: two it serves, and one of the bundle's it does not.
        "filename": {"own": "swagger-ui-bundle.js", "other": "swagger-ui.css", "far": "index.html"},
        "preset": {"own": "bkd_spm", "other": "bkd_spm", "far": "bkd_spm"},
        "entry_id": {
            "own": far.audit_entries[bkd],
            "other": far.audit_entries[dpmptsp],
            "far": far.audit_entries[bkad],
        },
        # --- e-tracking: BKD's SPM desk, DPMPTSP's licence desk, a desk in the far region ---
        "tracked_id": {
            "own": lambda: _matrix_tracked_file(bkd).id,
            "other": lambda: _matrix_tracked_file(dpmptsp, "dpmptsp_permit").id,
            "far": lambda: _matrix_tracked_file(bkad).id,
        },
        "tracking_code": {
            "own": lambda: _matrix_tracked_file(bkd).public_code,
            "other": lambda: _matrix_tracked_file(dpmptsp, "dpmptsp_permit").public_code,
            "far": lambda: _matrix_tracked_file(bkad).public_code,
        },
        # --- e-pintar (resolvers above _epintar_values) ---
        **_epintar_values(bkd, dpmptsp, bkad),
        # --- e-tracking: a desk's process (desk screens, settings, analytics); collective leave
        # of Bombana and Konsel ---
        "process_id": {
            "own": lambda: _matrix_process(bkd),
            "other": lambda: _matrix_process(dpmptsp, "dpmptsp_permit"),
            "far": lambda: _matrix_process(bkad),
        },
        "leave_id": {r: (lambda r=r: _matrix_leaves(demo)[r]) for r in ("own", "other", "far")},
        # --- e-minduk: BKD (switched on here), Disdukcapil (the demo's desk), far BKAD ---
        "request_id": {
            "own": lambda: _matrix_civil_request(bkd),
            "other": lambda: _matrix_civil_request(demo.agency("DISDUKCAPIL")),
            "far": lambda: _matrix_civil_request(bkad),
        },
        "batch_id": {
            "own": lambda: _matrix_batch(bkd),
            "other": lambda: _matrix_batch(demo.agency("DISDUKCAPIL")),
            "far": lambda: _matrix_batch(bkad),
        },
        # --- replications ---
        "innovation_id": {
            "own": lambda: _matrix_innovation(bkd, published=False),
            "other": lambda: _matrix_innovation(dpmptsp, published=False),
            "far": lambda: _matrix_innovation(bkad, published=True),
        },
        "replication_id": {
            "own": lambda: _matrix_replication(bkd),
            "other": lambda: _matrix_replication(dpmptsp),
            "far": lambda: _matrix_replication(bkad),
        },
    }
    # --- reports: an export job of each agency's officer (done, file stored, not expired) ---
    by_relation["job_id"] = {
        "own": lambda: _matrix_export_job(demo.users["officer.bkd"]),
        "other": lambda: _matrix_export_job(demo.users["officer.dpmptsp"]),
        "far": lambda: _matrix_export_job(demo.users["officer.konsel"]),
    }
    # --- self-assessment and index panel ---
    by_relation["year"] = {"own": 2026, "other": 2026, "far": 2199}
    # --- reviews: an indicator number of the year's catalogue (far: none has it) ---
    by_relation["number"] = {"own": 16, "other": 16, "far": 99}
    # --- evidence ---
    for index, name_of in enumerate(("evidence_id", "file_id")):
        by_relation[name_of] = {
            relation: far.evidence[agency][index + 1]
            for relation, agency in (("own", bkd), ("other", dpmptsp), ("far", bkad))
        }
    by_relation.update(_progress_values(bkd, dpmptsp, bkad))  # progress and reference lists
    if name not in by_relation:
        raise LookupError(
            f"URL variable <{name}> is unknown to tests/tenancy/route_matrix.py: add it there"
        )
    value = by_relation[name][relation]
    value = value() if callable(value) else value
    return value if isinstance(value, str) else int(value)


def url_values(
    app: Flask, demo: Any, far: FarObjects, endpoint: str, rule: str, relation: str
) -> str:
    names = re.findall(r"<(?:[^:<>]+:)?([a-z_]+)>", rule)
    values: dict[str, int | str] = {}
    with scoped(Scope.system("tests: resolve ids"), db.session):
        for index, name in enumerate(names):
            chosen = relation
            if relation == "mixed":
                chosen = "far" if index == len(names) - 1 else "own"
            values[name] = _value(name, chosen, demo, far)
        db.session.remove()
    if relation == "mixed" and len(names) < 2:
        values = {}
    return url_for(endpoint, **values) if values or not names else url_for(endpoint)
