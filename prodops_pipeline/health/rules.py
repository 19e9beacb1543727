"""The account-health rules: read from their YAML file, validated, and landed as two small tables
(`raw/health/rules.parquet`, `raw/health/bands.parquet`) that the `account_health` mart reads.

The rules are data: the mart's SQL evaluates whatever rules the file holds, so a changed weight or
threshold rescores every week at the next run without touching a model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# the inputs a rule may read (columns of account_health), with how their values are written in reasons
INPUT_UNITS = {
    "seat_utilization": "percent",
    "usage_trend": "percent",
    "core_adoption": "percent",
    "latest_account_nps": "number",
    "open_tickets": "number",
    "bad_csat_90d": "number",
    "urgent_tickets_90d": "number",
    "days_to_renewal": "number",
    "active_users_28d": "number",
    "mrr": "number",
    "seats": "number",
}
Operator = Literal["<", "<=", ">", ">="]


class RulesError(ValueError):
    """The health rules file cannot be used; the message names the file and the problem."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    input: Literal[tuple(INPUT_UNITS)]  # type: ignore[valid-type]
    label: str = Field(min_length=1)
    operator: Operator
    warn: float | None = None
    poor: float
    weight: float = Field(ge=0)
    critical: bool = False

    @model_validator(mode="after")
    def _warn_before_poor(self) -> "Rule":
        if self.warn is not None:
            lower_is_worse = self.operator in ("<", "<=")
            if (self.warn < self.poor) if lower_is_worse else (self.warn > self.poor):
                side = "at or above" if lower_is_worse else "at or below"
                raise ValueError(f"warn ({self.warn:g}) must be {side} poor ({self.poor:g}) for operator "
                                 f"'{self.operator}': a value gets to the warning before it gets poor")
        return self


class Bands(BaseModel):
    model_config = ConfigDict(extra="forbid")

    green_min: float = Field(ge=0, le=100)
    yellow_min: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> "Bands":
        if self.yellow_min > self.green_min:
            raise ValueError(f"yellow_min ({self.yellow_min:g}) must not exceed green_min ({self.green_min:g})")
        return self


class HealthRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bands: Bands
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_weighted(self) -> "HealthRules":
        names = [r.name for r in self.rules]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"rule names must be unique: {', '.join(repeated)} repeated")
        if not any(r.weight > 0 for r in self.rules):
            raise ValueError("at least one rule needs a weight above 0, or no score can be computed")
        return self


def load_rules(path: Path) -> HealthRules:
    if not path.is_file():
        raise RulesError(f"health rules file {path} does not exist (PRODOPS_HEALTH_RULES)")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RulesError(f"health rules file {path} is not valid YAML: {exc}") from None
    try:
        return HealthRules.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors())
        raise RulesError(f"health rules file {path}: {problems}") from None


def rule_rows(rules: HealthRules) -> list[dict]:
    return [{"rule_name": r.name, "position": i, "input": r.input, "label": r.label, "operator": r.operator,
             "warn_threshold": r.warn, "poor_threshold": r.poor, "weight": r.weight, "is_critical": r.critical,
             "unit": INPUT_UNITS[r.input]} for i, r in enumerate(rules.rules, start=1)]


RULES_SCHEMA = pa.schema([
    ("rule_name", pa.string()), ("position", pa.int32()), ("input", pa.string()), ("label", pa.string()),
    ("operator", pa.string()), ("warn_threshold", pa.float64()), ("poor_threshold", pa.float64()),
    ("weight", pa.float64()), ("is_critical", pa.bool_()), ("unit", pa.string()),
])
BANDS_SCHEMA = pa.schema([("green_min", pa.float64()), ("yellow_min", pa.float64())])


def _write(table: pa.Table, target: Path) -> None:
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(table, staged)
    os.replace(staged, target)


def land_rules(rules: HealthRules, folder: Path) -> list[Path]:
    """Write the rules and the band limits where dbt's `health` source reads them (each file replaced whole)."""
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / "rules.parquet", folder / "bands.parquet"]
    _write(pa.Table.from_pylist(rule_rows(rules), schema=RULES_SCHEMA), targets[0])
    _write(pa.Table.from_pylist([rules.bands.model_dump()], schema=BANDS_SCHEMA), targets[1])
    return targets
