"""Data Docs render with nothing fetched from the network: checked in the files, and in a real browser."""

from __future__ import annotations

import re

from prodops_pipeline.audit.data_docs_offline import FETCHED
from prodops_pipeline.audit.gx_project import data_docs_index

from .browser import needs_chromium, open_page

LOCAL_ADDRESS = re.compile(r"""(?:\bsrc=|<link\b[^>]*?\bhref=)["']([^"'#?]+)""")


def test_no_data_docs_page_or_style_sheet_loads_anything_from_the_network(published):
    settings, _ = published
    site = data_docs_index(settings).parent
    pages = list(site.rglob("*.html"))
    assert len(pages) > 30  # the index, every suite and every validation result
    for path in [*pages, *(site / "static").rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert not FETCHED.search(text), f"{path} loads {FETCHED.search(text)['url']}"
        for address in LOCAL_ADDRESS.findall(text):
            # GX's own favicon link on validation pages is one folder short (a GX defect; not a fetch)
            if not address.startswith("data:") and not address.endswith("favicon.ico"):
                assert (path.parent / address).is_file(), f"{path} names {address}, which the site lacks"


@needs_chromium
def test_the_data_docs_index_renders_in_a_browser_with_no_network(published, tmp_path):
    settings, _ = published
    shot = tmp_path / "data_docs.png"
    page = open_page(data_docs_index(settings), tmp_path / "browser", screenshot=shot)
    # bootstrap-table (after jQuery and Bootstrap) turned the results into its table, and the logo is local
    assert 'class="bootstrap-table bootstrap4"' in page.dom
    assert "Expectation Suites" in page.dom and "nps_summary" in page.dom
    assert page.requests == []
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
