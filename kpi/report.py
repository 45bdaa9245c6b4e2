"""The overview as a one-page document to send to the owner: HTML, and PDF from it.

WeasyPrint turns the HTML into PDF with Debian's Pango and the DejaVu fonts, so Cyrillic,
Kazakh letters, `₽` and `₸` print right; the chart is SVG written here (Plotly's static
export would need a browser on the server). Every value from the data is escaped.
"""

import datetime as dt
from html import escape

from kpi import i18n, texts
from kpi.formatting import fmt_date, fmt_money, fmt_money_short, fmt_number, fmt_ratio
from kpi.overview import Overview, manager_table

COLOURS = {"ok": "#c8e6c9", "watch": "#ffe9b3", "behind": "#f5c2c2", None: "transparent"}


class ReportUnavailable(Exception):
    """The PDF library or its system fonts are missing; the HTML still works."""


def overview_html(ov: Overview, month_title: str, notes: list[str], today: dt.date | None = None,
                  symbol: str = "₽") -> str:
    rows, columns = manager_table(ov)
    shown = [k for k in columns if k != "forecast_fulfilment" or not ov.closed]
    coloured = {"fulfilment" if ov.closed else "forecast_fulfilment": "sales",
                "overdue_share": "receivables", "meetings_per_week": "meetings"}
    head = "".join(f"<th>{escape(columns[k])}</th>" for k in shown)
    body = "".join(
        f'<tr class="{r["kind"]}">' + "".join(
            f'<td style="background:{COLOURS[r["status"][coloured[k]]] if k in coloured else "transparent"}">'
            f"{escape(_cell(k, r[k], symbol))}</td>" for k in shown) + "</tr>" for r in rows)
    d = ov.department
    pace = d.fulfilment if ov.closed or d.forecast_fulfilment is None else d.forecast_fulfilment
    cards = [(texts.SALES_FACT, fmt_money_short(d.fact, symbol)),
             (texts.OVERVIEW_FULFILMENT if ov.closed else texts.OVERVIEW_FORECAST, fmt_ratio(pace)),
             (texts.OVERVIEW_OVERDUE_SHARE, fmt_ratio(d.overdue_share, none="—")),
             (texts.OVERVIEW_OVER_LIMIT, fmt_money_short(d.over_limit, symbol)),
             (texts.OVERVIEW_MEETINGS_PER_WEEK, _cell("meetings_per_week", d.meetings_per_complete_week))]
    card_html = "".join(f'<div class="card"><div class="label">{escape(label)}</div>'
                        f'<div class="value">{escape(value)}</div></div>' for label, value in cards)
    title = texts.REPORT_TITLE.format(month=month_title)
    return f"""<!doctype html><html lang="{i18n.language()}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #222; }}
h1 {{ font-size: 16pt; margin: 0 0 2mm; }} .notes {{ color: #666; margin-bottom: 4mm; }}
.cards {{ display: flex; gap: 6mm; margin-bottom: 4mm; }}
.card .label {{ color: #666; }} .card .value {{ font-size: 15pt; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 1.2mm 2mm; text-align: right; }}
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) {{ text-align: left; }}
tr.team td, tr.department td {{ font-weight: bold; }} footer {{ color: #888; margin-top: 3mm; }}
</style></head><body>
<h1>{escape(title)}</h1><div class="notes">{escape(" · ".join(notes))}</div>
<div class="cards">{card_html}</div>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
{_chart(rows, ov.closed)}
<footer>{escape(texts.REPORT_FOOTER.format(date=fmt_date(today or dt.date.today())))}
{escape(texts.OVERVIEW_COLOURS)}</footer>
</body></html>"""


def overview_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as e:  # OSError: Pango is missing on this machine
        raise ReportUnavailable(texts.REPORT_NO_PDF.format(error=e)) from None
    return HTML(string=html).write_pdf()


def _cell(key: str, value, symbol: str = "₽") -> str:
    if key in ("fact", "plan", "overdue", "over_limit"):
        return fmt_money(value, currency=symbol)
    if key in ("fulfilment", "forecast_fulfilment", "overdue_share"):
        return fmt_ratio(value, none=texts.NO_PLAN if key == "fulfilment" else "—")
    if key == "meetings_per_week":
        return fmt_number(value)
    return "" if value is None else str(texts.group_name(value))


def _chart(rows: list[dict], closed: bool) -> str:
    """Plan fulfilment (the forecast while the month is open) per manager, as SVG bars."""
    key = "fulfilment" if closed else "forecast_fulfilment"
    bars = [(r["name"], r[key]) for r in rows if r["kind"] == "manager" and r[key] is not None]
    if not bars:
        return ""
    width, row_h, left = 900, 16, 170
    top = max(max(v for _, v in bars), 1.0) * 1.1
    scale = (width - left - 60) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row_h * len(bars) + 24}" '
             f'style="margin-top:4mm;font-family:DejaVu Sans;font-size:9px">']
    for i, (name, value) in enumerate(bars):
        y = i * row_h + 4
        colour = "#2e7d32" if value >= 1 else "#f9a825" if value >= 0.9 else "#c62828"
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(name)}</text>'
                     f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="{row_h - 4}" fill="{colour}"/>'
                     f'<text x="{left + value * scale + 4:.1f}" y="{y + 11}">{escape(fmt_ratio(value))}</text>')
    x100 = left + scale
    parts.append(f'<line x1="{x100:.1f}" x2="{x100:.1f}" y1="0" y2="{row_h * len(bars) + 6}" stroke="#333"/>'
                 f'<text x="{x100 + 3:.1f}" y="{row_h * len(bars) + 18}">100 %</text></svg>')
    return "".join(parts)
