"""Issue 14 item 14: the ageing chart and its table call a bucket by one name."""

import json
import re

from django.test import Client

from dashboard.services import dashboard_refresh


def test_the_chart_and_the_table_both_say_not_yet_due(
    matched_invoice, three_vendors, auditor
):
    matched_invoice(three_vendors[0], "700.00")  # due in 30 days: not yet due
    dashboard_refresh()
    client = Client()
    client.force_login(auditor)

    html = client.get("/").content.decode()

    embedded = re.search(
        r'<script id="dashboard-figures" type="application/json">(.*?)</script>',
        html,
        flags=re.S,
    ).group(1)
    # What static/js/dashboard.js labels the ageing chart's bars with.
    labels = [label for _, label in json.loads(embedded)["ageing_labels"]]
    assert labels == [
        "Not yet due",
        "1-30 days",
        "31-60 days",
        "61-90 days",
        "90+ days",
    ]
    table = html.split("Unpaid invoices by days past due", 1)[1]
    first_row = re.search(r"<tbody><tr><td>([^<]*)</td>", table).group(1)
    assert first_row == "Not yet due"
