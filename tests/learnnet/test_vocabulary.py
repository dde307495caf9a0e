"""One vocabulary: the codes for rule sets, directions and chart kinds come from ``measures``, and
every table that names them in words names each of them."""

from learnnet.networks.forms import DIRECTION_NAMES, RULE_SET_NAMES, DefinitionForm, NetworkForm
from measures.rules import DIRECTIONS, RULE_SETS
from measures.spc import CHART_KINDS


def test_every_rule_set_and_direction_has_a_name_in_the_forms(app):
    assert tuple(RULE_SET_NAMES) == RULE_SETS
    assert tuple(DIRECTION_NAMES) == DIRECTIONS
    with app.test_request_context():
        assert [c[0] for c in NetworkForm(meta={"csrf": False}).rule_set.iter_choices()] == list(RULE_SETS)
        form = DefinitionForm(meta={"csrf": False})
        assert [c[0] for c in form.direction.iter_choices()] == list(DIRECTIONS)
        assert [c[0] for c in form.default_chart.iter_choices()] == ["", *CHART_KINDS]
