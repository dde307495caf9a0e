"""The short reading a facilitator projects with each chart of a learning-session pack: at most two
plain sentences, without the names of chart types or statistical terms."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from learnnet.analysis import series as analysis
from learnnet.analysis.readings import brief, describe
from tests.clock import month
from tests.learnnet import factories as f

JARGON = ("p′", "u′", "Laney", "p chart", "u chart", "sigma", "run chart", "diagram")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


@pytest.fixture
def read(app, db_session, world):
    def reading(numerators, denominators, language="en"):
        team, measure = world.own_team, world.measure
        for k, (numerator, denominator) in enumerate(zip(numerators, denominators)):
            f.MeasurementFactory(
                team=team, measure=measure, period=month(k), numerator=numerator, denominator=denominator
            )
        db_session.flush()
        result = analysis.analyse(analysis.load_series(team, measure), None)
        with app.test_request_context(), force_locale(language):
            return describe(result), brief(result)

    return reading


@pytest.mark.parametrize("language", ["en", "nb"])
def test_limits_too_narrow_for_the_denominators_are_said_without_naming_another_chart(read, language):
    # 6,000 residents a month at 30 %, 33 %, 30 %, 27 %, …: every other month beyond the p chart's limits.
    full, short = read([1800, 1980, 1800, 1620] * 5, [6000] * 20, language)
    assert "Laney" in full.text  # the measure page keeps the advice
    assert 1 <= len(sentences(short.text)) <= 2
    assert not [word for word in JARGON if word in short.text]


@pytest.mark.parametrize("language", ["en", "nb"])
def test_a_step_up_is_one_headline_not_every_month_below_the_limit(read, language):
    # Six months at about 30 % of 40, then sixteen at about 80 %: the full reading names each of the six
    # months below the lower limit; the short one says there is a real improvement and no more.
    numerators = [12, 11, 13, 12, 11, 13] + [32, 33, 31, 32] * 4
    full, short = read(numerators, [40] * 22, language)
    assert len(sentences(full.text)) > 6
    assert short.headline == full.headline
    assert len(sentences(short.text)) <= 2
    assert ("a real improvement" if language == "en" else "en reell forbedring") in short.headline
    assert not [word for word in JARGON if word in short.text]


def test_common_cause_variation_is_one_sentence(read):
    full, short = read([10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9], [20] * 12)
    assert short.code == "common_cause"
    assert sentences(short.text) == [full.headline]
