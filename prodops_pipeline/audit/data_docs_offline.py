"""Data Docs with nothing fetched from the network: the scripts, styles and logos GX's pages load from
CDNs are served from the site itself (the files of data_docs_static/, copied from their npm packages).

GX writes the CDN addresses into every page and its default style sheet; after each build the site gets
the vendored files under static/vendor/ and every page and style sheet the relative path to them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VENDORED = Path(__file__).resolve().parent / "data_docs_static"
GX_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
# a CDN address GX's pages use -> the file under the site's static/ that replaces it
LOCAL = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "vendor/jquery/jquery.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "vendor/bootstrap/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "vendor/bootstrap/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "vendor/bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "vendor/bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "vendor/bootstrap-table/bootstrap-table-filter-control.min.js",
    # GX asks for 1.19.0 of this one style sheet (minified on the index, not on other pages); 1.19.1's
    # goes with the script it loads
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "vendor/bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "vendor/bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "vendor/popper.js/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "vendor/bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "vendor/bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vendor/vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vendor/vega-lite/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vendor/vega-embed/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "vendor/fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "vendor/bootstrap-dark/bootstrap-prefers-dark.css",
}
# GX's logos (with a tracking query string in the pages) -> the copies GX ships in static/images/
LOGOS = {"logo-long.png": "images/logo-long.png", "full_logo_dark.png": "images/logo-long.png"}
FETCHED = re.compile(r"""(?P<attr>\bsrc=|<link\b[^>]*?\bhref=|url\()(?P<q>["']?)(?P<url>https?://[^"')\s>]+)""")


class OnlineAsset(ValueError):
    """A Data Docs page loads something from the network that the site has no copy of."""


def _local(url: str) -> str | None:
    if url in LOCAL:
        return LOCAL[url]
    if url.startswith(GX_ASSETS):
        return LOGOS.get(url[len(GX_ASSETS):].split("?")[0])
    return None


def make_offline(site: Path) -> int:
    """Copy the vendored files into the site and point its pages and style sheets at them; returns how
    many addresses were replaced. An address with no local copy is an error naming it and its file."""
    static = site / "static"
    shutil.copytree(VENDORED, static / "vendor", dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    replaced = 0
    for path in [*site.rglob("*.html"), *static.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")

        def swap(match: re.Match) -> str:
            nonlocal replaced
            local = _local(match["url"])
            if local is None:
                raise OnlineAsset(f"{path}: {match['url']} would be fetched from the network; add it to "
                                  "prodops_pipeline/audit/data_docs_static/ and data_docs_offline.LOCAL")
            replaced += 1
            return match["attr"] + match["q"] + os.path.relpath(static / local, path.parent)

        offline = FETCHED.sub(swap, text)
        if offline != text:
            path.write_text(offline, encoding="utf-8")
    return replaced
