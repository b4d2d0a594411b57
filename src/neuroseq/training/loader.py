"""Load and cross-check the training vignettes and the certification rule."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from neuroseq.instrument import Instrument, load_instrument
from neuroseq.training.schema import CertificationRules, Vignette

DATA_DIR = Path(__file__).parent / "data"
VIGNETTE_DIR = DATA_DIR / "vignettes"
RULES_FILE = DATA_DIR / "certification.yaml"

M = TypeVar("M", bound=BaseModel)


class TrainingDataError(ValueError):
    """A training data file is broken; the message names the file, field and problem."""


def _validate(model: type[M], path: Path) -> M:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path.name}: cannot read: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"{path.name}: {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise TrainingDataError("\n".join(lines)) from exc


def check_vignette(vignette: Vignette, instrument: Instrument, source: str) -> list[str]:
    """Problems of a vignette against its instrument: every function keyed, nothing unknown."""
    known = set(instrument.function_ids)
    keyed = set(vignette.key)
    problems = [f"{source}: key.{fid}: unknown function" for fid in sorted(keyed - known)]
    problems += [f"{source}: key.{fid}: missing key rating" for fid in sorted(known - keyed)]
    return problems


@functools.lru_cache(maxsize=4)
def _load_vignettes(folder: Path) -> tuple[Vignette, ...]:
    vignettes: list[Vignette] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        vignette = _validate(Vignette, path)
        if path.stem != vignette.id:
            problems.append(f"{path.name}: id {vignette.id!r} must match the file name")
        instrument = load_instrument(vignette.instrument_version)
        problems += check_vignette(vignette, instrument, path.name)
        vignettes.append(vignette)
    if problems:
        raise TrainingDataError("\n".join(problems))
    return tuple(vignettes)


def load_vignettes(folder: Path | None = None) -> tuple[Vignette, ...]:
    """Every vignette, validated and checked against its instrument version (cached)."""
    return _load_vignettes((folder or VIGNETTE_DIR).resolve())


def get_vignette(vignette_id: str, version: int | None = None) -> Vignette | None:
    """The vignette with this id (and version, if given), or None."""
    for vignette in load_vignettes():
        if vignette.id == vignette_id and (version is None or vignette.version == version):
            return vignette
    return None


@functools.lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> CertificationRules:
    return _validate(CertificationRules, path)
