"""Line formsets as a browser posts them, for the pages' tests."""

FIELDS = ("description", "quantity", "unit_price", "tax_code", "gl_account",
          "cost_centre")  # fmt: skip


def line_rows(rows, *, initial: int = 0, prefix: str = "lines") -> dict:
    """The management form and each row's fields (`rows`: dicts by field name)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def row(description="", quantity="", unit_price="", codes=("", "", ""), **more):
    """One priced line row with its (tax code, GL account, cost centre) selects."""
    tax_code, gl_account, cost_centre = codes
    return {"description": description, "quantity": quantity,
            "unit_price": unit_price, "tax_code": tax_code,
            "gl_account": gl_account, "cost_centre": cost_centre, **more}  # fmt: skip


def logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def refused_then_saved(client, url, data, *, refusal: str, fix: dict) -> str:
    """Post `data` (refused with `refusal`), then with `fix`; the page it lands on."""
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert refusal in refused.content.decode()
    return client.post(url, {**data, **fix}, follow=True).content.decode()


def coding_shown(html, tax_code: str, gl_account: str, cost_centre: str) -> bool:
    """Whether a line table shows this (tax code, GL account, cost centre) in a row.

    The cells' classes (the coding is left out on narrow screens) do not matter.
    """
    import re

    if isinstance(html, bytes):
        html = html.decode()
    cells = "".join(rf"<td[^>]*>{re.escape(code)}</td>"
                    for code in (tax_code, gl_account, cost_centre))  # fmt: skip
    return re.search(cells, html) is not None
