"""The chart's reading in words, as a nurse reads it on the measure page, in both languages."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from learnnet.analysis import series as analysis
from learnnet.analysis.readings import describe
from learnnet.models import ChartSettings
from tests.clock import month
from tests.learnnet import factories as f


@pytest.fixture
def read(app, db_session, world):
    """The reading of the world's team's measure over these months, in a language."""

    def reading(numerators, denominators, language="en", rule_set=None, chart_kind=None):
        team, measure = world.own_team, world.measure
        for k, (numerator, denominator) in enumerate(zip(numerators, denominators)):
            f.MeasurementFactory(
                team=team, measure=measure, period=month(k), numerator=numerator, denominator=denominator
            )
        settings = None
        if chart_kind is not None:
            settings = ChartSettings(team_id=team.id, measure_id=measure.id, chart_kind=chart_kind)
            db_session.add(settings)
        db_session.flush()
        result = analysis.analyse(analysis.load_series(team, measure), settings, rule_set=rule_set)
        with app.test_request_context(), force_locale(language):
            return result, describe(result)

    return reading


# 6,000 residents a month at 30 %, 33 %, 30 %, 27 %, …: binomial variation alone would give
# about ±0.6 points a month, so the 33 % and 27 % months all lie beyond the p chart's limits.
OVERDISPERSED = [1800, 1980, 1800, 1620] * 5


NARROW = {
    "en": "The limits look too narrow for these denominators; a Laney p′ or u′ chart may suit better.",
    "nb": "Grensene ser for smale ut for disse nevnerne; et Laney p′- eller u′-diagram kan passe bedre.",
}


@pytest.mark.parametrize("language,sentence", list(NARROW.items()))
def test_an_overdispersed_p_chart_says_first_that_its_limits_are_too_narrow(read, language, sentence):
    result, text = read(OVERDISPERSED, [6000] * 20, language)
    assert result.chart.kind == "p"
    assert result.chart.sigma_signal.sum() == 10  # every other month beyond the limits
    assert text.headline == sentence
    assert text.code == "limits_too_narrow"
    assert not [s for s in result.reading.statements if s.rule == "beyond_limits"]
    assert sentence not in text.details


@pytest.mark.parametrize("language,real_change", [("en", "a real change"), ("nb", "en reell endring")])
def test_months_that_go_up_and_down_in_turn_are_not_a_real_change(read, language, real_change):
    # 7 and 9 of 16 in turn for 20 months: twenty runs where chance gives 7 to 15 (IHI).
    result, text = read([7, 9] * 10, [16] * 20, language, rule_set="ihi")
    assert (result.reading.headline.rule, result.reading.code) == ("many_runs", "special_cause")
    assert real_change not in text.headline
    if language == "en":
        assert text.headline.startswith("There are more runs than chance would give: the months go up")


def test_months_below_the_limit_before_a_step_up_are_not_a_change_for_the_worse(read):
    # Six months at about 30 % of 40, then sixteen at about 80 %, with no phase: the first six lie
    # below the p chart's lower limit only because the centre line sits between the two levels.
    numerators = [12, 11, 13, 12, 11, 13] + [32, 33, 31, 32] * 4
    result, text = read(numerators, [40] * 22)
    assert result.chart.kind == "p" and result.chart.sigma_signal[:6].all()
    assert text.code == "improvement"
    assert "a real change for the worse" not in text.text
    assert text.text.count("lies below the lower control limit: the level before that change.") == 6


@pytest.mark.parametrize(
    "language,real", [("en", ("a real improvement", "a real change for the worse")),
                      ("nb", ("en reell forbedring", "en reell forverring"))]
)
def test_one_outlier_in_an_i_chart_does_not_make_twelve_ordinary_months_a_change(read, language, real):
    # One month at 38 of 40 (95 %), then twelve at 9 to 11 of 40 (22.5–27.5 %): the mean, 30.4 %,
    # lies above all twelve, which form a run below it only because of that one month.
    numerators = [38] + [10, 9, 11, 10, 11, 9, 10, 11, 9, 10, 10, 11]
    result, text = read(numerators, [40] * 13, language, chart_kind="i")
    assert result.chart.kind == "i" and result.chart.sigma_signal[0]
    shift = next(s for s in result.reading.statements if s.rule == "shift")
    assert (shift.movement, shift.length, shift.context) == ("down", 12, "pulled_by_outliers")
    sentences = [text.headline, *text.details]
    run = next(t for t in sentences if t.startswith(("12 months in a row", "12 måneder på rad")))
    assert not any(verdict in run for verdict in real)
    if language == "en":
        assert run.endswith(
            ": the mean is pulled by months far out on the other side of it; without them this is no change."
        )
    low = [t for t in sentences if "lower control limit" in t or "nedre kontrollgrense" in t]
    assert low and not any(verdict in t for t in low for verdict in real)
