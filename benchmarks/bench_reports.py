"""PDF report cost: WeasyPrint layout against rendering the same report's HTML.

Run: ``python benchmarks/bench_reports.py``. Prints numbers only; nothing here asserts a time.
Tracked figure: PDF time / HTML render time of the same clinician report (worked example with
an earlier review, so every section is drawn). Goal <= 20 (issue 12): a download may cost
twenty page renders. Not met at the time of writing: the HTML takes about 0.1 s (no
database), WeasyPrint's layout of the 19-page clinician report about 10 s on a shared 2-core
machine, about half of it drawing the SVG maps' text. The absolute seconds are printed and
kept in the figure's note, so a change in either step shows.
"""

from __future__ import annotations

import copy
import statistics
import time

from figures import record_figure
from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.reports import build_report
from neuroseq.web.reports import render_html, render_pdf


def _timed(work, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    inst = load_instrument()
    now = parse_assessment(WORKED_EXAMPLE, inst)
    earlier_data = copy.deepcopy(WORKED_EXAMPLE)
    earlier_data["assessment_date"] = "2025-09-15"
    earlier_data["functional"] = {
        k: (max(0, v - 1) if v else v) for k, v in WORKED_EXAMPLE["functional"].items()
    }
    earlier = parse_assessment(earlier_data, inst)
    render_pdf(render_html(build_report(now, inst, "caregiver"), inst))  # warm-up: fonts

    for audience in ("clinician", "caregiver"):

        def html_step(audience: str = audience) -> str:
            return render_html(build_report(now, inst, audience, earlier=[earlier]), inst)

        html_seconds, html = _timed(html_step, 3)
        pdf_seconds, pdf = _timed(lambda html=html: render_pdf(html), 3)
        ratio = pdf_seconds / html_seconds
        print(
            f"{audience:10s} HTML {html_seconds * 1000:7.0f} ms   PDF layout "
            f"{pdf_seconds * 1000:7.0f} ms   ratio {ratio:5.1f}   {len(pdf) / 1024:6.0f} KiB"
        )
        if audience == "clinician":
            record_figure(
                "report PDF time / HTML render time (clinician, worked example)",
                ratio,
                "x",
                "<= 20",
                note=f"HTML {html_seconds:.2f} s, PDF {pdf_seconds:.2f} s (median of 3)",
            )


if __name__ == "__main__":
    main()
