"""The digest's charts: what to plot, drawn by matplotlib as SVG (for the page) and PNG (for e-mail).

matplotlib draws without a browser, a display or the network; `Figure` is used without pyplot, so
nothing global is touched and charts can be drawn from any thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

STYLE = {
    "svg.fonttype": "none",  # text stays text: small files, the reader's font
    "svg.hashsalt": "prodops-digest",  # the same chart gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "legend.frameon": False,
}
GREEN, YELLOW, RED, BLUE, GREY = "#2e9d57", "#e3b505", "#d64545", "#3a6ea5", "#9aa5b1"
WIDE = (5.0, 2.6)  # inches: the page shows it 360 to 600 pixels wide, phone to desktop
TALL = (5.0, 4.4)


@dataclass(frozen=True)
class Chart:
    name: str  # also the e-mail part's Content-ID
    title: str  # the alternative text
    svg: str
    png: bytes


def _draw(name: str, title: str, fig: Figure) -> Chart:
    with matplotlib.rc_context(STYLE):
        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=120)
    text = svg.getvalue()
    return Chart(name, title, text[text.index("<svg"):], png.getvalue())


def _figure(size=WIDE, rows: int = 1, cols: int = 1, **kwargs):
    """A figure and its axes; called within the chart's `rc_context(STYLE)`, which styles what it draws."""
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(rows, cols, **kwargs)


def _week_ticks(axis, sundays: pd.Series) -> None:
    labels = [pd.Timestamp(d).strftime("%d %b") for d in sundays]
    # every other week, ending on the digest's own
    axis.set_xticks(range(len(labels)), [t if (len(labels) - 1 - i) % 2 == 0 else "" for i, t in enumerate(labels)])


def activity(trend: pd.DataFrame) -> Chart:
    with matplotlib.rc_context(STYLE):
        fig, (users, accounts) = _figure(TALL, rows=2, sharex=True)
        x = range(len(trend))
        users.plot(x, trend["active_users"], color=BLUE, marker="o", markersize=3)
        users.set_title("Weekly active users")
        accounts.plot(x, trend["active_accounts"], color=GREEN, marker="o", markersize=3)
        accounts.set_title("Weekly active accounts")
        for axis in (users, accounts):
            _week_ticks(axis, trend["sunday"])
            axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    return _draw("activity", "Weekly active users and accounts, last 13 weeks", fig)


def mrr_movements(trend: pd.DataFrame, currency: str) -> Chart:
    with matplotlib.rc_context(STYLE):
        fig, axis = _figure()
        x = range(len(trend))
        axis.bar(x, trend["new_mrr"], color=GREEN, label="new")
        axis.bar(x, trend["expansion_mrr"], bottom=trend["new_mrr"], color="#8fd19e", label="expansion")
        axis.bar(x, trend["contraction_mrr"], color="#f2a0a0", label="contraction")
        axis.bar(x, trend["churned_mrr"], bottom=trend["contraction_mrr"], color=RED, label="churn")
        net = trend[["new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]].sum(axis=1)
        axis.plot(x, net, color="#222", marker="o", markersize=3, label="net")
        axis.axhline(0, color="#444", linewidth=0.8)
        axis.set_title(f"MRR movements per week ({currency})")
        axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+,.0f}"))
        _week_ticks(axis, trend["sunday"])
        fig.legend(ncols=5, loc="outside lower center", fontsize=8)
    return _draw("mrr", "MRR movements per week, last 13 weeks", fig)


def health_bands(bands: pd.DataFrame) -> Chart:
    table = bands.pivot_table(index="sunday", columns="health_band", values="accounts", fill_value=0).reset_index()
    with matplotlib.rc_context(STYLE):
        fig, axis = _figure()
        x, bottom = range(len(table)), 0
        for band, colour in (("red", RED), ("yellow", YELLOW), ("green", GREEN)):
            values = table[band] if band in table else 0
            axis.bar(x, values, bottom=bottom, color=colour, label=band)
            bottom = bottom + values
        axis.set_title("Accounts by health band")
        _week_ticks(axis, table["sunday"])
        fig.legend(ncols=3, loc="outside lower center", fontsize=8)
    return _draw("health", "Accounts by health band, last 13 weeks", fig)


def adoption_curves(curves: pd.DataFrame, recent: pd.DataFrame) -> Chart:
    with matplotlib.rc_context(STYLE):
        fig, axis = _figure()
        for feature in recent.itertuples():
            own = curves[curves["feature_key"] == feature.feature_key].sort_values("weeks_since_release")
            if own.empty:
                continue
            axis.step(own["weeks_since_release"], own["new_adopters"].cumsum(), where="post", marker="o",
                      markersize=3, label=feature.feature_name)
        axis.set_title("Users who adopted, by weeks since release")
        axis.set_xlabel("weeks since release")
        axis.legend(loc="upper left", fontsize=8)
    return _draw("adoption", "Adoption of features released in the last 90 days", fig)


def nps_by_dimension(rows: list[dict]) -> Chart:
    rows = [r for r in rows if r["responses"]]
    with matplotlib.rc_context(STYLE):
        fig, axis = _figure(size=(5.0, 0.3 * len(rows) + 1.0))
        labels = [f"{r['dimension']}: {r['value']}" for r in rows]
        colours = [BLUE if r["reportable"] else GREY for r in rows]
        axis.barh(range(len(rows)), [r["nps"] for r in rows], xerr=[r["margin_of_error"] for r in rows],
                  color=colours, error_kw={"elinewidth": 0.8, "ecolor": "#555"})
        axis.set_yticks(range(len(rows)), labels)
        axis.invert_yaxis()
        axis.axvline(0, color="#444", linewidth=0.8)
        axis.set_xlim(-100, 100)
        axis.set_title("NPS, last 28 days, ± margin of error\n(grey: under the minimum sample)")
    return _draw("nps", "NPS by channel and plan, last 28 days", fig)


def support_weekly(weekly: pd.DataFrame) -> Chart:
    with matplotlib.rc_context(STYLE):
        fig, (volume, csat) = _figure(TALL, rows=2, sharex=True)
        x = range(len(weekly))
        volume.plot(x, weekly["created"], color=BLUE, marker="o", markersize=3, label="created")
        volume.plot(x, weekly["solved"], color=GREEN, marker="o", markersize=3, label="solved")
        volume.set_title("Tickets per week")
        volume.legend(loc="upper left", fontsize=8)
        csat.plot(x, weekly["csat"].astype(float), color=GREEN, marker="o", markersize=3)
        csat.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        csat.set_title("CSAT of tickets solved")
        for axis in (volume, csat):
            _week_ticks(axis, weekly["sunday"])
    return _draw("support", "Tickets created and solved, and CSAT, per week", fig)


def bugs_by_feature(bugs: pd.DataFrame) -> Chart:
    with matplotlib.rc_context(STYLE):
        fig, axis = _figure(size=(5.0, 0.36 * len(bugs) + 1.2))
        y = pd.Series(range(len(bugs)), dtype=float)
        axis.barh(y - 0.2, bugs["previous_4w"], height=0.4, color=GREY, label="previous 4 weeks")
        axis.barh(y + 0.2, bugs["last_4w"], height=0.4, color=RED, label="last 4 weeks")
        axis.set_yticks(y, bugs["feature"])
        axis.invert_yaxis()
        axis.set_title("Bug tickets by feature")
        fig.legend(ncols=2, loc="outside lower center", fontsize=8)
    return _draw("bugs", "Bug tickets by feature, last 4 weeks against the 4 before", fig)
