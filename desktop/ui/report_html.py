"""What the printed report says, as Qt rich-text HTML (tables, bold, colours, an embedded image).

Page 1 holds the result, the 30 inputs (one 10 x 3 table), the notes, the model and the disclaimer;
page 2 why the model said so (the contribution chart and the table of all 30 contributions) and what
the measurements are, with the data set's citation.

The report always names the patient (name, date of birth, MRN: a printout travels without the screen
and the banner it came from), the clinician, the model's version with the start of its file's
sha256 and its cross-validated metrics, and says that the result is decision support to be read by
a clinician, not a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import html

from desktop.domain.features import BASE_MEASUREMENTS, GROUPS, feature_label
from desktop.domain.prediction import not_reliable_text
from desktop.ui.formatting import percent
from desktop.ui.patient_format import NOT_KNOWN, display_date, mrn
from desktop.ui.report_chart import CHART_TOP, CHART_URL
from desktop.ui.report_data import ReportData
from desktop.ui.widgets.contributions_chart import top_contributions
from desktop.ui.widgets.feature_form import format_value
from desktop.ui.widgets.risk_badge import risk_colour

DISCLAIMER = (
    "This result is decision support to be read by a clinician, not a diagnosis. It comes from a "
    "statistical model trained on the Wisconsin Diagnostic Breast Cancer data and must be interpreted "
    "by a qualified clinician together with the clinical picture, imaging and pathology."
)

#: What the data set's own description says about the measurements (wdbc.names, UCI repository).
MEASUREMENTS_TEXT = (
    "The 30 measurements are those of the Wisconsin Diagnostic Breast Cancer data set. They are "
    "computed from a digitised image of a fine-needle aspirate (FNA) of a breast mass and describe "
    "characteristics of the cell nuclei present in the image. Ten features are computed for each "
    "nucleus: radius (mean of the distances from the centre to points on the perimeter), texture "
    "(standard deviation of grey-scale values), perimeter, area, smoothness (local variation in radius "
    "lengths), compactness (perimeter&sup2; / area &minus; 1.0), concavity (severity of concave portions "
    "of the contour), concave points (number of concave portions of the contour), symmetry, and fractal "
    "dimension (&ldquo;coastline approximation&rdquo; &minus; 1). For each image three values of each "
    "feature are recorded: the mean, the standard error, and the &ldquo;worst&rdquo;, the mean of the "
    "three largest values."
)
UNITS_TEXT = (
    "Units: the data set's description gives none. Radius, perimeter and area are measured on the "
    "digitised image (in pixels, and square pixels for the area), not in millimetres; the other features "
    "are derived from the same image. Values measured with other equipment or software may not be "
    "comparable."
)
CITATION = (
    "W.N. Street, W.H. Wolberg and O.L. Mangasarian, &ldquo;Nuclear feature extraction for breast tumor "
    "diagnosis&rdquo;, IS&amp;T/SPIE 1993 International Symposium on Electronic Imaging: Science and "
    "Technology, volume 1905, pages 861-870, San Jose, CA, 1993."
)
CONTRIBUTIONS_TEXT = (
    "Each measurement's contribution to the log-odds of malignancy (its model coefficient times its "
    "transformed, standardised value): positive values pushed this result towards malignant, negative "
    "towards benign; together with the model's intercept they add up to the result. The chart shows "
    "the {top} largest; the table lists all of them, largest first."
)
NO_CONTRIBUTIONS_TEXT = (
    "The contributions are not available for this printout (they are printed from the prediction's own "
    "window when the installed model made it)."
)

#: Notes longer than this are cut so the report stays on one page (the full text stays in ClinicDesk).
NOTES_MAX_CHARS = 600
NOTES_MAX_LINES = 8


def model_text(version: str) -> str:
    """ "1.2.0 (model file sha256 3f2a9c01d4e5…)" from the stored "1.2.0+3f2a9c01d4e5"."""
    number, _, digest = version.partition("+")
    return f"{number} (model file sha256 {digest}…)" if digest else version


def printable_notes(notes: str) -> str:
    """``notes`` cut to what fits on the page, saying so when something was left out."""
    text = notes.strip()
    lines = text.splitlines()
    cut = len(text) > NOTES_MAX_CHARS or len(lines) > NOTES_MAX_LINES
    if cut:
        text = "\n".join(lines[:NOTES_MAX_LINES])[:NOTES_MAX_CHARS].rstrip()
        text += " … (shortened; the full notes are in ClinicDesk)"
    return text


def _when(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone()  # local time of the machine printing it
    return value.strftime("%Y-%m-%d %H:%M")


def _contributions_html(data: ReportData) -> str:
    if not data.contributions:
        return f"<p>{NO_CONTRIBUTIONS_TEXT}</p>"
    ranked = top_contributions(data.contributions, len(data.contributions))
    cells = [
        f"<td width='37%'>{html.escape(feature_label(name))}</td>"
        f"<td width='10%' align='right'>{value:+.3f}</td>"
        for name, value in ranked
    ]
    half = (len(cells) + 1) // 2  # two columns side by side, so all 30 fit beside the chart's page
    right = cells[half:] + ["<td></td><td></td>"] * (2 * half - len(cells))
    rows = "".join(f"<tr>{a}<td width='6%'></td>{b}</tr>" for a, b in zip(cells[:half], right, strict=True))
    top = min(CHART_TOP, len(ranked))
    return (
        f"<p>{CONTRIBUTIONS_TEXT.format(top=top)}</p>"
        f'<p align="center"><img src="{CHART_URL}" width="560"></p>'
        '<table border="0" cellspacing="0" cellpadding="0" width="100%" style="font-size: 8pt;">'
        "<tr><th align='left'>Measurement</th><th align='right'>Log-odds</th><th></th>"
        "<th align='left'>Measurement</th><th align='right'>Log-odds</th></tr>"
        f"{rows}</table>"
    )


def report_html(data: ReportData) -> str:
    """The report as Qt rich-text HTML (kept separate so tests and previews can use it)."""
    esc = html.escape
    colour = risk_colour(data.risk_level)
    probability = "not recorded" if data.probability is None else percent(data.probability)
    rows = []
    for base, label, _ in BASE_MEASUREMENTS:
        cells = []
        for group, _ in GROUPS:
            name = f"{base}_{group}"
            value = data.features.get(name)
            text = "-" if value is None else format_value(float(value))
            if name in data.out_of_range:
                text = f"<b>{text}*</b>"
            cells.append(f'<td align="right">{text}</td>')
        rows.append(f"<tr><td>{esc(label)}</td>{''.join(cells)}</tr>")
    header = "".join(f'<th align="right">{esc(label)}</th>' for _, label in GROUPS)
    metrics = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in data.metrics)
    out_of_range = ""
    if data.out_of_range:
        out_of_range = f"<p style='color:#b45309'><b>* {esc(not_reliable_text(data.out_of_range))}</b></p>"
    note_text = printable_notes(data.notes)
    notes = f"<h3>Notes</h3><p>{esc(note_text).replace(chr(10), '<br>')}</p>" if note_text else ""
    ident = f" &middot; prediction #{data.prediction_id}" if data.prediction_id is not None else ""
    born = display_date(data.patient_date_of_birth)
    clinician = esc(data.clinician or NOT_KNOWN)
    return f"""
