"""Error pages in the site's own layout."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(
        request,
        "error.html",
        {"status": 404, "message": "That page or record does not exist."},
        status=404,
    )


def forbidden(request, exception=None):
    return render(
        request,
        "error.html",
        {"status": 403, "message": "Your role does not allow this page or action."},
        status=403,
    )


def server_error(request):
    # No context processors that could fail again: a plain template.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
