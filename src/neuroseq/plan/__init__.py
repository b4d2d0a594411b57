"""Sequential, bottom-up recommendations: regulate, relate, reason.

Pure domain code: no Django, no I/O beyond reading the instrument's data files (activity
catalogue, plan rules). ``plan_for_assessment`` scores an assessment and builds its plan;
``build_plan`` takes plain inputs; ``render_plan`` writes it for a clinician, a caregiver
or a teacher; ``check_coverage`` says whether enough is rated for a plan (instrument v2).
"""

from neuroseq.plan.coverage import check_coverage
from neuroseq.plan.engine import build_plan, plan_for_assessment
from neuroseq.plan.inputs import PlanInputs, plan_inputs
from neuroseq.plan.model import Plan
from neuroseq.plan.render import AUDIENCES, Audience, render_plan

__all__ = [
    "AUDIENCES",
    "Audience",
    "Plan",
    "PlanInputs",
    "build_plan",
    "check_coverage",
    "plan_for_assessment",
    "plan_inputs",
    "render_plan",
]
