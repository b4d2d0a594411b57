"""Load and cross-check one version of the instrument from its YAML files."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from neuroseq.instrument.schema import (
    MAX_AGE_MONTHS,
    STATUSES,
    AdversitiesFile,
    AdversityType,
    AgeEquivalentSettings,
    Changes,
    Checkpoint,
    CheckpointsFile,
    Chronicity,
    ClinicalFlag,
    Domain,
    FlagsFile,
    Function,
    FunctionsFile,
    Gate,
    Header,
    InstrumentFile,
    Period,
    PeriodsFile,
    PlanSettings,
    Reference,
    ReferenceFile,
    Region,
    RelationalFile,
    RelationalItem,
    Reliability,
    ReliabilityFigure,
    StatusLevel,
    Transforms,
)

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_VERSION = "2"  # new assessments; older versions stay loadable and score as before
FLAGS_FILE = "flags.yaml"  # optional: instrument v1 has no clinical flags
CHECKPOINTS_FILE = "checkpoints.yaml"  # optional: instrument v1 has no checkpoint table
REFERENCE_FILE = "reference.yaml"  # v2 on: reliability figures from `instrument reference`

M = TypeVar("M", bound=BaseModel)


class InstrumentError(ValueError):
    """A data file of the instrument is broken; the message names file, item and problem."""


@dataclass(frozen=True)
class Instrument:
    """One validated version of the instrument, with lookup tables and dense arrays.

    The arrays (``weights``, ``norm_ages``, ``norm_grid``...) are what the vectorised
    scorer uses; they are derived once here so both scoring paths read the same numbers.
    """

    version: str
    header: Header
    regions: tuple[Region, ...]
    domains: tuple[Domain, ...]
    status_levels: tuple[StatusLevel, ...]
    functions: tuple[Function, ...]
    periods: tuple[Period, ...]
    chronicity: tuple[Chronicity, ...]
    adversity_types: tuple[AdversityType, ...]
    sensitivity: dict[str, dict[str, float]]
    sensitivity_rationale: str
    history_items: tuple[RelationalItem, ...]
    history_period_weights: dict[str, float]
    history_rationale: str
    current_items: tuple[RelationalItem, ...]
    current_rationale: str
    gate: Gate
    transforms: Transforms
    reliability: Reliability
    plan: PlanSettings
    data_dir: Path
    flags: tuple[ClinicalFlag, ...] = ()
    changes: Changes | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    age_equivalent_settings: AgeEquivalentSettings | None = None
    references: dict[str, Reference] = field(default_factory=dict)
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    # -- lookups ---------------------------------------------------------------
    def function(self, function_id: str) -> Function:
        return self._lookup("function", function_id)

    def region(self, region_id: str) -> Region:
        return self._lookup("region", region_id)

    def domain(self, domain_id: str) -> Domain:
        return self._lookup("domain", domain_id)

    def period(self, period_id: str) -> Period:
        return self._lookup("period", period_id)

    def adversity_type(self, type_id: str) -> AdversityType:
        return self._lookup("adversity_type", type_id)

    def chronicity_level(self, chronicity_id: str) -> Chronicity:
        return self._lookup("chronicity", chronicity_id)

    def flag(self, flag_id: str) -> ClinicalFlag:
        return self._lookup("flag", flag_id)

    @functools.cached_property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.flags)

    def flags_for_function(self, function_id: str) -> tuple[ClinicalFlag, ...]:
        return tuple(f for f in self.flags if f.function == function_id)

    def _lookup(self, kind: str, key: str) -> Any:
        try:
            return self._index[kind][key]
        except KeyError:
            raise KeyError(f"unknown {kind} {key!r} in instrument v{self.version}") from None

    @functools.cached_property
    def region_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.regions)

    @functools.cached_property
    def domain_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.domains)

    @functools.cached_property
    def function_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.functions)

    @functools.cached_property
    def period_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.periods)

    def functions_in_region(self, region_id: str) -> tuple[Function, ...]:
        return tuple(f for f in self.functions if f.region == region_id)

    def functions_in_domain(self, domain_id: str) -> tuple[Function, ...]:
        return tuple(f for f in self.functions if f.domain == domain_id)

    def allowed_periods(self, type_id: str) -> tuple[str, ...]:
        """Periods an adversity type can occur in; unlisted types occur after birth only."""
        listed = self.adversity_type(type_id).periods
        if listed is not None:
            return tuple(listed)
        return tuple(p.id for p in self.periods if p.start_months >= 0)

    def status_level(self, value: int) -> StatusLevel:
        return self.status_levels[value]

    # -- norms -----------------------------------------------------------------
    def typical_status(self, function_id: str, age_months: float) -> float:
        """Status of a typically developing child of this age (linear between norm points)."""
        norms = self.function(function_id).norms
        ages = [p.age_months for p in norms]
        statuses = [p.status for p in norms]
        return float(np.interp(min(max(age_months, 0.0), MAX_AGE_MONTHS), ages, statuses))

    def typical_statuses(self, age_months: float) -> dict[str, float]:
        """Typical status of every function at one age."""
        return {f.id: self.typical_status(f.id, age_months) for f in self.functions}

    @functools.cached_property
    def norm_ages(self) -> np.ndarray:
        """Union of every function's norm break points: all typical curves are linear between."""
        ages = sorted({p.age_months for f in self.functions for p in f.norms})
        return np.asarray(ages, dtype=float)

    @functools.cached_property
    def norm_grid(self) -> np.ndarray:
        """Typical status of each function (rows) at each age of ``norm_ages`` (columns)."""
        return np.vstack(
            [
                np.interp(
                    self.norm_ages,
                    [p.age_months for p in f.norms],
                    [p.status for p in f.norms],
                )
                for f in self.functions
            ]
        )

    @functools.cached_property
    def weights(self) -> np.ndarray:
        return np.asarray([f.weight for f in self.functions], dtype=float)

    @functools.cached_property
    def region_matrix(self) -> np.ndarray:
        """One-hot membership: functions x regions."""
        return np.asarray(
            [[f.region == r for r in self.region_ids] for f in self.functions], dtype=float
        )

    @functools.cached_property
    def domain_matrix(self) -> np.ndarray:
        """One-hot membership: functions x domains."""
        return np.asarray(
            [[f.domain == d for d in self.domain_ids] for f in self.functions], dtype=float
        )


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise InstrumentError(f"{path.name}: file missing from {path.parent}") from None
    except UnicodeDecodeError:
        raise InstrumentError(f"{path.name}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: not valid YAML: {exc}") from None


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location, naming list items by their ``id`` when they have one."""
    text = ""
    node = data
    for key in loc:
        child = None
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            child = node[key]
            label = child.get("id") if isinstance(child, dict) else None
            text += f"[{key}] ({label})" if label else f"[{key}]"
        else:
            if isinstance(node, dict):
                child = node.get(key)
            text += f".{key}" if text else str(key)
        node = child
    return text


def _validate(model: type[M], path: Path) -> M:
    data = _read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path.name}: {_describe_location(data, tuple(err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise InstrumentError("\n".join(lines)) from None


def _cross_check(inst: Instrument) -> list[str]:
    """Checks that span files: references resolve, matrices are complete, order holds."""
    problems: list[str] = []
    region_ids, domain_ids, period_ids = inst.region_ids, inst.domain_ids, inst.period_ids

    for file, kind, ids in (
        ("instrument.yaml", "region", region_ids),
        ("instrument.yaml", "domain", domain_ids),
        ("functions.yaml", "function", inst.function_ids),
        ("periods.yaml", "period", period_ids),
        ("adversities.yaml", "adversity type", tuple(t.id for t in inst.adversity_types)),
        ("relational.yaml", "relational history item", tuple(i.id for i in inst.history_items)),
        ("relational.yaml", "current relational item", tuple(i.id for i in inst.current_items)),
        (FLAGS_FILE, "clinical flag", inst.flag_ids),
    ):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"{file}: duplicate {kind} id(s): {', '.join(dupes)}")

    if tuple(s.value for s in inst.status_levels) != STATUSES:
        problems.append("instrument.yaml: status_levels must list statuses 0, 1, 2, 3 in order")

    for f in inst.functions:
        if f.region not in region_ids:
            problems.append(f"functions.yaml: {f.id}.region: unknown region {f.region!r}")
        if f.domain not in domain_ids:
            problems.append(f"functions.yaml: {f.id}.domain: unknown domain {f.domain!r}")
    for r in region_ids:
        if not inst.functions_in_region(r):
            problems.append(f"functions.yaml: region {r!r} has no function")
    for d in domain_ids:
        if not inst.functions_in_domain(d):
            problems.append(f"functions.yaml: domain {d!r} has no function")

    for before, after in zip(inst.periods, inst.periods[1:], strict=False):
        if after.start_months != before.end_months:
            problems.append(
                f"periods.yaml: {after.id}.start_months: expected {before.end_months} "
                f"(end of {before.id}), got {after.start_months}"
            )
    if inst.periods and inst.periods[-1].end_months != MAX_AGE_MONTHS:
        problems.append(f"periods.yaml: the last period must end at {MAX_AGE_MONTHS} months")

    for t in inst.adversity_types:
        for p in t.periods or ():
            if p not in period_ids:
                problems.append(f"adversities.yaml: types.{t.id}.periods: unknown period {p!r}")

    if set(inst.sensitivity) != set(region_ids):
        problems.append(
            "adversities.yaml: sensitivity: expected one row per region "
            f"({', '.join(region_ids)}), got {', '.join(inst.sensitivity)}"
        )
    for r, row in inst.sensitivity.items():
        if set(row) != set(period_ids):
            problems.append(f"adversities.yaml: sensitivity.{r}: expected one value per period")
        for p, v in row.items():
            if not 0 <= v <= 1:
                problems.append(f"adversities.yaml: sensitivity.{r}.{p}: expected 0-1, got {v}")
    lowest = region_ids[0] if region_ids else None
    if lowest in inst.sensitivity:
        values = [inst.sensitivity[lowest].get(p, 0.0) for p in period_ids]
        if any(later > earlier for earlier, later in zip(values, values[1:], strict=False)):
            problems.append(
                f"adversities.yaml: sensitivity.{lowest}: the lowest region must be most "
                "sensitive earliest (values may not rise with age)"
            )

    if set(inst.history_period_weights) != set(period_ids):
        problems.append("relational.yaml: history_period_weights: expected one weight per period")

    for flag in inst.flags:
        if flag.function is not None and flag.function not in inst.function_ids:
            problems.append(f"{FLAGS_FILE}: {flag.id}.function: unknown function {flag.function!r}")

    cited: set[str] = set()
    for i, cp in enumerate(inst.checkpoints):
        where = f"{CHECKPOINTS_FILE}: checkpoints[{i}] ({cp.function} at {cp.age_months:g} months)"
        cited.add(cp.source)
        if cp.source not in inst.references:
            problems.append(f"{where}: source: unknown reference {cp.source!r}")
        if cp.function not in inst.function_ids:
            problems.append(f"{where}: function: unknown function {cp.function!r}")
            continue
        norms = next(f.norms for f in inst.functions if f.id == cp.function)
        typical = float(
            np.interp(cp.age_months, [p.age_months for p in norms], [p.status for p in norms])
        )
        if not cp.min - 1e-9 <= typical <= cp.max + 1e-9:
            problems.append(
                f"{where}: the norms give a typical status of {typical:.2f}, outside the "
                f"milestone's range {cp.min:g}-{cp.max:g} ({cp.milestone})"
            )
    for f in inst.functions:
        for key in f.references:
            cited.add(key)
            if key not in inst.references:
                problems.append(f"functions.yaml: {f.id}.references: unknown reference {key!r}")
    for key in sorted(set(inst.references) - cited):
        problems.append(f"{CHECKPOINTS_FILE}: references.{key}: listed but never cited")

    if inst.changes is not None:
        function_ids = set(inst.function_ids)
        for i, change in enumerate(inst.changes.items):
            if change.current is not None and change.current not in function_ids:
                problems.append(
                    f"instrument.yaml: changes.items[{i}].current: unknown function "
                    f"{change.current!r}"
                )

    rel = inst.reliability
    if set(rel.regions) != set(region_ids):
        problems.append("instrument.yaml: reliability.regions: expected one entry per region")
    if set(rel.domains) != set(domain_ids):
        problems.append("instrument.yaml: reliability.domains: expected one entry per domain")
    adjusted = rel.domain_age_typical_percent
    if adjusted is not None and set(adjusted) != set(domain_ids):
        problems.append(
            f"{REFERENCE_FILE}: domain_age_typical_percent: expected one entry per domain"
        )
    if rel.provenance is not None and rel.provenance.instrument_version != inst.version:
        problems.append(
            f"{REFERENCE_FILE}: provenance.instrument_version: expected {inst.version!r}, "
            f"got {rel.provenance.instrument_version!r}"
        )
    return problems


def load_instrument(
    version: str = DEFAULT_VERSION,
    data_dir: Path | None = None,
    *,
    reference_required: bool = True,
) -> Instrument:
    """Read, validate and cross-check instrument ``version``; cached per version and folder.

    ``reference_required=False`` is for ``neuroseq instrument reference`` only: it loads a
    version whose reference.yaml does not exist yet, with placeholder reliability figures
    that nothing may use (the command measures the SDs with the scorer, which needs none).
    """
    return _load(version, (data_dir or DATA_DIR).resolve(), reference_required)


PLACEHOLDER = ReliabilityFigure(sd=1.0, reliability=0.5)


@functools.lru_cache(maxsize=8)
def _load(version: str, data_dir: Path, reference_required: bool = True) -> Instrument:
    folder = data_dir / f"v{version}"
    if not folder.is_dir():
        known = sorted(p.name for p in data_dir.glob("v*"))
        raise InstrumentError(
            f"instrument version {version!r} not found (known: {', '.join(known)})"
        )
    main = _validate(InstrumentFile, folder / "instrument.yaml")
    functions = _validate(FunctionsFile, folder / "functions.yaml")
    periods = _validate(PeriodsFile, folder / "periods.yaml")
    adversities = _validate(AdversitiesFile, folder / "adversities.yaml")
    relational = _validate(RelationalFile, folder / "relational.yaml")
    flags_path = folder / FLAGS_FILE
    flags = _validate(FlagsFile, flags_path).flags if flags_path.exists() else []
    reference_path = folder / REFERENCE_FILE
    reference = _validate(ReferenceFile, reference_path) if reference_path.exists() else None
    if reference is not None and main.reliability is not None:
        raise InstrumentError(
            f"instrument.yaml: reliability: give it here or in {REFERENCE_FILE}, not both"
        )
    reliability = reference.reliability() if reference is not None else main.reliability
    if reliability is None:
        if reference_required:
            raise InstrumentError(
                f"{REFERENCE_FILE}: file missing from {folder}; write it with `neuroseq "
                f"instrument reference --instrument {version} -o {folder / REFERENCE_FILE}`"
            )
        reliability = Reliability(
            source="placeholder: reference sample not measured yet",
            functional_score=PLACEHOLDER,
            regions=dict.fromkeys((r.id for r in main.regions), PLACEHOLDER),
            domains=dict.fromkeys((d.id for d in main.domains), PLACEHOLDER),
        )
    checkpoints_path = folder / CHECKPOINTS_FILE
    checkpoints = (
        _validate(CheckpointsFile, checkpoints_path) if checkpoints_path.exists() else None
    )
    if main.header.version != version:
        raise InstrumentError(
            f"instrument.yaml: header.version: expected {version!r}, got {main.header.version!r}"
        )
    inst = Instrument(
        version=version,
        header=main.header,
        regions=tuple(main.regions),
        domains=tuple(main.domains),
        status_levels=tuple(main.status_levels),
        functions=tuple(functions.functions),
        periods=tuple(periods.periods),
        chronicity=tuple(adversities.chronicity),
        adversity_types=tuple(adversities.types),
        sensitivity=adversities.sensitivity,
        sensitivity_rationale=adversities.sensitivity_rationale,
        history_items=tuple(relational.history_items),
        history_period_weights=relational.history_period_weights,
        history_rationale=relational.history_rationale,
        current_items=tuple(relational.current_items),
        current_rationale=relational.current_rationale,
        gate=relational.gate,
        transforms=main.transforms,
        reliability=reliability,
        plan=main.plan,
        data_dir=folder,
        flags=tuple(flags),
        changes=main.changes,
        checkpoints=tuple(checkpoints.checkpoints) if checkpoints else (),
        age_equivalent_settings=main.age_equivalents,
        references=dict(checkpoints.references) if checkpoints else {},
    )
    problems = _cross_check(inst)
    if problems:
        raise InstrumentError("\n".join(problems))
    inst._index.update(
        function={f.id: f for f in inst.functions},
        region={r.id: r for r in inst.regions},
        domain={d.id: d for d in inst.domains},
        period={p.id: p for p in inst.periods},
        adversity_type={t.id: t for t in inst.adversity_types},
        chronicity={c.id: c for c in inst.chronicity},
        flag={f.id: f for f in inst.flags},
    )
    return inst
