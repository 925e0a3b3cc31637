"""The experiments page on a phone (390 px) and a projector (1024 px): the columns compared show
without scrolling, chart titles are whole, the parallel coordinates' labels stand apart."""

from __future__ import annotations

import pytest

PHONE = 390
PROJECTOR = 1024
#: Columns a reader compares, besides each table's first: the published and our metric, the
#: seed of a seed study, the accuracy of each split, the autoencoders' MSEs of the sweep.
KEY = ("published ", "our ", "seed", "test acc.", "VAE mse", "DCAE mse")

# Per visible dataframe of the open tab: its column headers as the grid lists them for screen
# readers (the columns that start inside the view, the last one perhaps cut off), the number of
# columns, and whether the grid scrolls sideways.
GRIDS = """() => [...document.querySelectorAll(
        "[role='tabpanel']:not([hidden]) [data-testid='stDataFrame']")]
    .filter(d => d.getBoundingClientRect().height > 0 && d.querySelector('table[role=grid]'))
    .map(d => { const s = d.querySelector('.dvn-scroller'), g = d.querySelector('table[role=grid]');
                return {headers: [...g.querySelectorAll('th')].map(t => t.textContent),
                        columns: +g.getAttribute('aria-colcount'),
                        scrolls: s.scrollWidth > s.clientWidth + 1}; })"""


def hidden_keys(grid: dict) -> list[str]:
    """The key columns of *grid* not wholly in view: a column is whole when the one after it
    starts inside the view, or when it is the last and nothing scrolls."""
    headers = grid["headers"]
    keys = [h for i, h in enumerate(headers) if i == 0 or h.startswith(KEY)]
    hidden = []
    for key in keys:
        i = headers.index(key)
        last = i + 1 == grid["columns"]
        if not (i + 1 < len(headers) or (last and not grid["scrolls"])):
            hidden.append(key)
    return hidden


def open_tab(page, i: int) -> None:
    from tests.support.browser import wait_idle

    page.get_by_role("tab").nth(i).click()
    page.wait_for_timeout(1500)
    wait_idle(page)


def test_key_columns_of_every_table_show_on_a_phone(visit):
    """Table 1 used to list filters, kernel and strides first, so on a phone "published mse" was
    cut off and "our mse" scrolled out of view; every table now shows what it compares."""
    page = visit("experiments", width=PHONE, height=844)
    seen = set()
    for i in range(3):
        open_tab(page, i)
        grids = page.evaluate(GRIDS)
        assert len(grids) >= 2, (i, grids)
        for grid in grids:
            assert not hidden_keys(grid), (i, grid)
            seen |= {h for h in grid["headers"] if h.startswith(KEY)}
    assert {"published mse", "our mse", "published accuracy", "our accuracy", "test acc."} <= seen


def overlapping(found: list[dict], slack: float = 1.0) -> list[tuple[str, str]]:
    pairs = []
    for k, a in enumerate(found):
        for b in found[k + 1:]:
            if (a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
                    and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"]):
                pairs.append((a["text"], b["text"]))
    return pairs


CHART = "[role='tabpanel']:not([hidden]) [data-testid='stPlotlyChart']"


@pytest.mark.parametrize("width", [PHONE, PROJECTOR], ids=["phone", "projector"])
def test_charts_have_whole_titles_and_parallel_labels_apart(visit, width):
    """Optuna's parallel coordinates named its axes in full (learning_rate, batch_size, test
    spectrogram MSE) at an angle, with five numbers an axis and a colour bar beside them; on a
    phone and a projector the names ran into each other and the numbers into their neighbours'."""
    page = visit("experiments", width=width, height=900)
    for i in range(3):
        open_tab(page, i)
        page.wait_for_function(f"document.querySelectorAll(\"{CHART} .gtitle\").length >= 3",
                               timeout=60_000)
        charts = page.locator(CHART)
        parallel = 0
        for k in range(charts.count()):
            chart = charts.nth(k)
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(200)
            box = chart.bounding_box()
            title = chart.locator(".gtitle").bounding_box()
            name = chart.locator(".gtitle").text_content()
            assert box["x"] - 1 <= title["x"] and title["x"] + title["width"] <= box["x"] + box["width"] + 1, \
                (i, name, title, box)
            if name != "Parallel coordinates":
                continue
            parallel += 1
            sel = f"{CHART} >> nth={k}"
            handle = page.locator(sel).element_handle()
            labels = handle.evaluate("""(c) => [...c.querySelectorAll('.xtick text, .annotation-text')]
                .map(e => { const r = e.getBoundingClientRect();
                            return {text: e.textContent, x: r.left, y: r.top, w: r.width, h: r.height}; })
                .filter(b => b.w > 0)""")
            assert len(labels) >= 6, (i, labels)
            assert not overlapping(labels), (i, width, overlapping(labels))
            assert all(box["x"] - 1 <= b["x"] and b["x"] + b["w"] <= box["x"] + box["width"] + 1
                       for b in labels), (i, labels, box)
        assert parallel == 1, i
