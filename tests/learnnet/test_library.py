"""The measure template library: the shipped file is complete, and loading it is safe to repeat."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from learnnet.library import (
    LANGUAGES,
    PROPOSAL_PREFIX,
    SHORT_NAME_MAX,
    TEMPLATES_PATH,
    TEXT_KEYS,
    TemplateError,
    definition_from_template,
    load_templates,
    read_templates,
    read_topics,
    validate_library,
)
from learnnet.models import MeasureTemplate
from tests.learnnet import factories as f

TOPICS = {
    "malnutrition",
    "early_detection",
    "falls",
    "pressure_ulcers",
    "uti",
    "medication_review",
    "user_defined",
}


def by_code() -> dict[str, dict]:
    return {template["code"]: template for template in read_templates()}


def library_data() -> dict:
    return json.loads(TEMPLATES_PATH.read_text(encoding="utf-8"))


def test_the_library_file_ships_inside_the_package():
    assert TEMPLATES_PATH.parent.name == "data"
    assert TEMPLATES_PATH.parent.parent.name == "learnnet"


def test_every_topic_has_templates_and_names_in_both_languages():
    topics = read_topics()
    assert set(topics) == TOPICS
    assert {t["topic"] for t in read_templates()} == TOPICS
    assert topics["malnutrition"] == {"nb": "Underernæring", "en": "Malnutrition"}


def test_every_template_is_worded_completely_in_both_languages():
    for template in read_templates():
        assert set(template["texts"]) == set(LANGUAGES)
        for language in LANGUAGES:
            wording = template["texts"][language]
            assert set(wording) == TEXT_KEYS
            assert wording["name"] and wording["numerator"] and wording["notes"]
            assert 0 < len(wording["short_name"]) <= SHORT_NAME_MAX, template["code"]


def test_norwegian_and_english_wordings_differ():
    for template in read_templates():
        nb, en = template["texts"]["nb"], template["texts"]["en"]
        assert nb["name"] != en["name"], template["code"]
        assert nb["notes"] != en["notes"], template["code"]


def test_proposals_say_so_in_both_languages_and_others_do_not():
    templates = read_templates()
    proposals = {t["code"] for t in templates if t["is_proposal"]}
    assert {
        "malnutrition.weighed",
        "early_detection.isbar",
        "early_detection.admissions",
        "uti.catheter_indication",
        "uti.catheter_reviewed",
        "medication_review.on_admission",
    } <= proposals
    assert "malnutrition.screened" not in proposals
    assert "medication_review.annual" not in proposals
    for template in templates:
        for language in LANGUAGES:
            notes = template["texts"][language]["notes"]
            assert notes.startswith(PROPOSAL_PREFIX[language]) == template["is_proposal"], (
                template["code"],
                language,
            )


def test_the_generic_templates_cover_each_kind_of_value():
    generic = {t["value_kind"] for t in read_templates() if t["topic"] == "user_defined"}
    assert generic == {"proportion", "rate", "count", "continuous"}


def test_templates_carry_the_facts_of_their_sources():
    templates = by_code()
    screened = templates["malnutrition.screened"]["texts"]
    assert "24 timer" in screened["nb"]["numerator"]
    assert "1 uke" in screened["nb"]["numerator"]
    assert "2 uker" in screened["nb"]["numerator"]
    assert "43,3 %" in screened["nb"]["notes"] and "43.3 %" in screened["en"]["notes"]
    assert "73,2 %" in templates["malnutrition.plan"]["texts"]["nb"]["notes"]
    review = templates["medication_review.annual"]
    assert "61,7 %" in review["texts"]["nb"]["notes"] and "57,7 %" in review["texts"]["nb"]["notes"]
    assert review["source"].startswith("Helsedirektoratet")
    news2 = templates["early_detection.news2_admission"]
    for sign in (
        "respirasjonsfrekvens",
        "SpO₂",
        "systolisk blodtrykk",
        "puls",
        "bevissthet",
        "temperatur",
    ):
        assert sign in news2["texts"]["nb"]["numerator"]
    assert "2020" in news2["source"]
    falls = templates["falls.rate"]
    assert (falls["multiplier"], falls["default_chart"], falls["direction"]) == (1000, "u", "down")
    assert "4,44" in falls["texts"]["nb"]["notes"] and "4.44" in falls["texts"]["en"]["notes"]
    assert templates["falls.days_between"]["default_chart"] == "t"
    assert "300" in templates["falls.days_between"]["texts"]["nb"]["notes"]
    assert "500–1 000" in templates["pressure_ulcers.days_between"]["texts"]["nb"]["notes"]
    assert templates["uti.catheter_days"]["multiplier"] == 1000
    assert templates["uti.patient_days"]["multiplier"] == 10000
    assert "balansemål" in templates["uti.patient_days"]["texts"]["nb"]["notes"]


def test_rates_have_a_unit_per_multiplier_and_proportions_are_percentages():
    for template in read_templates():
        label = template["texts"]["en"]["unit_label"]
        if template["value_kind"] == "proportion":
            assert template["multiplier"] == 100 and label == "%"
        if template["value_kind"] == "rate":
            assert f"{int(template['multiplier']):,}" in label, template["code"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.update(colour="blue"), "unknown keys colour"),
        (lambda t: t.pop("direction"), "missing keys direction"),
        (lambda t: t["texts"].pop("en"), "missing language en"),
        (lambda t: t["texts"].update(de=t["texts"]["nb"]), "unknown language de"),
        (lambda t: t.update(value_kind="percentage"), "bad value_kind 'percentage'"),
        (lambda t: t.update(measure_type="structure"), "bad measure_type"),
        (lambda t: t.update(default_chart="pie"), "bad default_chart"),
        (lambda t: t.update(multiplier=0), "multiplier must be a positive number"),
        (lambda t: t.update(topic="delirium"), "unknown topic"),
        (lambda t: t["texts"]["nb"].update(short_name="x" * 31), "short_name is longer"),
        (lambda t: t["texts"]["en"].pop("exclusions"), "missing keys exclusions"),
        (lambda t: t["texts"]["nb"].update(denominator=""), "needs a denominator"),
        (lambda t: t.update(is_proposal=True), "must start with 'Forslag fra utviklingssenteret:'"),
    ],
)
def test_malformed_templates_are_refused_with_a_clear_message(change, message):
    data = library_data()
    template = next(t for t in data["templates"] if t["code"] == "malnutrition.screened")
    change(template)
    with pytest.raises(TemplateError, match="malnutrition.screened") as error:
        validate_library(data)
    assert message in str(error.value)


def test_duplicate_codes_are_refused():
    data = library_data()
    data["templates"].append(copy.deepcopy(data["templates"][0]))
    with pytest.raises(TemplateError, match="appears twice"):
        validate_library(data)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TemplateError, match="not valid JSON"):
        read_templates(path)


def test_load_templates_inserts_every_template(db_session):
    count = load_templates(db_session)
    assert count == len(read_templates())
    assert db_session.scalar(select(func.count()).select_from(MeasureTemplate)) == count
    row = db_session.scalar(select(MeasureTemplate).where(MeasureTemplate.code == "falls.rate"))
    assert row.topic == "falls"
    assert row.multiplier == 1000.0
    assert row.unit_label == "per 1 000 liggedøgn"
    assert row.text("en", "name") == "Falls per 1,000 occupied bed-days"


def test_load_templates_is_idempotent_and_repairs_edited_rows(db_session):
    load_templates(db_session)
    row = db_session.scalar(select(MeasureTemplate).where(MeasureTemplate.code == "malnutrition.screened"))
    first_id = row.id
    row.direction = "down"
    row.texts = {"nb": {"name": "edited"}}
    db_session.flush()
    assert load_templates(db_session) == len(read_templates())
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(MeasureTemplate)) == len(read_templates())
    row = db_session.get(MeasureTemplate, first_id)
    assert row.direction == "up"
    assert row.texts == by_code()["malnutrition.screened"]["texts"]


def test_load_templates_leaves_templates_no_longer_in_the_file(db_session):
    db_session.add(
        MeasureTemplate(
            code="old.measure",
            topic="old",
            measure_type="process",
            value_kind="count",
            direction="up",
            texts={},
        )
    )
    load_templates(db_session)
    assert db_session.scalar(select(MeasureTemplate).where(MeasureTemplate.code == "old.measure"))


@pytest.mark.parametrize("language", ["nb", "en"])
def test_definition_from_template_copies_the_wording_of_one_language(db_session, language):
    load_templates(db_session)
    template = db_session.scalar(select(MeasureTemplate).where(MeasureTemplate.code == "falls.rate"))
    wording = by_code()["falls.rate"]["texts"][language]
    definition = definition_from_template(template, language, position=3, target=5.0)
    assert definition.template is template
    assert definition.code == "falls.rate"
    for key in TEXT_KEYS:
        assert getattr(definition, key) == wording[key]
    assert (definition.value_kind, definition.multiplier, definition.direction) == (
        "rate",
        1000.0,
        "down",
    )
    assert (definition.default_chart, definition.measure_type) == ("u", "outcome")
    assert (definition.position, definition.target, definition.is_proposal) == (3, 5.0, False)
    assert definition not in db_session


def test_a_definition_joins_the_network_its_caller_gives_it(db_session):
    load_templates(db_session)
    network = f.NetworkFactory()
    template = db_session.scalar(
        select(MeasureTemplate).where(MeasureTemplate.code == "early_detection.isbar")
    )
    definition = definition_from_template(template)
    network.measures.append(definition)
    db_session.flush()
    assert definition.id is not None and definition.template_id == template.id
    assert definition.is_proposal
    assert definition.notes.startswith("Forslag fra utviklingssenteret:")
    assert network.measures == [definition]


def test_definition_from_template_refuses_an_unknown_language(db_session):
    load_templates(db_session)
    template = db_session.scalar(select(MeasureTemplate).where(MeasureTemplate.code == "falls.rate"))
    with pytest.raises(ValueError, match="language"):
        definition_from_template(template, "sv")
