"""QA findings on the family, teacher and clinician pages (findings 1, 5, 6, 8, 16, 18)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html import unescape as html_unescape

import pytest

from neuroseq.brainmap import typical_statuses
from neuroseq.instrument import load_instrument
from neuroseq.web.models import (
    Assessment,
    Client,
    Membership,
    Role,
    ViewerKind,
    ViewerLink,
)
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from .helpers import example_inputs


def signed_for(client: Client, **changes) -> Assessment:
    """A signed assessment of ``client`` (whatever its birth date) through the services."""
    inputs = example_inputs(**changes)
    inputs["client"] = {"pseudonym": client.display_id}
    system = Actor.system("tests")
    draft = service.create_draft(system, client, inputs)
    signer = Membership.objects.get(organisation=client.organisation, role=Role.SUPERVISOR)
    return service.sign(system, service.submit(system, draft), signer=signer.user)


def family_text(http, world) -> str:
    return text_of(http.get(f"/clients/{world.child1.pk}/family/").content.decode())


def text_of(html: str) -> str:
    main = html.split('<main id="main"', 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def teenager(world, step_below: int = 0):
    """Alice at 14 years 6 months, rated at the typical child's level (minus steps), shared."""
    Client.objects.filter(pk=world.child1.pk).update(birth_date=dt.date(2012, 3, 14))
    world.child1.refresh_from_db()
    inst = load_instrument("2")
    typical = typical_statuses(inst, 174.0)
    ratings = {f: max(0, int(s or 0) - step_below) for f, s in typical.items()}
    signed = signed_for(world.child1, functional=ratings, assessment_date="2026-09-14")
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), signed)
    return signed


def test_a_typical_teenager_reads_as_expected_for_age_not_as_an_eight_year_old(world, as_role):
    signed = teenager(world)
    family = text_of(
        as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/").content.decode()
    )
    assert family.count("about where most children of the same age are") == 4
    assert "like a child of" not in family
    clinician = as_role(Role.CLINICIAN).get(f"/assessments/{signed.pk}/").content.decode()
    table = text_of(clinician.split('id="ages-title"', 1)[1].split("</table>", 1)[0])
    assert table.count("within the range for age (at least") == 4
    chart = clinician.split('class="age-equivalents"', 1)[1]
    assert chart.count('data-expected="yes"') == 4
    # each bar reaches the child's age line (174 months), not the top of the norms
    line = float(re.search(r'data-age-months="([0-9.]+)"', chart).group(1))
    assert line == pytest.approx(174.0, abs=0.1)
    ends = [
        float(x) + float(w)
        for x, w in re.findall(
            r'<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"[^>]*data-expected="yes"', chart
        )
    ]
    now = float(re.search(r'd="M([0-9.]+) [0-9.]+ V[0-9.]+"[^>]*data-age-months', chart).group(1))
    assert ends and all(e == pytest.approx(now, abs=0.5) for e in ends)


def test_a_teenager_a_whole_step_below_typical_still_reads_as_younger(world, as_role):
    teenager(world, step_below=1)
    family = text_of(
        as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/").content.decode()
    )
    assert "about where most children of the same age are" not in family
    assert (
        family.count("like a child of about")
        + family.count("still building")
        + family.count("working on skills")
        == 4
    )


def test_the_family_report_says_the_same_as_the_family_page():
    from neuroseq.assessment import parse_assessment
    from neuroseq.reports.content import build_report

    inst = load_instrument("2")
    inputs = example_inputs(
        assessment_date="2026-09-14",
        functional=dict(typical_statuses(inst, 174.0)),
    )
    inputs["client"]["birth_date"] = "2012-03-14"
    report = build_report(parse_assessment(inputs, inst), inst, "caregiver", child_name="Alice")
    assert [r["words"] for r in report.age_rows] == [
        "about where most children of the same age are"
    ] * 4


@pytest.mark.parametrize("kind", ["caregiver", "teacher"])
def test_health_and_touch_notes_come_first_on_the_family_page(world, as_role, kind):
    inputs = example_inputs()
    abuse = {"type": "physical_abuse", "period": "y2_4", "severity": 2, "chronicity": "repeated"}
    flags = {**inputs["clinical_flags"], "cardiac_concern": True}
    flagged = signed_for(
        world.child1,
        assessment_date="2026-04-20",
        clinical_flags=flags,
        adversities=[*inputs["adversities"], abuse],
        functional={**inputs["functional"], "tactile_processing": 1},
    )
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), flagged)
    html = as_role(Role.CLINICIAN).get(f"/clients/{world.child1.pk}/family/?as={kind}")
    page = html.content.decode().split('<main id="main"', 1)[1]
    first = page.index("First, with the clinic team")
    assert first < page.index('id="map-title"') < page.index('id="helps-title"')
    blocks = re.findall(r'class="plan-block plan-block-(\w+)"', page)
    # physical abuse and poorly tolerated touch: the touch note comes first too, once each
    assert blocks[:2] == ["medical", "contraindication"], blocks
    assert len(blocks) == len(set(blocks))
    assert page.index("plan-block-contraindication") < page.index('id="map-title"')


def header_of(html: str) -> str:
    return html.split('<main id="main"', 1)[0]