<html><body style="font-family: sans-serif; font-size: 9pt;">
<h2>ClinicDesk &ndash; breast cytology decision support report</h2>
<table cellspacing="0" cellpadding="3" width="100%" style="background-color: #eef2f7;">
<tr><td><span style="font-size: 12pt;"><b>{esc(data.patient_name)}</b></span></td>
<td>Born <b>{born}</b></td><td><b>{esc(mrn(data.patient_mrn))}</b></td></tr>
<tr><td>Clinician <b>{clinician}</b></td><td colspan="2">Date <b>{_when(data.created_at)}</b>{ident}</td></tr>
</table>
<p></p>
<table border="1" cellspacing="0" cellpadding="6" width="100%">
<tr><td width="33%"><b>Prediction</b><br><span style="font-size: 14pt;">{esc(data.prediction)}</span></td>
<td width="33%"><b>Probability of malignancy</b><br><span style="font-size: 14pt;">{probability}</span>
<br>confidence in the prediction {percent(data.confidence)}</td>
<td width="34%" style="background-color: {colour}; color: white;"><b>Risk level</b><br>
<span style="font-size: 14pt;">{esc(data.risk_level)}</span></td></tr>
</table>
{out_of_range}
<h3>Measurements (fine-needle aspirate, nuclear features)</h3>
<table border="1" cellspacing="0" cellpadding="3" width="100%">
<tr><th align="left">Measurement</th>{header}</tr>
{"".join(rows)}
</table>
{notes}
<h3>Model</h3>
<p>Version {esc(model_text(data.model_version))}.
Cross-validated performance (mean &plusmn; spread over folds):</p>
<table cellspacing="0" cellpadding="2">{metrics}</table>
<p></p>
<table border="1" cellspacing="0" cellpadding="6" width="100%">
<tr><td><b>{esc(DISCLAIMER)}</b></td></tr></table>
<h3 style="page-break-before: always;">Why: the contributions of the measurements</h3>
{_contributions_html(data)}
<h3>About the measurements</h3>
<p>{MEASUREMENTS_TEXT}</p>
<p>{UNITS_TEXT}</p>
<p><b>Source of the data set:</b> {CITATION}</p>
</body></html>
"""
