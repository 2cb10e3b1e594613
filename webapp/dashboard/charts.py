"""The dashboard's charts, drawn on the server as SVG by pygal and shown as images.

Each chart is an <img> whose source is the SVG itself (a data: URL): no route,
no second round of queries, and no script runs, since a browser runs none in
an image (pygal writes its tooltip configuration as a <script> even with
`js=[]`, and loads nothing more with it). The page gives each image its text
alternative and the numbers in a table under it.

Drawing a chart takes pygal about 10 ms, three times what the rest of the page
takes; the figures change far less often than the page is read. So each chart
is drawn once for its figures and labels, and kept (a few dozen, per process):
other figures, or the same ones named in another language, draw a new one.
"""
import base64
from functools import lru_cache

import pygal
from pygal.style import Style

# Colours that keep 3:1 against white and against each other's neighbours; the
# tables carry the numbers for anyone who cannot tell them apart.
STYLE = Style(
    background="white", plot_background="white", foreground="#1b1b1b", foreground_strong="#1b1b1b",
    foreground_subtle="#6b6b6b", font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    colors=("#005a9c", "#b35c00", "#1d6b2f", "#a4000f", "#5a2d82", "#4a4a4a"),
    label_font_size=14, major_label_font_size=14, legend_font_size=15, value_font_size=14, title_font_size=16,
)

_CONFIG = dict(
    js=[],  # no script from a CDN: the image needs none, and the page has none
    style=STYLE, explicit_size=False, width=800, height=360, disable_xml_declaration=True,
    legend_at_bottom=True, legend_at_bottom_columns=3, show_y_guides=True, truncate_legend=-1,
    margin_bottom=8, include_x_axis=True,
)


def _data_url(chart):
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _frozen(series):
    return tuple((name, tuple(values)) for name, values in series.items())


def members_over_time(months, series):
    """A line per group: active members at the end of each month. `series` maps a group's name to counts."""
    return _members_over_time(tuple(months), _frozen(series))


@lru_cache(maxsize=32)
def _members_over_time(months, series):
    chart = pygal.Line(**_CONFIG, x_label_rotation=0, show_minor_x_labels=False,
                       x_labels_major_every=max(len(months) // 4, 1), dots_size=3)
    chart.x_labels = list(months)
    for name, counts in series:
        chart.add(name, list(counts))
    return _data_url(chart)


def decision_times(months, median, p90, median_label, p90_label):
    """Two lines: the median and the 90th percentile of the hours a request waited, per month."""
    return _decision_times(tuple(months), tuple(median), tuple(p90), median_label, p90_label)


@lru_cache(maxsize=32)
def _decision_times(months, median, p90, median_label, p90_label):
    chart = pygal.Line(**_CONFIG, show_minor_x_labels=False, x_labels_major_every=max(len(months) // 4, 1),
                       dots_size=3)
    chart.x_labels = list(months)
    chart.add(median_label, list(median))
    chart.add(p90_label, list(p90))
    return _data_url(chart)


def delivery_outcomes(labels, series):
    """Stacked bars, one per message: `series` maps an outcome's name to a count per message."""
    return _delivery_outcomes(tuple(labels), _frozen(series))


@lru_cache(maxsize=32)
def _delivery_outcomes(labels, series):
    chart = pygal.StackedBar(**_CONFIG, x_label_rotation=0, truncate_label=14)
    chart.x_labels = list(labels)
    for name, counts in series:
        chart.add(name, list(counts))
    return _data_url(chart)
