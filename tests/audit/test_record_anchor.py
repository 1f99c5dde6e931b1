"""
A record's history says whether a signed digest anchors it, and which one
(issue 19): the audit browser's record view and the history on record pages.
The digest is found by its period, a few digests read, never all of them.
"""

import datetime as dt
import html
import math
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.digest_store import FolderStore, digest_store, latest_number
from audit.digests import (
    FIRST_PREVIOUS,
    Ed25519Signer,
    Leaf,
    digest_build,
    digest_parse,
    digest_sign,
    file_sha256,
)
from audit.entries import entity_key
from tests.audit.digest_helpers import (
    digest,
    history,
    pem_pair,
    rechain,
    set_details,
    update_phone,
)
from vendors.services import vendor_create


def history_page(user, vendor_id) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("audit:entity-history", args=["vendor", vendor_id]))
    assert response.status_code == 200
    return response.content.decode()


def anchor_line(page: str) -> str:
    """The anchor paragraph's text, tags removed and spaces collapsed."""
    (paragraph,) = re.findall(r'<p class="anchor[^"]*"[^>]*>(.*?)</p>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", paragraph)).split())


def test_an_anchored_history_names_its_digest(anchored, auditor):
    line = anchor_line(history_page(auditor, anchored.id))
    until = digest_parse(digest_store().get(1).body).covers_until
    assert line.startswith(
        "Anchored: entries 1–4 are in audit digest #1 (covering up to "
    )
    assert line.endswith(", signature valid).")
    assert dt.datetime.fromisoformat(until).strftime("%Y-%m-%d") in line
    assert "not yet anchored" not in line


def test_newer_entries_are_counted_as_not_yet_anchored_on_the_record_page(
    anchored, auditor, clerk
):
    update_phone(anchored, clerk, "+49 30 4444444", "+49 30 5555555")
    line = anchor_line(history_page(auditor, anchored.id))
    assert line.startswith("Anchored: entries 1–4 are in audit digest #1")
    assert line.endswith(
        "2 newer entries are not yet anchored (the next digest will include them)."
    )
    # The vendor's own page shows its history, and the same line.
    client = Client()
    client.force_login(clerk)
    detail = client.get(reverse("vendors:detail", args=[anchored.id])).content.decode()
    assert "2 newer entries are not yet anchored" in anchor_line(detail)
    # The next digest takes them: #2 now anchors all six.
    digest()
    assert anchor_line(history_page(auditor, anchored.id)).startswith(
        "Anchored: entries 1–6 are in audit digest #2"
    )


def test_a_record_no_digest_covers_is_not_yet_anchored(
    folder_digests, auditor, clerk, vendor_fields
):
    first = vendor_create(user=clerk, fields={**vendor_fields, "name": "First Co"})
    assert anchor_line(history_page(auditor, first.id)) == (
        "Not yet anchored: no digest covers this record yet."
    )
    digest()
    later = vendor_create(user=clerk, fields={**vendor_fields, "name": "Later Co"})
    assert anchor_line(history_page(auditor, later.id)) == (
        "Not yet anchored: no digest covers this record yet."
    )
    assert anchor_line(history_page(auditor, first.id)).startswith(
        "Anchored: entries 1–1 are in audit digest #1"
    )


def test_a_chain_rewritten_after_its_digest_is_shown_as_such(anchored, auditor):
    entries = history(anchored.id)
    set_details(entries[1], phone="+49 30 9999999")
    rechain(anchored.id, entries)
    page = history_page(auditor, anchored.id)
    assert 'role="alert"' in page
    assert anchor_line(page) == (
        "This history does not match audit digest #1: rewritten after digest #1 "
        "(entry #4's hash differs from the digest's). It was changed after the "
        "digest was written. Run manage.py verify_audit to check the whole trail."
    )


def test_a_chain_shorter_than_its_digest_says_is_shown(anchored, auditor):
    entries = history(anchored.id)
    entries[3].delete()
    rechain(anchored.id, entries[:3])
    line = anchor_line(history_page(auditor, anchored.id))
    assert line.startswith(
        "This history does not match audit digest #1: entries removed after digest #1."
    )
    assert "manage.py verify_audit" in line


def test_a_digest_signed_by_another_key_is_shown_as_failing(anchored, auditor, clerk):
    update_phone(anchored, clerk, "+49 30 4444444")
    store = digest_store()
    first = store.get(1)
    forged = digest_build(
        number=2,
        covers_from=digest_parse(first.body).covers_until,
        covers_until=dt.datetime.now(dt.UTC).isoformat(),
        previous_digest_sha256=file_sha256(first.body),
        leaves=[
            Leaf(
                entity_key("vendor", anchored.id),
                5,
                history(anchored.id)[-1].entry_hash,
            )
        ],
    )
    other_key, _ = pem_pair()
    store.put(2, digest_sign(forged, Ed25519Signer(other_key)).file_bytes())
    page = history_page(auditor, anchored.id)
    assert 'role="alert"' in page
    line = anchor_line(page)
    assert line.startswith("Audit digest #2 fails its check: signed by another key.")
    assert "It does not verify with the configured public key" in line
    assert "Run manage.py verify_audit" in line


def test_without_digests_configured_the_history_says_so_quietly(
    settings, edited_vendor, auditor, tmp_path
):
    settings.AUDIT_DIGEST_LOCATION = ""
    page = history_page(auditor, edited_vendor.id)
    assert anchor_line(page) == "Audit digests are not configured."
    assert 'class="anchor muted"' in page and 'role="alert"' not in page
    # A store with nothing in it and no key to check with reads the same.
    settings.AUDIT_DIGEST_LOCATION = str(tmp_path / "none-yet")
    settings.AUDIT_DIGEST_PUBLIC_KEY = settings.AUDIT_DIGEST_PUBLIC_KEY_FILE = ""
    assert anchor_line(history_page(auditor, edited_vendor.id)) == (
        "Audit digests are not configured."
    )


def test_digests_stored_without_a_public_key_are_not_called_anchored(
    anchored, auditor, settings
):
    settings.AUDIT_DIGEST_PUBLIC_KEY = ""
    assert anchor_line(history_page(auditor, anchored.id)) == (
        "Audit digests are stored, but no public key is configured to check them."
    )


def test_a_page_view_reads_a_few_digests_not_all(
    folder_digests, edited_vendor, auditor, settings, monkeypatch
):
    """Sixteen digests, the vendor's in #5: a binary search, then the cache."""
    signer = Ed25519Signer(settings.AUDIT_DIGEST_SIGNING_KEY)
    store = digest_store()
    entries = history(edited_vendor.id)
    start = entries[0].timestamp - dt.timedelta(seconds=1)
    end = entries[-1].timestamp + dt.timedelta(seconds=1)
    hour = dt.timedelta(hours=1)
    edges = [start - hour * (5 - i) for i in range(1, 5)] + [start, end]
    edges += [end + hour * i for i in range(1, 12)]
    edges = [dt.datetime(1970, 1, 1, tzinfo=dt.UTC), *edges[1:]]
    previous = FIRST_PREVIOUS
    for number in range(1, 17):
        if number == 5:
            leaf = Leaf(
                entity_key("vendor", edited_vendor.id), 4, entries[-1].entry_hash
            )
        else:
            leaf = Leaf(f"vendor#other-{number}", 1, "a" * 64)
        body = digest_sign(
            digest_build(
                number=number,
                covers_from=edges[number - 1].isoformat(),
                covers_until=edges[number].isoformat(),
                previous_digest_sha256=previous,
                leaves=[leaf],
            ),
            signer,
        ).file_bytes()
        store.put(number, body)
        previous = file_sha256(body)
    reads = {"get": 0, "exists": 0}
    for name in reads:
        real = getattr(FolderStore, name)

        def counted(self, number, _real=real, _name=name):
            reads[_name] += 1
            return _real(self, number)

        monkeypatch.setattr(FolderStore, name, counted)

    line = anchor_line(history_page(auditor, edited_vendor.id))
    assert line.startswith("Anchored: entries 1–4 are in audit digest #5")
    log_n = math.log2(16)
    assert reads["get"] <= log_n + 2, reads
    assert reads["exists"] <= 2 * log_n + 2, reads
    # Again: the digests come from the cache, the latest number from two probes.
    reads.update(get=0, exists=0)
    assert "audit digest #5" in anchor_line(history_page(auditor, edited_vendor.id))
    assert reads == {"get": 0, "exists": 2}


@pytest.mark.parametrize("stored", [0, 1, 2, 3, 7, 8, 9, 100])
def test_the_latest_digest_number_is_found_by_probing_not_listing(stored):
    probes = []

    def exists(number):
        probes.append(number)
        return 1 <= number <= stored

    assert latest_number(exists) == stored
    assert len(probes) <= 2 * math.log2(stored + 1) + 2
    probes.clear()
    assert latest_number(exists, hint=stored) == stored
    assert len(probes) <= 2
    # A hint above what is stored (another store, a folder emptied) is ignored.
    assert latest_number(exists, hint=stored + 5) == stored
