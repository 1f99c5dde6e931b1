"""The page links of a cursor-paged list (`partials/_pages.html`)."""

from django.http import HttpRequest

from core.dynamo import Page


def page_links(request: HttpRequest, page: Page | None) -> dict:
    """
    The context the page links need: the next page's query string (the same
    filters, the next cursor; None on the last page or without a page), the
    first page's, and whether this is the first page.
    """
    query = request.GET.copy()
    query.pop("cursor", None)
    first_query = query.urlencode()
    next_query = None
    if page is not None and page.next_cursor:
        query["cursor"] = page.next_cursor
        next_query = query.urlencode()
    return {
        "next_query": next_query,
        "first_query": first_query,
        "is_first_page": not request.GET.get("cursor"),
    }
