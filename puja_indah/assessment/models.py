"""Assessment catalogue models: national reference data, versioned per year (DOMAIN §2.2–2.3).

Every constant of the index formula is a column of the year, never a constant in code; a constant
the sources do not give is NULL and the computation says it cannot compute rather than invent it.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import AgencyScoped, Base, TimestampMixin
from puja_indah.core.models import Region, RegionManaged, User, enum_column

# Claims point at innovations and evidence documents: their classes must be mapped whenever these
# are (a mapper configured early, e.g. by a module-level select, needs every name it refers to).
from puja_indah.evidence.models import Evidence
from puja_indah.innovations.models import Innovation


class YearStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared or verified
    OPEN = "open"  # in use for an assessment round
    CLOSED = "closed"  # frozen: no row of the year may change


class AspectCode(enum.StrEnum):
    SPD = "SPD"  # Satuan Pemerintah Daerah: region level, indicators 1–15
    SID = "SID"  # Satuan Inovasi Daerah: per innovation, indicators 16–35


class IndicatorTarget(enum.StrEnum):
    INNOVATION = "innovation"  # claimed per innovation (SID)
    REGION = "region"  # claimed once by the region (SPD)


class AssessmentYear(TimestampMixin, Base):
    __tablename__ = "assessment_years"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"),
        CheckConstraint("divisor_minimum IS NULL OR divisor_minimum >= 1", name="divisor_min"),
        CheckConstraint("count_weight IS NULL OR count_weight >= 0", name="count_weight_min"),
        CheckConstraint("count_cap IS NULL OR count_cap >= 0", name="count_cap_min"),
        CheckConstraint(
            "basic_service_minimum IS NULL OR basic_service_minimum BETWEEN 0 AND 6",
            name="basic_service_range",
        ),
        CheckConstraint("maximum_score IS NULL OR maximum_score > 0", name="maximum_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[YearStatus] = mapped_column(
        enum_column(YearStatus, "assessment_year_status"), default=YearStatus.DRAFT
    )
    # SID average = Σ innovation sums / MAX(divisor_minimum, n).
    divisor_minimum: Mapped[int | None] = mapped_column()
    # Count score = MIN(n, count_cap) × count_weight, only when basic_service_minimum of the six
    # basic-service affairs are covered (NULL or 0: no such rule).
    count_weight: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    count_cap: Mapped[int | None] = mapped_column()
    basic_service_minimum: Mapped[int | None] = mapped_column()
    # NULL: derived from the catalogue (Σ weights × 3 + count maximum), see index.py.
    maximum_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    notes: Mapped[str] = mapped_column(Text, default="")

    aspects: Mapped[list[Aspect]] = relationship(
        back_populates="year", cascade="all, delete-orphan", order_by="Aspect.code"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="year",
        cascade="all, delete-orphan",
        order_by="Indicator.number",
        overlaps="indicators,aspect",
    )
    predicates: Mapped[list[Predicate]] = relationship(
        back_populates="year",
        cascade="all, delete-orphan",
        order_by="Predicate.lower_bound.desc()",
    )

    def __str__(self) -> str:
        return self.title or str(self.year)


class Predicate(TimestampMixin, Base):
    """A band of the index: name, lower and upper bound (inclusive, 0..100)."""

    __tablename__ = "assessment_predicates"
    __table_args__ = (
        UniqueConstraint("year_id", "name"),
        CheckConstraint(
            "lower_bound >= 0 AND upper_bound <= 100 AND lower_bound <= upper_bound",
            name="bounds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_years.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    lower_bound: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    upper_bound: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    year: Mapped[AssessmentYear] = relationship(back_populates="predicates")


class Aspect(TimestampMixin, Base):
    __tablename__ = "assessment_aspects"
    __table_args__ = (
        UniqueConstraint("year_id", "code"),
        # Target of the indicators' (aspect_id, year_id) key: an indicator's aspect is of its year.
        UniqueConstraint("id", "year_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_years.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[AspectCode] = mapped_column(enum_column(AspectCode, "assessment_aspect_code"))
    name: Mapped[str] = mapped_column(String(200))

    year: Mapped[AssessmentYear] = relationship(back_populates="aspects")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="aspect",
        cascade="all, delete-orphan",
        order_by="Indicator.number",
        overlaps="indicators,year",
    )


class Indicator(TimestampMixin, Base):
    __tablename__ = "assessment_indicators"
    __table_args__ = (
        UniqueConstraint("year_id", "number"),
        ForeignKeyConstraint(
            ["aspect_id", "year_id"],
            ["assessment_aspects.id", "assessment_aspects.year_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_years.id", ondelete="CASCADE"), index=True
    )
    aspect_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    # The variable (group) the indicator belongs to within its aspect, as the year's pedoman
    # names it; empty where the sources give none (the 2023 and 2026 seeds).
    variable: Mapped[str] = mapped_column(String(200), default="", server_default="")
    name: Mapped[str] = mapped_column(String(300))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    mandatory: Mapped[bool] = mapped_column(default=False)
    target: Mapped[IndicatorTarget] = mapped_column(
        enum_column(IndicatorTarget, "assessment_indicator_target")
    )
    evidence_guidance: Mapped[str] = mapped_column(Text, default="")
    # Comma-separated file extensions accepted as evidence, e.g. "pdf,jpg,png".
    file_types: Mapped[str] = mapped_column(String(200), default="pdf")
    notes: Mapped[str] = mapped_column(Text, default="")

    year: Mapped[AssessmentYear] = relationship(
        back_populates="indicators", overlaps="aspect,indicators"
    )
    aspect: Mapped[Aspect] = relationship(back_populates="indicators", overlaps="indicators,year")
    levels: Mapped[list[IndicatorLevel]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorLevel.level"
    )

    @property
    def wording_by_level(self) -> dict[int, str]:
        return {row.level: row.wording for row in self.levels}

    @property
    def file_type_list(self) -> list[str]:
        return [part.strip() for part in self.file_types.split(",") if part.strip()]


class IndicatorLevel(TimestampMixin, Base):
    """P1 < P2 < P3: the wording of each level of an indicator."""

    __tablename__ = "assessment_indicator_levels"
    __table_args__ = (
        UniqueConstraint("indicator_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_indicators.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column()
    wording: Mapped[str] = mapped_column(Text)

    indicator: Mapped[Indicator] = relationship(back_populates="levels")


# --- claims: the self-assessment against a year's catalogue (issue 3 point 5) -------------------


class Claim(AgencyScoped, TimestampMixin, Base):
    """An innovation's claimed level (0 = not claimed, 1..3 = P1..P3) of one SID indicator.

    The indicator fixes the year. A claimed level scores only with at least one attached evidence
    document (DOMAIN §2.2: "0 without valid evidence"); `ClaimEvidence` links the documents. The
    version column lets a form opened earlier be refused instead of overwriting newer claims.
    """

    __tablename__ = "assessment_claims"
    __table_args__ = (
        UniqueConstraint("innovation_id", "indicator_id"),
        # Target of the evidence links' (claim_id, agency_id) key.
        UniqueConstraint("id", "agency_id"),
        ForeignKeyConstraint(
            ["innovation_id", "agency_id"],
            ["innovations.id", "innovations.agency_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("level BETWEEN 0 AND 3", name="claim_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(index=True)
    # RESTRICT: a catalogue indicator that carries claims cannot silently vanish.
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_indicators.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    innovation: Mapped[Innovation] = relationship(overlaps="agency")
    indicator: Mapped[Indicator] = relationship()
    updated_by: Mapped[User | None] = relationship()
    evidence_links: Mapped[list[ClaimEvidence]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", overlaps="agency"
    )


class ClaimEvidence(AgencyScoped, Base):
    """An evidence document (bukti dukung) attached to a claim; both of the same agency."""

    __tablename__ = "assessment_claim_evidence"
    __table_args__ = (
        UniqueConstraint("claim_id", "evidence_id"),
        ForeignKeyConstraint(
            ["claim_id", "agency_id"],
            ["assessment_claims.id", "assessment_claims.agency_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["evidence_id", "agency_id"],
            ["evidence.id", "evidence.agency_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(index=True)
    evidence_id: Mapped[int] = mapped_column(index=True)

    claim: Mapped[Claim] = relationship(back_populates="evidence_links", overlaps="agency")
    evidence: Mapped[Evidence] = relationship(overlaps="agency,claim,evidence_links")


class RegionClaim(RegionManaged, TimestampMixin, Base):
    """A region's claimed level of one SPD indicator, with its evidence described inline
    (document number, date, subject, link). Kept by the region's monitor or an administrator:
    `RegionManaged.writable_in` lets the monitor of this region and national admins write it."""

    __tablename__ = "assessment_region_claims"
    __table_args__ = (
        UniqueConstraint("region_id", "indicator_id"),
        CheckConstraint("level BETWEEN 0 AND 3", name="region_claim_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_indicators.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(default=0)
    document_number: Mapped[str] = mapped_column(String(120), default="")
    document_date: Mapped[date | None] = mapped_column()
    subject: Mapped[str] = mapped_column(String(300), default="")
    link_url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    region: Mapped[Region] = relationship()
    indicator: Mapped[Indicator] = relationship()
    updated_by: Mapped[User | None] = relationship()

    def owning_region_id(self) -> int | None:
        return self.region_id

    @property
    def has_evidence(self) -> bool:
        """The level counts only when a document is named (its number or a link)."""
        return bool(self.document_number.strip() or self.link_url.strip())


CLAIM_MODELS: tuple[type[Base], ...] = (Claim, ClaimEvidence, RegionClaim)

CATALOGUE_MODELS: tuple[type[Base], ...] = (
    AssessmentYear,
    Predicate,
    Aspect,
    Indicator,
    IndicatorLevel,
)

# The closed-year and scope guard travels with the models: whoever loads them gets it.
from puja_indah.assessment import guard  # noqa: E402

guard.install()
