"""The arithmetic identities of the mart contract, as SQL columns that must be 0 on every row.

The audit reads each mart with these columns added; its suite expects every one of them to be 0.
"""

from __future__ import annotations

IDENTITIES: dict[str, dict[str, str]] = {
    "nps_summary": {
        "_identity_categories_sum_to_responses": "promoters + passives + detractors - responses",
    },
    "account_nps": {
        "_identity_categories_sum_to_respondents": "promoters + passives + detractors - respondents",
    },
    "logo_retention": {
        "_identity_customer_bridge": "customers_at_end - (customers_at_start - churned_customers + new_customers)",
    },
    "revenue_retention": {
        "_identity_mrr_bridge": "ending_mrr - (starting_mrr + new_mrr + reactivation_mrr + expansion_mrr"
                                " - contraction_mrr - churned_mrr)",
    },
    "mrr_movements": {
        "_identity_mrr_change": "mrr - previous_mrr - mrr_change",
    },
    "account_health": {
        "_identity_every_risk_has_a_reason": "case when is_at_risk and risk_reasons = '' then 1 else 0 end",
        "_identity_red_is_at_risk": "case when health_band = 'red' and not is_at_risk then 1 else 0 end",
    },
    "account_engagement_daily": {
        "_identity_dau_within_wau_within_mau": "case when dau <= wau and wau <= mau then 0 else 1 end",
    },
}


def identity_select(mart: str) -> str:
    """The columns to add to `select *` when auditing a mart (empty when it has no identity)."""
    return "".join(f", cast({sql} as double) as {name}" for name, sql in IDENTITIES.get(mart, {}).items())
