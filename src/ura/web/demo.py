"""The reproducible demo scenario: the seed projects' institutions, one user per role,
synthetic person records, and synthetic agency extracts ingested and linked into the person
index.

Everything is created through the apps' services, so the demo's own creations are in the
audit trail like any other. Re-running changes nothing: agencies, units and users are keyed
on their codes and user names, and the person records are only generated into an empty
demo. All names of people are synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ura.apps.accounts.models import Agency, AgencyKind, RoleCode, Unit, User
from ura.apps.accounts.services import (
    access_grant_create,
    agency_create,
    role_assign,
    unit_create,
    user_create,
)
from ura.apps.people.index import current_run
from ura.apps.people.linking import link_records
from ura.apps.people.models import LinkageRun, PersonRecord
from ura.apps.people.services import person_record_create
from ura.apps.sources.services import ingest_files
from ura.ingest import parse_mapping
from ura.synth import write_extracts

#: One password for every demo account, printed by ``ura demo``. Demo only: never use the
#: demo data set in production.
DEMO_PASSWORD = "ura-demo-2026!"  # noqa: S105 (printed to the user on purpose)

#: How many synthetic person records the demo holds.
DEMO_RECORDS = 600
_SEED = 2026


@dataclass(frozen=True)
class _AgencySpec:
    code: str
    name: str
    kind: AgencyKind
    country: str
    units: tuple[tuple[str, str], ...]
    parent: str | None = None
    province: str = ""


_AGENCIES: tuple[_AgencySpec, ...] = (
    # Türkiye
    _AgencySpec(
        "tr-pmm-hq",
        "Presidency of Migration Management — Headquarters",
        AgencyKind.MIGRATION_HQ,
        "TR",
        (
            ("statistics", "Migration Statistics Department"),
            ("policy", "Migration Policy and Projects Department"),
            ("audit", "Internal Audit Unit"),
            ("it", "Information Technology Department"),
            ("protection", "International Protection Department"),
            ("trafficking", "Department for the Protection of Victims of Human Trafficking"),
        ),
        province="06",
    ),
    _AgencySpec(
        "tr-pmm-istanbul",
        "Istanbul Provincial Directorate of Migration Management",
        AgencyKind.MIGRATION_PROVINCIAL,
        "TR",
        (
            ("protection", "International Protection Unit"),
            ("registration", "Registration Unit"),
            ("return", "Return and Removal Centre Unit"),
        ),
        parent="tr-pmm-hq",
        province="34",
    ),
    _AgencySpec(
        "tr-pmm-gaziantep",
        "Gaziantep Provincial Directorate of Migration Management",
        AgencyKind.MIGRATION_PROVINCIAL,
        "TR",
        (("protection", "International Protection Unit"), ("registration", "Registration Unit")),
        parent="tr-pmm-hq",
        province="27",
    ),
    _AgencySpec(
        "tr-pmm-izmir",
        "Izmir Provincial Directorate of Migration Management",
        AgencyKind.MIGRATION_PROVINCIAL,
        "TR",
        (("protection", "International Protection Unit"), ("return", "Return Unit")),
        parent="tr-pmm-hq",
        province="35",
    ),
    _AgencySpec(
        "tr-pmm-van",
        "Van Provincial Directorate of Migration Management",
        AgencyKind.MIGRATION_PROVINCIAL,
        "TR",
        (("registration", "Registration Unit"), ("return", "Removal Centre Unit")),
        parent="tr-pmm-hq",
        province="65",
    ),
    _AgencySpec(
        "tr-police",
        "General Directorate of Security",
        AgencyKind.POLICE,
        "TR",
        (("smuggling", "Department of Combating Migrant Smuggling and Human Trafficking"),),
    ),
    _AgencySpec(
        "tr-gendarmerie",
        "Gendarmerie General Command",
        AgencyKind.GENDARMERIE,
        "TR",
        (("smuggling", "Migrant Smuggling and Human Trafficking Branch"),),
    ),
    _AgencySpec(
        "tr-coastguard",
        "Coast Guard Command",
        AgencyKind.COAST_GUARD,
        "TR",
        (("operations", "Irregular Migration Operations"),),
    ),
    _AgencySpec(
        "tr-labour",
        "Ministry of Labour and Social Security",
        AgencyKind.LABOUR,
        "TR",
        (("permits", "Work Permits for Foreigners"), ("inspection", "Labour Inspection Board")),
    ),
    _AgencySpec(
        "tr-family",
        "Ministry of Family and Social Services",
        AgencyKind.SOCIAL_SERVICES,
        "TR",
        (("children", "Child Services"), ("women", "Women's Status and Shelters")),
    ),
    _AgencySpec(
        "tr-bar-ankara",
        "Ankara Bar Association",
        AgencyKind.BAR_ASSOCIATION,
        "TR",
        (("legal-aid", "Legal Aid Bureau"),),
        province="06",
    ),
    _AgencySpec(
        "tr-ngo-shelter",
        "Shelter Network Association (demo)",
        AgencyKind.NGO,
        "TR",
        (("victim-support", "Victim Support and Shelter"),),
    ),
    _AgencySpec(
        "tr-ngo-refugee-rights",
        "Refugee Rights Solidarity (demo)",
        AgencyKind.NGO,
        "TR",
        (("counselling", "Legal Counselling"),),
    ),
    _AgencySpec(
        "io-migration-tr",
        "International migration organisation — Türkiye office (demo)",
        AgencyKind.INTERNATIONAL_ORGANISATION,
        "TR",
        (("avrr", "Assisted Voluntary Return and Reintegration"), ("projects", "Projects")),
    ),
    # Kosovo
    _AgencySpec(
        "xk-dcam",
        "Ministry of Internal Affairs — Department for Citizenship, Asylum and Migration",
        AgencyKind.MIGRATION_HQ,
        "XK",
        (("asylum", "Asylum Division"), ("migration", "Migration Division")),
    ),
    _AgencySpec(
        "xk-gam",
        "Government Authority on Migration (National Coordinator's office)",
        AgencyKind.MIGRATION_HQ,
        "XK",
        (("analysis", "Migration Profile and Analysis"),),
    ),
    _AgencySpec(
        "xk-police",
        "Kosovo Police — Border Police",
        AgencyKind.POLICE,
        "XK",
        (("border", "Border Investigations"),),
    ),
    _AgencySpec(
        "xk-ngo-reintegration",
        "Reintegration Support Centre (demo)",
        AgencyKind.NGO,
        "XK",
        (("reintegration", "Reintegration of Repatriated Persons"),),
    ),
)

#: (user name, first name, last name, agency code, unit code, role)
_USERS: tuple[tuple[str, str, str, str, str, RoleCode], ...] = (
    (
        "caseworker.istanbul",
        "Elif",
        "Aydemir",
        "tr-pmm-istanbul",
        "protection",
        RoleCode.CASEWORKER,
    ),
    (
        "caseworker.gaziantep",
        "Murat",
        "Kalkan",
        "tr-pmm-gaziantep",
        "protection",
        RoleCode.CASEWORKER,
    ),
    (
        "supervisor.istanbul",
        "Zeynep",
        "Ergin",
        "tr-pmm-istanbul",
        "protection",
        RoleCode.SUPERVISOR,
    ),
    (
        "supervisor.gaziantep",
        "Hakan",
        "Demir",
        "tr-pmm-gaziantep",
        "protection",
        RoleCode.SUPERVISOR,
    ),
    ("steward.ankara", "Kerem", "Başaran", "tr-pmm-hq", "statistics", RoleCode.DATA_STEWARD),
    ("analyst.ankara", "Derya", "Toprak", "tr-pmm-hq", "policy", RoleCode.ANALYST),
    ("analyst.istanbul", "Elif", "Aksoy", "tr-pmm-hq", "policy", RoleCode.ANALYST),
    ("responder.police", "Serkan", "Uysal", "tr-police", "smuggling", RoleCode.FIRST_RESPONDER),
    ("ngo.shelter", "Aylin", "Korkmaz", "tr-ngo-shelter", "victim-support", RoleCode.PARTNER_NGO),
    ("auditor.ankara", "Levent", "Özbay", "tr-pmm-hq", "audit", RoleCode.AUDITOR),
    ("admin.ankara", "Pınar", "Gündoğdu", "tr-pmm-hq", "it", RoleCode.ADMINISTRATOR),
    ("caseworker.prishtina", "Arta", "Krasniqi", "xk-dcam", "asylum", RoleCode.CASEWORKER),
)

#: Users who register the demo's person records, with the share each registers.
_REGISTRARS = (
    ("caseworker.istanbul", 0.35),
    ("caseworker.gaziantep", 0.30),
    ("responder.police", 0.15),
    ("steward.ankara", 0.10),
    ("caseworker.prishtina", 0.10),
)

# Synthetic name forms by nationality: (given names, family names), written as the
# registering agency would in Latin script.
#: Synthetic name forms by nationality: (male given names, female given names, family
#: names), written as the registering agency would in Latin script.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SYR": (
        ("Ahmad", "Mohammad", "Khaled", "Omar", "Yousef"),
        ("Rania", "Fatima", "Amina", "Layla", "Hiba"),
        ("Al-Hassan", "Haddad", "Khalil", "Al-Ahmad", "Darwish", "Hamdan", "Al-Khatib", "Mansour"),
    ),
    "AFG": (
        ("Abdul Rahman", "Mohammad Reza", "Farid", "Habibullah", "Ahmad Shah"),
        ("Zahra", "Mariam", "Gulalai", "Nargis"),
        ("Ahmadzai", "Karimi", "Popal", "Rahimi", "Hashimi", "Safi", "Noori", "Wardak"),
    ),
    "IRQ": (
        ("Ali", "Hussein", "Mustafa", "Abbas"),
        ("Zainab", "Noor", "Sara"),
        ("Al-Jaburi", "Al-Tamimi", "Kadhim", "Saleh", "Al-Rubaie"),
    ),
    "IRN": (
        ("Reza", "Mehdi", "Hossein", "Ali Reza"),
        ("Maryam", "Shirin", "Nasrin"),
        ("Mohammadi", "Hosseini", "Rezaei", "Ahmadi", "Kazemi", "Jafari"),
    ),
    "PAK": (
        ("Muhammad Imran", "Bilal", "Usman", "Hamza"),
        ("Ayesha", "Sana"),
        ("Khan", "Qureshi", "Butt", "Chaudhry", "Malik"),
    ),
    "TKM": (("Myrat", "Serdar", "Batyr"), ("Aylar", "Gulshat"), ("Orazov", "Annayev", "Atayev")),
    "UZB": (("Bekzod", "Jasur", "Rustam"), ("Dilnoza", "Shahnoza"), ("Karimov", "Yusupov")),
    "GEO": (("Giorgi", "Levan"), ("Nino", "Tamar"), ("Beridze", "Kapanadze", "Gelashvili")),
    "AZE": (("Elvin", "Rashad"), ("Aysel", "Gunel"), ("Aliyev", "Mammadov", "Huseynov")),
    "RUS": (
        ("Aleksandr", "Dmitriy", "Sergey"),
        ("Yelena", "Olga"),
        ("Ivanov", "Smirnov", "Kuznetsov", "Popov"),
    ),
    "UKR": (
        ("Oleksandr", "Andriy", "Mykola"),
        ("Olena", "Iryna"),
        ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"),
    ),
    "XKX": (
        ("Arben", "Driton", "Faton"),
        ("Blerta", "Valbona"),
        ("Berisha", "Gashi", "Hoxha", "Kelmendi", "Shala"),
    ),
}
#: Nationalities whose family names take a feminine ending (-ov/-ev → -ova/-eva).
_FEMININE_FAMILY_NAMES = {"RUS", "UZB", "AZE", "TKM"}
_FATHERS = ("Ahmad", "Mohammad", "Ali", "Hassan", "Abdullah", "Ibrahim", "Mahmoud", "Nazar")
_HEALTH = (
    "Needs regular insulin.",
    "Pregnant, 6 months.",
    "Post-traumatic stress, in therapy.",
    "Wheelchair user.",
)
_TIP = (
    "Recruited with a false job offer; passport withheld by employer.",
    "Debt bondage reported at a textile workshop.",
    "Forced begging; accompanied by an unrelated adult.",
)


def _agencies() -> dict[str, Agency]:
    found = {a.code: a for a in Agency.objects.filter(code__in=[s.code for s in _AGENCIES])}
    for spec in _AGENCIES:
        agency = found.get(spec.code)
        if agency is None:
            agency = agency_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                country=spec.country,
                parent=found.get(spec.parent) if spec.parent else None,
                province_code=spec.province,
            )
            found[spec.code] = agency
        existing = set(agency.units.values_list("code", flat=True))
        for code, name in spec.units:
            if code not in existing:
                unit_create(actor=None, agency=agency, code=code, name=name)
    return found


def _users(agencies: dict[str, Agency]) -> list[tuple[User, str, str]]:
    created = []
    for username, first, last, agency_code, unit_code, role in _USERS:
        agency = agencies[agency_code]
        user = User.objects.filter(username=username).first()
        if user is None:
            unit = Unit.objects.get(agency=agency, code=unit_code)
            user = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                unit=unit,
                first_name=first,
                last_name=last,
            )
            role_assign(actor=None, user=user, role_code=role)
        created.append((user, str(role.label), agency.name))
    return created


def _birth_date(rng: random.Random) -> tuple[dt.date | None, str]:
    """Registration systems often know only the year, and record 1 January for it."""
    roll = rng.random()
    year = rng.randint(1955, 2022)
    if roll < 0.08:
        return None, "unknown"
    if roll < 0.30:
        return dt.date(year, 1, 1), "year"
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), "day"


def _records(users: dict[str, User], rng: random.Random) -> list[PersonRecord]:
    nationalities = list(_NAMES)
    weights = [8, 7, 4, 4, 2, 1, 1, 1, 1, 1, 2, 3]
    registrars = [name for name, _ in _REGISTRARS]
    shares = [share for _, share in _REGISTRARS]
    records = []
    for n in range(DEMO_RECORDS):
        registrar = users[rng.choices(registrars, shares)[0]]
        nationality = (
            "XKX"
            if registrar.username == "caseworker.prishtina" and rng.random() < 0.5
            else rng.choices(nationalities, weights)[0]
        )
        male, female, families = _NAMES[nationality]
        sex = rng.choice("MMMFF") if rng.random() > 0.02 else "U"
        given = rng.choice(female if sex == "F" else male)
        family = rng.choice(families)
        if sex == "F" and nationality in _FEMININE_FAMILY_NAMES and family.endswith(("ov", "ev")):
            family += "a"
        born, precision = _birth_date(rng)
        has_document = rng.random() < 0.7
        values = {
            "given_names": given,
            "family_name": family,
            "father_name": rng.choice(_FATHERS) if nationality in {"SYR", "AFG", "IRQ"} else "",
            "sex": sex,
            "date_of_birth": born,
            "date_of_birth_precision": precision,
            "nationality": nationality,
            "document_type": "passport" if has_document else "",
            "document_number": f"{nationality[0]}{rng.randint(1000000, 9999999)}"
            if has_document
            else "",
            "document_country": nationality if has_document else "",
            "health_notes": rng.choice(_HEALTH) if rng.random() < 0.1 else "",
            "trafficking_indicators": rng.choice(_TIP)
            if registrar.username == "responder.police" and rng.random() < 0.5
            else "",
            "biometric_reference": f"AFIS-{n:06d}" if rng.random() < 0.5 else "",
        }
        records.append(person_record_create(actor=registrar, **values))
    return records


def demo_load() -> list[tuple[User, str, str]]:
    """Create the demo scenario if it is missing; return (user, role, agency) per login.

    Re-running adds and changes nothing.
    """
    with transaction.atomic():
        agencies = _agencies()
        users = _users(agencies)
        by_name = {u.username: u for u, _, _ in users}
        registrar_ids = [by_name[name].pk for name, _ in _REGISTRARS]
        if not PersonRecord.objects.filter(created_by_id__in=registrar_ids).exists():
            records = _records(by_name, random.Random(_SEED))  # noqa: S311 (reproducible synthetic data, not security)
            # The police referred presumed trafficking victims to the shelter NGO: the
            # NGO's unit may see (and update) those records, and nothing else.
            ngo_unit = by_name["ngo.shelter"].unit
            for record in records:
                if record.trafficking_indicators and ngo_unit is not None:
                    access_grant_create(
                        actor=by_name["responder.police"],
                        obj=record,
                        unit=ngo_unit,
                        can_change=True,
                        reason="Referral of a presumed trafficking victim (demo)",
                    )
    return users


# --- Agency extracts and the person index ---------------------------------------------------

#: Persons in the synthetic population behind the demo's agency extracts (about 1.9 records
#: each across seven sources, plus a few deliberately invalid rows for the quarantine).
DEMO_EXTRACT_PERSONS = 1500
#: The synthetic extracts' agency codes -> the demo's agencies that hold them.
_EXTRACT_AGENCY = {
    "DGMM": "tr-pmm-hq",
    "GENDARMERIE": "tr-gendarmerie",
    "COASTGUARD": "tr-coastguard",
    "BORDER-POLICE": "tr-police",
    "NGO-SHELTER": "tr-ngo-shelter",
    "KOSOVO-DCAM": "xk-dcam",
}
_STEWARD = "steward.ankara"


def demo_extracts_load(
    out_dir: Path,
    *,
    persons: int = DEMO_EXTRACT_PERSONS,
    progress: Callable[[str], None] | None = None,
) -> LinkageRun | None:
    """Write the synthetic agency extracts, ingest them as the demo data steward, and link
    every person record into a published person index. Returns the published run, or None
    when the demo already has one (re-running changes nothing).

    The extracts are the ``ura.synth`` population: seven sources in their own layouts,
    encodings and scripts, with typos, placeholder dates, duplicates and invalid rows.
    """
    if current_run() is not None:
        return None
    steward = User.objects.get(username=_STEWARD)
    say = progress or (lambda message: None)
    say("Writing synthetic agency extracts…")
    manifest = write_extracts(out_dir, persons=persons, seed=_SEED)
    for source in manifest.sources:
        text = source.mapping_path.read_text(encoding="utf-8")
        text = re.sub(
            r"^agency: .*$",
            f"agency: {_EXTRACT_AGENCY[source.agency]}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        say(f"Ingesting {source.name}…")
        ingest_files(
            actor=steward,
            mapping=parse_mapping(text, origin=str(source.mapping_path)),
            files=[source.path],
        )
    say("Linking records into the person index…")
    return link_records(actor=steward)
