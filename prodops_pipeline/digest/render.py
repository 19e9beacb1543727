"""The digest as people read it: numbers in words, one-line takeaways, the page and the e-mail's text.

Templates are Jinja2 (templates/); the page draws its charts inline as SVG, the e-mail's HTML points at
PNG parts by Content-ID, and the plain-text part carries the same takeaways and tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import jinja2
import pandas as pd

from . import charts
from .figures import VERBATIMS, Figures

RISK_SHOWN = 20  # at-risk accounts listed open; the rest follow in a collapsed list (every one is in the page)
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "CHF": "CHF ", "INR": "₹"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


class Formats:
    """Number formats for people: thousands separated, rates as percentages, money in the deployment's currency."""

    def __init__(self, currency: str | None):
        self.currency = currency or "XXX"
        self.symbol = SYMBOLS.get(self.currency, f"{self.currency} ")

    def number(self, value, digits: int = 0) -> str:
        return "–" if _missing(value) else f"{float(value):,.{digits}f}"

    def percent(self, value, digits: int = 1) -> str:
        return "–" if _missing(value) else f"{100 * float(value):.{digits}f}%"

    def money(self, value) -> str:
        if _missing(value):
            return "–"
        value = float(value)
        sign = "-" if value < 0 else ""
        magnitude = abs(value)
        if magnitude >= 1_000_000:
            return f"{sign}{self.symbol}{magnitude / 1_000_000:,.2f}M"
        if magnitude >= 10_000:
            return f"{sign}{self.symbol}{magnitude / 1_000:,.1f}k"
        return f"{sign}{self.symbol}{magnitude:,.0f}"

    def nps(self, value, digits: int = 0) -> str:
        return "–" if _missing(value) else f"{float(value):+.{digits}f}"

    def day(self, value) -> str:
        if _missing(value):
            return "–"
        return pd.Timestamp(value).strftime("%-d %b %Y")

    def minutes(self, value) -> str:
        if _missing(value):
            return "–"
        value = float(value)
        return f"{value:.0f} min" if value < 90 else f"{value / 60:.1f} h" if value < 48 * 60 else f"{value / 1440:.1f} days"

    def change(self, now, before, kind: str = "number") -> str:
        """The move from `before` to `now`: counts and money with their relative change, rates in points."""
        if _missing(now) or _missing(before):
            return "–"
        now, before = float(now), float(before)
        delta = now - before
        if kind == "rate":
            return f"{100 * delta:+.1f} pts"
        if kind == "nps":
            return f"{delta:+.1f}"
        relative = f" ({delta / before:+.1%})" if before else ""
        shown = self.money(delta) if kind == "money" else f"{delta:,.0f}"
        return f"{'+' if delta >= 0 else ''}{shown}{relative}"


@dataclass
class Rendered:
    html: str  # the self-contained page, charts as inline SVG
    mail_html: str  # the same page with charts as cid: images
    text: str  # the plain-text part
    charts: list[charts.Chart]


