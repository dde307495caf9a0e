"""The measure template library: ``data/measure_templates.json``, validated and loaded.

The JSON file is the one place the library is edited; ``flask templates load`` (and the demo) copy
it into :class:`MeasureTemplate` rows, and a facilitator copies a template into a network's
:class:`MeasureDefinition` with :func:`definition_from_template`. The file is checked strictly on
every read, because a typo in a key would otherwise surface months later as an empty definition on a
chart at a learning session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnnet.models import MeasureDefinition, MeasureTemplate
from learnnet.models.definitions import MEASURE_TYPES, RATIO_KINDS
from measures.choice import VALUE_KINDS
from measures.rules import DIRECTIONS
from measures.spc import CHART_KINDS

TEMPLATES_PATH = Path(__file__).parent / "data" / "measure_templates.json"
LIBRARY_FORMAT = 1
LANGUAGES = ("nb", "en")
TEMPLATE_KEYS = frozenset(
    {
        "code",
        "topic",
        "measure_type",
        "value_kind",
        "multiplier",
        "direction",
        "default_chart",
        "is_proposal",
        "source",
        "texts",
    }
)
# The wording per language. unit_label is worded per language too ("per 1 000 liggedøgn" /
# "per 1,000 bed-days"); the template row's own unit_label column holds the Norwegian one.
TEXT_KEYS = frozenset(
    {
        "name",
        "short_name",
        "unit_label",
        "numerator",
        "denominator",
        "inclusions",
        "exclusions",
        "notes",
    }
)
# Chart titles and tables have room for this many characters.
SHORT_NAME_MAX = 30
# A definition that is the centre's own proposal says so first thing in its notes.
PROPOSAL_PREFIX = {
    "nb": "Forslag fra utviklingssenteret:",
    "en": "Proposal by the development centre:",
}
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_CODE_MAX = 60


class TemplateError(ValueError):
    """The template library file is malformed; the message names the template and the problem."""


def read_templates(path: Path = TEMPLATES_PATH) -> list[dict[str, Any]]:
    """Every template of the library, validated, in the file's order."""
    return _read_library(path)["templates"]


def read_topics(path: Path = TEMPLATES_PATH) -> dict[str, dict[str, str]]:
    """The library's topics with their names per language: ``{"falls": {"nb": "Fall", ...}}``."""
    return _read_library(path)["topics"]


def load_templates(session: Session, path: Path = TEMPLATES_PATH) -> int:
    """Insert or update a :class:`MeasureTemplate` per template, matched by code; returns how many.

    Running it again changes nothing. Templates no longer in the file are left alone: network
    definitions copied from them keep their link.
    """
    templates = read_templates(path)
    existing = {
        row.code: row
        for row in session.scalars(
            select(MeasureTemplate).where(MeasureTemplate.code.in_([t["code"] for t in templates]))
        )
    }
    for template in templates:
        values = _row_values(template)
        row = existing.get(template["code"])
        if row is None:
            session.add(MeasureTemplate(**values))
            continue
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    session.flush()
    return len(templates)


