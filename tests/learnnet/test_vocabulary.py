"""One vocabulary: the codes for value kinds, chart kinds, rule sets and directions come from
``measures``; every table that names them in words names each of them, and a measure of every value
kind the app takes gets a chart."""

import json

import pytest
from sqlalchemy import select

from charts.spc import render_spc
from learnnet.analysis import analyse_team_measure
from learnnet.analysis.chartdata import figure_data
from learnnet.analysis.readings import describe
from learnnet.library import LIBRARY_FORMAT, definition_from_template, load_templates
from learnnet.models import MeasureTemplate
from learnnet.models.definitions import RATIO_KINDS
from learnnet.networks.forms import DIRECTION_NAMES, RULE_SET_NAMES, DefinitionForm, NetworkForm
from learnnet.teams.forms import CHART_KIND_LABELS
from measures.choice import CHART_OPTIONS, VALUE_KINDS
from measures.rules import DIRECTIONS, RULE_SETS
from measures.spc import CHART_KINDS
from tests.clock import month
from tests.learnnet import factories as f


def test_every_rule_set_and_direction_has_a_name_in_the_forms(app):
    assert tuple(RULE_SET_NAMES) == RULE_SETS
    assert tuple(DIRECTION_NAMES) == DIRECTIONS
    with app.test_request_context():
        assert [c[0] for c in NetworkForm(meta={"csrf": False}).rule_set.iter_choices()] == list(RULE_SETS)
        form = DefinitionForm(meta={"csrf": False})
        assert [c[0] for c in form.direction.iter_choices()] == list(DIRECTIONS)
        assert [c[0] for c in form.default_chart.iter_choices()] == ["", *CHART_KINDS]


def test_every_chart_a_team_may_choose_has_a_name():
    assert {kind for options in CHART_OPTIONS.values() for kind in options} == set(CHART_KIND_LABELS)


def _template(value_kind: str) -> dict:
    ratio = value_kind in RATIO_KINDS
    wording = {
        "name": f"A measure of kind {value_kind}",
        "short_name": value_kind,
        "unit_label": "%" if value_kind == "proportion" else "",
        "numerator": "What is counted",
        "denominator": "What it is counted out of" if ratio else "",
        "inclusions": "Everyone",
        "exclusions": "No one",
        "notes": "None",
    }
    return {
        "code": f"vocabulary.{value_kind}",
        "topic": "vocabulary",
        "measure_type": "outcome",
        "value_kind": value_kind,
        "multiplier": {"proportion": 100, "rate": 1000}.get(value_kind, 1),
        "direction": "up",
        "default_chart": None,
        "is_proposal": False,
        "source": "The vocabulary test",
        "texts": {"nb": wording, "en": wording},
    }


@pytest.mark.parametrize("value_kind", VALUE_KINDS)
def test_a_measure_of_every_value_kind_the_library_offers_gets_a_chart_and_a_reading(
    app, db_session, tmp_path, value_kind
):
    library = {
        "format": LIBRARY_FORMAT,
        "topics": {"vocabulary": {"nb": "Ordforråd", "en": "Vocabulary"}},
        "templates": [_template(value_kind)],
    }
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(library), encoding="utf-8")
    load_templates(db_session, path)
    template = db_session.scalar(
        select(MeasureTemplate).where(MeasureTemplate.code == f"vocabulary.{value_kind}")
    )
    team = f.TeamFactory()
    measure = definition_from_template(template)
    team.network.measures.append(measure)
    for k, value in enumerate((4, 6, 5, 7, 3, 6)):
        if measure.is_ratio:
            f.MeasurementFactory(team=team, measure=measure, period=month(k), numerator=value, denominator=20)
        else:
            f.MeasurementFactory(
                team=team, measure=measure, period=month(k), numerator=None, denominator=None, value=value
            )
    db_session.flush()

    analysis = analyse_team_measure(team, measure)
    assert analysis.problem is None
    assert analysis.chart is not None and analysis.reading is not None
    with app.test_request_context():
        assert describe(analysis).headline
        assert render_spc(figure_data(analysis), "svg").startswith(b"<?xml")
