"""The instrument as a REDCap data dictionary (CSV), so research sites can collect it there.

The 18 columns are REDCap's data dictionary columns, in REDCap's order (REDCap "Data
Dictionary" download; the same header in REDCap's own template). Variable names follow
REDCap's rules: lowercase letters, digits and underscores, starting with a letter.
A rating left empty means "not rated", exactly as ``null`` in the assessment format.
"""

from __future__ import annotations

from typing import IO

from neuroseq.instrument import STATUSES, Instrument
from neuroseq.instrument.schema import Anchors
from neuroseq.interop.csv_safety import SafeWriter
from neuroseq.interop.fhir_questionnaire import flags_of

COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
NOT_RATED_NOTE = "Leave empty if not rated (excluded from the scores, never counted as zero)."


def _label(text: str) -> str:
    """REDCap separates choices with "|": keep it out of labels."""
    return " ".join(text.replace("|", "/").split())


def _choices(pairs: list[tuple[str, str]]) -> str:
    return " | ".join(f"{code}, {_label(label)}" for code, label in pairs)


def _anchor_choices(anchors: Anchors) -> str:
    return _choices([(str(s), anchors.for_status(s)) for s in STATUSES])


def _row(name: str, form: str, kind: str, label: str, **cells: str) -> list[str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        {
            "Variable / Field Name": name,
            "Form Name": form,
            "Field Type": kind,
            "Field Label": _label(label),
        }
    )
    keys = {
        "section": "Section Header",
        "choices": "Choices, Calculations, OR Slider Labels",
        "note": "Field Note",
        "validation": "Text Validation Type OR Show Slider Number",
        "minimum": "Text Validation Min",
        "maximum": "Text Validation Max",
        "identifier": "Identifier?",
        "required": "Required Field?",
        "annotation": "Field Annotation",
    }
    for key, value in cells.items():
        row[keys[key]] = value
    return [row[c] for c in COLUMNS]


def dictionary_rows(inst: Instrument) -> list[list[str]]:
    form = "assessment"
    rows = [
        _row(
            "record_id",
            form,
            "text",
            "Pseudonymous id of the child (never a name)",
            section=f"{inst.header.name}, version {inst.version}. {_label(inst.header.status)}",
        ),
        _row(
            "instrument_version",
            form,
            "text",
            "Instrument version",
            # Text first: a cell starting with "@" would be escaped as a possible formula.
            annotation=f'Filled in by REDCap: @DEFAULT="{inst.version}" @READONLY',
        ),
        _row(
            "assessment_date", form, "text", "Assessment date", validation="date_ymd", required="y"
        ),
        _row(
            "birth_date",
            form,
            "text",
            "Birth date (or give the age in months below)",
            validation="date_ymd",
            identifier="y",
        ),
        _row(
            "chronological_age_months",
            form,
            "text",
            "Age at the assessment date, in months",
            validation="number",
            minimum="0",
            maximum="216",
        ),
        _row("rater", form, "text", "Rater", identifier="y"),
        _row("synthetic", form, "yesno", "Synthetic (generated, not a real child)?"),
    ]
    form = "adversities"
    rows += [
        _row(
            "adversity_type",
            form,
            "dropdown",
            "Adversity type",
            section="One adversity per instance: enable repeating instruments for this form.",
            choices=_choices([(t.id, t.name) for t in inst.adversity_types]),
        ),
        _row(
            "adversity_period",
            form,
            "dropdown",
            "Developmental period",
            choices=_choices([(p.id, p.label) for p in inst.periods]),
        ),
        _row(
            "adversity_severity",
            form,
            "radio",
            "Severity",
            choices=_choices([("1", "mild"), ("2", "moderate"), ("3", "severe")]),
        ),
        _row(
            "adversity_chronicity",
            form,
            "radio",
            "Chronicity",
            choices=_choices([(c.id, c.label) for c in inst.chronicity]),
        ),
        _row("adversity_note", form, "notes", "Note", identifier="y"),
    ]
    form = "relational_health"
    for p in inst.periods:
        for i, h in enumerate(inst.history_items):
            rows.append(
                _row(
                    f"rh_{p.id}_{h.id}",
                    form,
                    "radio",
                    f"{h.name} ({p.label})",
                    section=f"Relational health history: {p.label}" if i == 0 else "",
                    choices=_anchor_choices(h.anchors),
                    note=NOT_RATED_NOTE,
                )
            )
    for i, c in enumerate(inst.current_items):
        rows.append(
            _row(
                f"crh_{c.id}",
                form,
                "radio",
                c.name,
                section="Current relational health" if i == 0 else "",
                choices=_anchor_choices(c.anchors),
                note=NOT_RATED_NOTE,
            )
        )
    form = "functional_review"
    for r in inst.regions:
        first_in_region = True
        for d in inst.domains:
            for f in (f for f in inst.functions_in_region(r.id) if f.domain == d.id):
                rows.append(
                    _row(
                        f"fn_{f.id}",
                        form,
                        "radio",
                        f.name,
                        section=f"{r.name} (functional review, bottom-up)"
                        if first_in_region
                        else "",
                        choices=_anchor_choices(f.anchors),
                        note=f"{d.name}. {NOT_RATED_NOTE}",
                    )
                )
                first_in_region = False
    form = "clinical_flags"
    for i, flag in enumerate(flags_of(inst)):
        rows.append(
            _row(
                f"flag_{flag.id}",
                form,
                "yesno",
                f"{flag.label} ({flag.kind})",
                section="Clinical flags: these come first, before any activity" if i == 0 else "",
                note=f"Tick when: {_label(flag.description)} Leave empty if not assessed.",
            )
        )
    return rows


def write_redcap_dictionary(inst: Instrument, file: IO[str]) -> None:
    """Write the data dictionary CSV (header and one row per field) to ``file``."""
    writer = SafeWriter(file)
    writer.writerow(COLUMNS)
    writer.writerows(dictionary_rows(inst))