def definition_from_template(
    template: MeasureTemplate,
    language: str = "nb",
    *,
    position: int = 0,
    target: float | None = None,
) -> MeasureDefinition:
    """A network's measure copied from ``template``, worded in ``language``; not yet in a network.

    The definition is a copy, not a reference: a network keeps the wording it started with even
    when the library is later revised. The caller puts it in a network with
    ``network.measures.append(definition)``, which also adds it to the network's session.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    wording = (template.texts or {}).get(language)
    if not wording:
        raise TemplateError(f"template {template.code} has no wording in {language!r}")
    return MeasureDefinition(
        template=template,
        code=template.code,
        position=position,
        name=wording["name"],
        short_name=wording["short_name"],
        measure_type=template.measure_type,
        value_kind=template.value_kind,
        multiplier=template.multiplier,
        unit_label=wording.get("unit_label", template.unit_label),
        numerator=wording["numerator"],
        denominator=wording["denominator"],
        inclusions=wording["inclusions"],
        exclusions=wording["exclusions"],
        notes=wording["notes"],
        is_proposal=template.is_proposal,
        direction=template.direction,
        target=target,
        default_chart=template.default_chart,
    )


def _row_values(template: dict[str, Any]) -> dict[str, Any]:
    """The :class:`MeasureTemplate` column values of one validated template."""
    return {
        "code": template["code"],
        "topic": template["topic"],
        "measure_type": template["measure_type"],
        "value_kind": template["value_kind"],
        "multiplier": float(template["multiplier"]),
        "unit_label": template["texts"]["nb"]["unit_label"],
        "direction": template["direction"],
        "default_chart": template["default_chart"],
        "is_proposal": template["is_proposal"],
        "source": template["source"],
        "texts": template["texts"],
    }


def _read_library(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TemplateError(f"{path} is not valid JSON: {error}") from None
    return validate_library(data)


def validate_library(data: Any) -> dict[str, Any]:
    """Check the whole library and return it; raise :class:`TemplateError` at the first problem."""
    if not isinstance(data, dict):
        raise TemplateError("the library must be a JSON object with format, topics and templates")
    _check_keys("the library", data, {"format", "topics", "templates"})
    if data["format"] != LIBRARY_FORMAT:
        raise TemplateError(f"the library has format {data['format']!r}; this version reads {LIBRARY_FORMAT}")
    topics = data["topics"]
    if not isinstance(topics, dict) or not topics:
        raise TemplateError("topics must be a non-empty object")
    for topic, names in topics.items():
        _check_languages(f"topic {topic}", names)
        for language in LANGUAGES:
            if not isinstance(names[language], str) or not names[language].strip():
                raise TemplateError(f"topic {topic} has no {language} name")
    templates = data["templates"]
    if not isinstance(templates, list) or not templates:
        raise TemplateError("templates must be a non-empty list")
    seen: set[str] = set()
    for index, template in enumerate(templates):
        if not isinstance(template, dict):
            raise TemplateError(f"template #{index + 1} is not an object")
        code = template.get("code", f"#{index + 1}")
        _validate_template(template, topics)
        if code in seen:
            raise TemplateError(f"template {code} appears twice")
        seen.add(code)
    return data


def _validate_template(template: dict[str, Any], topics: dict[str, Any]) -> None:
    code = template.get("code")
    where = f"template {code or '(without code)'}"
    _check_keys(where, template, TEMPLATE_KEYS)
    if not isinstance(code, str) or not _CODE.match(code) or len(code) > _CODE_MAX:
        raise TemplateError(f"{where}: the code must look like 'topic.measure' (lower case, ≤ {_CODE_MAX})")
    if template["topic"] not in topics:
        raise TemplateError(f"{where}: unknown topic {template['topic']!r}")
    if not code.startswith(template["topic"] + "."):
        raise TemplateError(f"{where}: the code must start with its topic, {template['topic']}.")
    _check_choice(where, "measure_type", template["measure_type"], MEASURE_TYPES)
    _check_choice(where, "value_kind", template["value_kind"], VALUE_KINDS)
    _check_choice(where, "direction", template["direction"], DIRECTIONS)
    if template["default_chart"] is not None:
        _check_choice(where, "default_chart", template["default_chart"], CHART_KINDS)
    multiplier = template["multiplier"]
    if isinstance(multiplier, bool) or not isinstance(multiplier, (int, float)) or multiplier <= 0:
        raise TemplateError(f"{where}: multiplier must be a positive number, not {multiplier!r}")
    if not isinstance(template["is_proposal"], bool):
        raise TemplateError(f"{where}: is_proposal must be true or false")
    if not isinstance(template["source"], str) or not template["source"].strip():
        raise TemplateError(f"{where}: source must name where the definition comes from")
    _check_languages(where, template["texts"])
    for language in LANGUAGES:
        _validate_wording(f"{where} ({language})", template, language)


def _validate_wording(where: str, template: dict[str, Any], language: str) -> None:
    wording = template["texts"][language]
    _check_keys(where, wording, TEXT_KEYS)
    for key, text in wording.items():
        if not isinstance(text, str):
            raise TemplateError(f"{where}: {key} must be text")
    for key in ("name", "short_name", "numerator", "inclusions", "exclusions", "notes"):
        if not wording[key].strip():
            raise TemplateError(f"{where}: {key} is empty")
    if len(wording["short_name"]) > SHORT_NAME_MAX:
        raise TemplateError(f"{where}: short_name is longer than {SHORT_NAME_MAX} characters")
    is_ratio = template["value_kind"] in RATIO_KINDS
    if is_ratio and not wording["denominator"].strip():
        raise TemplateError(f"{where}: a {template['value_kind']} needs a denominator")
    if not is_ratio and wording["denominator"].strip():
        raise TemplateError(f"{where}: a {template['value_kind']} has no denominator")
    says_proposal = wording["notes"].startswith(PROPOSAL_PREFIX[language])
    if template["is_proposal"] and not says_proposal:
        raise TemplateError(f"{where}: a proposal's notes must start with {PROPOSAL_PREFIX[language]!r}")
    if not template["is_proposal"] and PROPOSAL_PREFIX[language] in wording["notes"]:
        raise TemplateError(f"{where}: calls itself a proposal but is_proposal is false")


def _check_keys(where: str, mapping: Any, expected: set[str] | frozenset[str]) -> None:
    if not isinstance(mapping, dict):
        raise TemplateError(f"{where} must be an object")
    unknown = set(mapping) - set(expected)
    if unknown:
        raise TemplateError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    missing = set(expected) - set(mapping)
    if missing:
        raise TemplateError(f"{where}: missing keys {', '.join(sorted(missing))}")


def _check_languages(where: str, texts: Any) -> None:
    if not isinstance(texts, dict):
        raise TemplateError(f"{where}: texts must be an object with {' and '.join(LANGUAGES)}")
    missing = [language for language in LANGUAGES if language not in texts]
    if missing:
        raise TemplateError(f"{where}: missing language {', '.join(missing)}")
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise TemplateError(f"{where}: unknown language {', '.join(sorted(unknown))}")


def _check_choice(where: str, key: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise TemplateError(f"{where}: bad {key} {value!r}; one of {', '.join(choices)}")