def _environment() -> jinja2.Environment:
    # HTML is escaped; the e-mail's text part is not (a comment's "don't" stays as written)
    return jinja2.Environment(loader=jinja2.PackageLoader("prodops_pipeline.digest", "templates"),
                              autoescape=jinja2.select_autoescape(["html.j2"], default_for_string=False),
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [] if frame is None or frame.empty else frame.astype(object).where(frame.notna(), None).to_dict("records")


def _takeaways(f: Figures, fmt: Formats) -> dict[str, str]:
    h, r, a, v, s = f.headlines, f.risk, f.adoption, f.voice, f.support
    nps = h["nps"]["now"]
    nps_text = (f"NPS {fmt.nps(nps['nps'])} ± {fmt.number(nps['margin_of_error'])} over the last 28 days"
                if nps["reportable"] else f"NPS not reportable ({nps['responses']} responses, under {f.nps_min_sample})")
    moves = h["movements_4w"]
    net = sum(float(x) for x in moves.values())
    headline = (f"{fmt.number(h['active_accounts']['now'])} active accounts, "
                f"{fmt.change(h['active_accounts']['now'], h['active_accounts']['4w'])} on 4 weeks ago; {nps_text}; "
                f"MRR {fmt.money(h['mrr']['now'])}, {fmt.money(net) if net < 0 else '+' + fmt.money(net)} net in 4 weeks.")
    at_risk = r["at_risk"]
    risk = (f"{len(at_risk)} of {r['accounts']} accounts at risk, {fmt.money(at_risk['mrr'].sum())} MRR; "
            f"{len(r['turned_red'])} turned red this week, {len(r['saves'])} saved (red 4 weeks ago, green now).")
    recent = a["recent"]
    if recent.empty:
        adoption = "No feature was released in the last 90 days."
    else:
        lead = recent.sort_values(["adopters", "feature_key"], ascending=[False, True]).iloc[0]
        adoption = (f"{len(recent)} feature(s) released in the last 90 days; {lead['feature_name']} leads with "
                    f"{fmt.number(lead['adopters'])} users (median {fmt.number(lead['median_days_to_adopt'])} days to adopt).")
    if not a["movers"].empty:
        top = a["movers"].iloc[0]
        adoption += f" Biggest core gain: {top['feature_name']} ({fmt.change(top['change'], 0, 'rate')})."
    requests = v["requests"]
    voice = f"{len(v['verbatims'])} new detractor comment(s) this week."
    if not requests.empty:
        first = requests.iloc[0]
        voice += (f" Most valuable request: {first['feature_name']} ({fmt.number(first['accounts'])} accounts, "
                  f"{fmt.money(first['mrr'])} MRR).")
    weekly = s["weekly"]
    now, before = weekly.iloc[-1], weekly.iloc[-2]
    support = (f"{fmt.number(now['created'])} tickets created, {fmt.change(now['created'], before['created'])} on last week; "
               f"{fmt.number(now['solved'])} solved, median first reply {fmt.minutes(now['median_first_reply_minutes'])}, "
               f"CSAT {fmt.percent(now['csat'], 0)}.")
    named = s["bugs"][s["bugs"]["named"]]
    rising = named.assign(rise=named["last_4w"] - named["previous_4w"]).sort_values(["rise", "feature"], ascending=[False, True])
    if not rising.empty and rising.iloc[0]["rise"] > 0:
        top = rising.iloc[0]
        support += f" Bugs rose most in {top['feature']} ({int(top['previous_4w'])} → {int(top['last_4w'])})."
    return {"headlines": headline, "risk": risk, "adoption": adoption, "voice": voice, "support": support}


def draw_charts(f: Figures) -> list[charts.Chart]:
    drawn = [charts.activity(f.headlines["activity_trend"]),
             charts.mrr_movements(f.headlines["mrr_trend"], f.currency or "XXX"),
             charts.health_bands(f.risk["bands"])]
    if not f.adoption["recent"].empty and not f.adoption["curves"].empty:
        drawn.append(charts.adoption_curves(f.adoption["curves"], f.adoption["recent"]))
    if any(r["responses"] for r in f.voice["by_dimension"]):
        drawn.append(charts.nps_by_dimension(f.voice["by_dimension"]))
    drawn.append(charts.support_weekly(f.support["weekly"]))
    named = f.support["bugs"][f.support["bugs"]["named"]].head(10)
    if not named.empty:
        drawn.append(charts.bugs_by_feature(named))
    return drawn


def render(f: Figures, generated_at: datetime) -> Rendered:
    fmt = Formats(f.currency)
    drawn = draw_charts(f)
    context = {
        "f": f, "fmt": fmt, "takeaways": _takeaways(f, fmt), "charts": {c.name: c for c in drawn},
        "generated_at": generated_at, "monday": f.week.monday, "records": _records,
        "verbatims_shown": VERBATIMS, "risk_shown": RISK_SHOWN,
    }
    env = _environment()
    page = env.get_template("digest.html.j2")
    return Rendered(html=page.render(**context, mail=False), mail_html=page.render(**context, mail=True),
                    text=env.get_template("digest.txt.j2").render(**context), charts=drawn)
