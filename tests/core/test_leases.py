"""
Job leases (issue 20): two runs of a scheduled job never overlap; a second
run says who holds the lease and exits 0; a dead run's lease expires.
"""

import datetime as dt
import io
import json
import threading

import pytest
from django.core.management import call_command

from core.leases import LeaseHeld, job_lease, lease_release, lease_renew, lease_take
from core.models import JobLease


def test_a_second_taker_is_refused_naming_the_holder():
    lease_take(name="send_digest", owner="host-a:1:aa")
    with pytest.raises(LeaseHeld) as held:
        lease_take(name="send_digest", owner="host-b:2:bb")
    assert held.value.owner == "host-a:1:aa"
    assert str(held.value).startswith("skipped: send_digest is running since ")
    assert "(owner host-a:1:aa)" in str(held.value)


def test_an_expired_lease_lets_the_next_run_in():
    lease_take(name="audit_digest", owner="dead", ttl=dt.timedelta(seconds=-1))
    lease = lease_take(name="audit_digest", owner="next")
    assert JobLease.get("audit_digest", consistent_read=True).owner == "next"
    assert lease.expires_at > dt.datetime.now(dt.UTC)


def test_release_and_renew_by_a_non_owner_are_refused():
    lease_take(name="refresh_ageing", owner="me")
    assert lease_release(name="refresh_ageing", owner="someone else") is False
    assert lease_renew(name="refresh_ageing", owner="someone else") is False
    assert JobLease.get("refresh_ageing", consistent_read=True).owner == "me"
    assert lease_release(name="refresh_ageing", owner="me") is True
    assert JobLease.count("refresh_ageing") == 0


def test_the_holder_renews_its_lease_while_it_runs():
    ttl = dt.timedelta(seconds=0.6)
    with job_lease("send_mail_outbox", ttl=ttl):
        first = JobLease.get("send_mail_outbox", consistent_read=True).expires_at
        threading.Event().wait(0.9)  # past the first expiry: renewed at ttl/3
        later = JobLease.get("send_mail_outbox", consistent_read=True).expires_at
        assert later > first
        with pytest.raises(LeaseHeld):
            lease_take(name="send_mail_outbox", owner="intruder")
    assert JobLease.count("send_mail_outbox") == 0


@pytest.mark.dynamodb_local_only
def test_of_many_racing_takers_exactly_one_wins():
    barrier = threading.Barrier(8)
    outcomes = []

    def take(index):
        barrier.wait()
        try:
            lease_take(name="reconcile_invoices", owner=f"run-{index}")
            outcomes.append("won")
        except LeaseHeld:
            outcomes.append("held")

    threads = [threading.Thread(target=take, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held"] * 7 + ["won"]


def test_a_scheduled_command_skips_while_its_lease_is_held():
    lease_take(name="refresh_dashboard", owner="other-host:7:cc")
    out = io.StringIO()
    call_command("refresh_dashboard", stdout=out)  # exits 0: no exception
    assert out.getvalue().startswith("skipped: refresh_dashboard is running since")
    assert "recomputed" not in out.getvalue()


@pytest.mark.django_db
def test_a_command_run_leaves_no_lease_behind():
    out = io.StringIO()
    call_command("refresh_ageing", stdout=out)
    assert "recomputed" in out.getvalue()
    assert JobLease.count("refresh_ageing") == 0


@pytest.mark.django_db
def test_reconcile_takes_one_lease_per_shard():
    lease_take(name="reconcile_invoices#shard-0-of-2", owner="shard-zero-run")
    held, free = io.StringIO(), io.StringIO()
    call_command("reconcile_invoices", "--shard", "0", "--shards", "2", stdout=held)
    call_command("reconcile_invoices", "--shard", "1", "--shards", "2", stdout=free)
    assert "(owner shard-zero-run)" in held.getvalue()
    assert json.loads(free.getvalue().splitlines()[-1])["processed"] == 0
