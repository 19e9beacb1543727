"""The health rules in force, as Dagster assets upstream of `account_health` (group `health`)."""

import dagster as dg

from ..resources import PipelineSettings
from .rules import RulesError, land_rules, load_rules

HEALTH_GROUP = "health"
RULES_KEY, BANDS_KEY = dg.AssetKey(["health", "rules"]), dg.AssetKey(["health", "bands"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(RULES_KEY, group_name=HEALTH_GROUP, kinds={"yaml", "parquet"},
                     description="The account-health rules (input, thresholds, weight, critical) of the rules "
                                 "file (PRODOPS_HEALTH_RULES), landed for dbt."),
        dg.AssetSpec(BANDS_KEY, group_name=HEALTH_GROUP, kinds={"yaml", "parquet"},
                     description="The health-score limits of the green and yellow bands, from the same file."),
    ],
    name="health_rules",
)
def health_rules(context: dg.AssetExecutionContext, settings: PipelineSettings):
    config = settings.get()
    try:
        rules = load_rules(config.health_rules)
    except RulesError as exc:
        raise dg.Failure(description=str(exc)) from None
    land_rules(rules, config.health_zone)
    context.log.info(f"{len(rules.rules)} health rules in force from {config.health_rules}")
    yield dg.MaterializeResult(asset_key=RULES_KEY, metadata={
        "file": dg.MetadataValue.path(str(config.health_rules)),
        "rules": dg.MetadataValue.md("\n".join(
            f"- `{r.name}`: {r.input} {r.operator} {r.poor:g}" + (f" (warn {r.warn:g})" if r.warn is not None else "")
            + f", weight {r.weight:g}" + (", **critical**" if r.critical else "") for r in rules.rules)),
    })
    yield dg.MaterializeResult(asset_key=BANDS_KEY, metadata=rules.bands.model_dump())
