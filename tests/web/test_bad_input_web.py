"""Bad input to the web JSON import (issue 10, finding 6): the review found 18 server errors
in 218 bad inputs, all on the JSON form then at POST /clients/<id>/assessments/new/ (now
/clients/<id>/assessments/import/): a 5,000-digit integer, JSON nested 500 deep, and a list
of 10,000 adversities stored (932 KB, a 3.2 MB page).

Every bad input now gets a 400 naming the field and the limit, and changes nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.web.models import Assessment, AuditEvent, Client, Role

from .helpers import example_inputs, sign_in


def post(http, world, raw: str):
    return http.post(f"/clients/{world.child1.pk}/assessments/import/", {"inputs": raw})


def rows() -> tuple[int, int]:
    return Assessment.objects.count(), Client.objects.count()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"assessment_date": ' + "9" * 5000 + "}", "a number with 5000 digits; at most 100"),
        ("[" * 500 + "]" * 500, "nested 500 levels deep; at most 32"),
        ('{"a": NaN}', "nan is not a json number"),
        ('{"note": "' + "x" * 200 * 1024 + '"}', "the text is 200 kb; at most 100 kb"),
    ],
)
def test_hostile_json_is_a_field_error(world, as_role, raw, message):
    http = as_role(Role.CLINICIAN)
    before = rows()
    response = post(http, world, raw)
    assert response.status_code == 400
    assert message in response.content.decode().lower()
    assert "inputs" in response.context["form"].errors
    assert rows() == before


def test_too_many_adversities_is_a_field_error(world, as_role):
    data = example_inputs()
    data["adversities"] = [data["adversities"][0]] * 150
    response = post(as_role(Role.CLINICIAN), world, json.dumps(data))
    assert response.status_code == 400
    assert "adversities: expected at most 100 entries, got 150" in response.content.decode()


def test_a_flood_of_problems_is_listed_short(world, as_role):
    data = example_inputs()
    data["functional"] = {f"unknown_{n}": 1 for n in range(180)}
    response = post(as_role(Role.CLINICIAN), world, json.dumps(data))
    text = response.content.decode()
    assert response.status_code == 400 and "and 130 more problems" in text
    assert len(text) < 60_000


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=15,
)
FIELDS = ["assessment_date", "adversities", "functional", "relational_history", "client", "format"]


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=3), raw=st.booleans())
def test_generated_input_is_saved_or_refused_never_a_server_error(world, http, changes, raw):
    sign_in(http, world.user(Role.CLINICIAN))
    data: Any = copy.deepcopy(example_inputs())
    data.update(changes)
    before = rows()
    events_before = AuditEvent.objects.count()
    response = post(http, world, json.dumps(changes if raw else data))
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert rows() == before
        assert AuditEvent.objects.count() == events_before  # no partial write, no event