def test_a_caregiver_or_teacher_reads_a_plain_role_and_no_api_tokens_link(world, as_role):
    viewer = as_role(Role.VIEWER)
    caregiver = header_of(viewer.get(f"/clients/{world.child1.pk}/family/").content.decode())
    assert " · Caregiver · Alpha clinic" in caregiver
    assert "Caregiver / teacher viewer" not in caregiver
    assert "/account/tokens" not in caregiver and "API tokens" not in caregiver
    ViewerLink.objects.filter(client=world.child1).update(kind=ViewerKind.TEACHER)
    teacher = header_of(viewer.get(f"/clients/{world.child1.pk}/family/").content.decode())
    assert " · Teacher · Alpha clinic" in teacher
    clinician = header_of(as_role(Role.CLINICIAN).get("/clients/").content.decode())
    assert " · Clinician · Alpha clinic" in clinician and "API tokens" in clinician


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_family_pdf_header_names_the_child_not_the_code_and_instrument(world, as_role):
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), world.signed)
    response = as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/report/")
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Alice · review of 16 March 2026" in text
    assert "A-0001" not in text and "instrument 2" not in text
    assert "What Alice finds hard right now" in text  # the same list as the page (QA 16)


def test_the_age_chart_and_the_table_round_an_age_equivalent_the_same_way(world, as_role):
    # the worked example's sensory age equivalent is 30.98 months: 2 years 7 months to the
    # nearest month; the chart used to floor it to 2 years 6 months
    html = as_role(Role.CLINICIAN).get(f"/assessments/{world.signed.pk}/").content.decode()
    section = html.split('id="ages-title"', 1)[1].split("</section>", 1)[0]
    inst = load_instrument(world.signed.instrument_version)
    compared = 0
    for d in inst.domains:
        cell = re.search(rf'<th scope="row">{re.escape(d.name)}</th><td>([^<]+)</td>', section)
        bar = re.search(rf"<title>{re.escape(d.plain_name)}: ([^<]+)</title>", section)
        assert cell and bar, d.id
        assert cell.group(1).startswith(bar.group(1)), (cell.group(1), bar.group(1))
        compared += 1
    assert compared == 4
    assert "about 2 years 7 months" in section and "2 years 6 months" not in section


def test_a_four_year_olds_family_map_compares_every_skill_with_children_of_the_same_age(
    world, as_role
):
    Client.objects.filter(pk=world.child1.pk).update(birth_date=dt.date(2022, 3, 14))
    world.child1.refresh_from_db()
    inst = load_instrument("2")
    typical = typical_statuses(inst, 48.0)
    assert 1 in typical.values()  # a typical 4-year-old has skills "just starting"
    lower = next(f for f, s in typical.items() if s == 2)
    inputs = example_inputs()
    history = {p: v for p, v in inputs["relational_history"].items() if p not in {"y4_6", "y6_12"}}
    young = [a for a in inputs["adversities"] if a["period"] not in {"y4_6", "y6_12"}]
    signed = signed_for(
        world.child1,
        assessment_date="2026-03-14",
        functional={**typical, lower: 1},
        relational_history=history,
        adversities=young,
    )
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), signed)
    html = as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/").content.decode()
    tiles = html.split('id="map-title"', 1)[1].split('id="ages-title"', 1)[0]
    texts = [text_of(t) for t in re.findall(r'<li class="tile s\d.*?</li>', tiles)]
    assert len(texts) == 2 * len(inst.functions)  # the list twice: open on phones, folded
    name = inst.function(lower).plain_name
    below = [t for t in texts if name in t]
    assert below and "most children of this age: coming along" in below[0]
    others = [t for t in texts if name not in t]
    assert all("as expected at this age" in t for t in others), others
    assert sum("just starting" in t and "as expected at this age" in t for t in others) >= 1
    svg = tiles.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('data-vs-typical="below"') == 1


def test_the_teacher_page_lists_what_the_child_finds_hard_as_its_intro_promises(world, as_role):
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), world.signed)
    ViewerLink.objects.filter(client=world.child1).update(kind=ViewerKind.TEACHER)
    html = as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/").content.decode()
    assert "what Alice finds hard right now" in text_of(html)
    section = html.split('id="hard-title"', 1)[1].split("</section>", 1)[0]
    inst = load_instrument(world.signed.instrument_version)
    ratings = world.signed.inputs["functional"]
    typical = typical_statuses(inst, float(world.signed.scores["chronological_age_months"]))
    behind = [
        f for f in inst.functions if ratings[f.id] is not None and ratings[f.id] < typical[f.id]
    ]
    listed = [html_unescape(x) for x in re.findall(r"<li><strong>([^<]+)</strong>", section)]
    assert behind and sorted(listed) == sorted(f.plain_name for f in behind)
    assert "most children of this age:" in section


def test_a_child_at_the_typical_level_has_nothing_listed_as_hard(world, as_role):
    teenager(world)
    ViewerLink.objects.filter(client=world.child1).update(kind=ViewerKind.TEACHER)
    text = family_text(as_role(Role.VIEWER), world)
    assert "No skill on the map is behind most children of the same age." in text
