#!/usr/bin/env python3
"""Drives the python `caldav` library (Debian python3-caldav) against a Davenport server.

Env: DAV_URL, DAV_USER, DAV_PASS, and a second user (the attendee of the scheduling steps)
DAV_USER2, DAV_PASS2. Prints one JSON object on stdout:
  {"caldav_version": ..., "steps": {step: {"ok": bool, "error"?: str, ...values}}}
Each step runs even when an earlier one failed (where it can), so a run shows every
problem at once; test/interop/python-caldav.test.ts asserts on the values.
"""
import json
import os
import sys
import traceback
import uuid
from datetime import datetime, timezone

import caldav
from caldav.elements import dav

URL = os.environ["DAV_URL"]
USER = os.environ["DAV_USER"]
PASS = os.environ["DAV_PASS"]
USER2 = os.environ["DAV_USER2"]
PASS2 = os.environ["DAV_PASS2"]

steps = {}
state = {}


def step(name):
    def wrap(fn):
        try:
            values = fn() or {}
            steps[name] = dict(ok=True, **values)
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            steps[name] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()[-1500:]}
        return fn
    return wrap


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


def vcal(body):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Davenport//python-caldav interop//EN\r\n" + body + "END:VCALENDAR\r\n"


RUN = uuid.uuid4().hex[:8]
SIMPLE_UID = "simple-%s@example.com" % RUN
WEEKLY_UID = "weekly-%s@example.com" % RUN
THIRD_UID = "third-%s@example.com" % RUN

SIMPLE = vcal(
    "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART:20240110T120000Z\r\nDTEND:20240110T130000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n" % SIMPLE_UID
)
# Mondays 2024-01-01 .. 2024-03-04 (10), minus the EXDATE 2024-01-15: 9 instances.
WEEKLY = vcal(
    "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART:20240101T100000Z\r\nDTEND:20240101T103000Z\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE:20240115T100000Z\r\nSUMMARY:Weekly sync\r\nEND:VEVENT\r\n" % WEEKLY_UID
)
THIRD = vcal(
    "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART:20240120T090000Z\r\nDTEND:20240120T100000Z\r\nSUMMARY:Third\r\nEND:VEVENT\r\n" % THIRD_UID
)


def vevent_count(data):
    return data.count("BEGIN:VEVENT")


def server_expanded(cal, start, end):
    """A calendar-query with <C:expand>, results as the server sent them (no client-side expansion)."""
    xml, _ = cal.build_search_xml_query(event=True, expand=True, start=start, end=end)
    objs = cal.search(xml=xml)
    datas = [o.data for o in objs]
    return {
        "objects": len(objs),
        "vevents": sum(vevent_count(d) for d in datas),
        "with_rrule": sum(1 for d in datas if "RRULE" in d),
        "recurrence_ids": sorted(
            line.split(":", 1)[1].strip() for d in datas for line in d.splitlines() if line.startswith("RECURRENCE-ID")
        ),
    }


@step("discover")
def _():
    state["client"] = caldav.DAVClient(url=URL, username=USER, password=PASS)
    state["principal"] = state["client"].principal()
    return {"principal": str(state["principal"].url)}


@step("calendars")
def _():
    cals = state["principal"].calendars()
    return {"urls": [str(c.url) for c in cals]}


@step("make_calendar")
def _():
    cal = state["principal"].make_calendar(name="Interop %s" % RUN, cal_id="interop-%s" % RUN)
    state["cal"] = cal
    names = {str(c.url): c.get_display_name() for c in state["principal"].calendars()}
    return {"url": str(cal.url), "listed": str(cal.url) in names, "displayname": names.get(str(cal.url))}


@step("save_event")
def _():
    cal = state["cal"]
    state["simple"] = cal.save_event(SIMPLE)
    state["weekly"] = cal.save_event(WEEKLY)
    events = cal.events()
    return {
        "simple_url": str(state["simple"].url),
        "weekly_url": str(state["weekly"].url),
        "events": len(events),
        "by_uid": vevent_count(cal.event_by_uid(WEEKLY_UID).data),
    }


@step("search_january")
def _():
    objs = state["cal"].search(start=utc(2024, 1, 1), end=utc(2024, 2, 1), event=True)
    return {"objects": len(objs), "uids": sorted(str(o.vobject_instance.vevent.uid.value) for o in objs)}


@step("search_empty_range")
def _():
    return {"objects": len(state["cal"].search(start=utc(2024, 3, 10), end=utc(2024, 4, 1), event=True))}


@step("search_exdate_gap")
def _():
    # 2024-01-15 10:00-10:30 is EXDATE'd: nothing there.
    return {"objects": len(state["cal"].search(start=utc(2024, 1, 15, 9), end=utc(2024, 1, 15, 11), event=True))}


@step("date_search")
def _():
    # The deprecated API still used by many scripts (expands client-side when needed).
    objs = state["cal"].date_search(start=utc(2024, 1, 1), end=utc(2024, 2, 1))
    return {"objects": len(objs), "vevents": sum(vevent_count(o.data) for o in objs)}


@step("search_expand_client")
def _():
    objs = state["cal"].search(start=utc(2024, 1, 1), end=utc(2024, 2, 1), event=True, expand=True)
    return {"instances": len(objs)}


@step("expand_server_january")
def _():
    return server_expanded(state["cal"], utc(2024, 1, 1), utc(2024, 2, 1))


@step("expand_server_all")
def _():
    return server_expanded(state["cal"], utc(2023, 12, 1), utc(2024, 6, 1))


@step("sync")
def _():
    cal = state["cal"]
    snapshot = cal.objects_by_sync_token(load_objects=True)
    initial = sorted(str(o.url) for o in snapshot)
    token0 = snapshot.sync_token
    no_change = cal.objects_by_sync_token(sync_token=token0)
    unchanged = [str(o.url) for o in no_change]

    third = cal.save_event(THIRD)
    simple = state["simple"]
    simple.load()
    simple.vobject_instance.vevent.summary.value = "Lunch (moved)"
    simple.save()
    state["weekly"].delete()

    delta = cal.objects_by_sync_token(sync_token=token0)
    changed = sorted(str(o.url) for o in delta)
    updated, deleted = snapshot.sync()
    return {
        "token0": token0,
        "initial": initial,
        "unchanged": unchanged,
        "changed": changed,
        "expected_changed": sorted([str(third.url), str(simple.url), str(state["weekly"].url)]),
        "updated": sorted(str(o.url) for o in updated),
        "deleted": sorted(str(o.url) for o in deleted),
        "third_url": str(third.url),
        "simple_url": str(simple.url),
        "weekly_url": str(state["weekly"].url),
        "new_token_differs": snapshot.sync_token != token0,
        "after_sync": sorted(str(o.url) for o in snapshot),
        "modified_summary": "Lunch (moved)" in [str(o.vobject_instance.vevent.summary.value) for o in updated],
    }


@step("delete")
def _():
    cal = state["cal"]
    for e in cal.events():
        e.delete()
    left = len(cal.events())
    url = str(cal.url)
    cal.delete()
    remaining = [str(c.url) for c in state["principal"].calendars()]
    return {"events_left": left, "calendar_gone": url not in remaining}



# --- RFC 6638 scheduling and free-busy, the way the library's own functional suite does it
# (tests/test_caldav.py: TestScheduling.testInviteAndRespond, the free-busy requests).

SCHED_UID = "sched-%s@example.com" % RUN
# The suite's sched_template (from RFC 4438's examples): SEQUENCE, DURATION, TRANSP.
SCHED = vcal(
    "BEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:0\r\nDTSTAMP:20210206T101010Z\r\n"
    "DTSTART:20320615T100000Z\r\nDURATION:PT1H\r\nTRANSP:OPAQUE\r\nSUMMARY:Lunch or something\r\nEND:VEVENT\r\n" % SCHED_UID
)


def method_of(obj):
    return str(obj.icalendar_instance.get("method", ""))


def inbox_urls(principal):
    return set(str(x.url) for x in principal.schedule_inbox().get_items())


def copy_in_calendars(principal, uid):
    """(calendar url, object) of the principal's copy of this UID, searching every calendar."""
    for cal in principal.calendars():
        try:
            return str(cal.url), cal.event_by_uid(uid)
        except caldav.lib.error.NotFoundError:
            pass
    return None, None


def attendee_param(data, address, param):
    import icalendar

    for comp in icalendar.Calendar.from_ical(data).walk("vevent"):
        for a in comp.get("attendee", []) if isinstance(comp.get("attendee"), list) else [comp.get("attendee")]:
            if a is not None and str(a).lower() == address.lower():
                return str(a.params.get(param, ""))
    return None


def freebusy_lines(data):
    return [line for line in data.replace("\r\n ", "").splitlines() if line.startswith("FREEBUSY")]


@step("sched_discovery")
def _():
    state["client2"] = caldav.DAVClient(url=URL, username=USER2, password=PASS2)
    state["principal2"] = state["client2"].principal()
    out = {"scheduling_support": bool(state["client"].check_scheduling_support())}
    for key, p in (("organizer", state["principal"]), ("attendee", state["principal2"])):
        vcal_address = p.get_vcal_address()
        out[key] = {
            "inbox": str(p.schedule_inbox().url),
            "outbox": str(p.schedule_outbox().url),
            "addresses": p.calendar_user_address_set(),
            "vcal_address": str(vcal_address),
            "cutype": str(vcal_address.params.get("cutype")),
        }
    return out


@step("sched_invite")
def _():
    alice, bob = state["principal"], state["principal2"]
    state["inbox_before"] = inbox_urls(alice) | inbox_urls(bob)
    # The suite makes a fresh calendar for each side, then invites the organizer herself
    # (a Principal) and the attendee (his vCalAddress).
    organizers_calendar = alice.make_calendar(name="caldav scheduling test 0", cal_id="schedulingnosetestcalendar0")
    state["attendee_calendar"] = bob.make_calendar(name="caldav scheduling test 1", cal_id="schedulingnosetestcalendar1")
    state["organizers_calendar"] = organizers_calendar
    organizers_calendar.save_with_invites(SCHED, [alice, bob.get_vcal_address()])
    events = organizers_calendar.events()
    new_alice = [x for x in alice.schedule_inbox().get_items() if str(x.url) not in state["inbox_before"]]
    new_bob = [x for x in bob.schedule_inbox().get_items() if str(x.url) not in state["inbox_before"]]
    state["invite"] = new_bob[0] if new_bob else None
    bob_cal, bob_copy = copy_in_calendars(bob, SCHED_UID)
    bob_mail = bob.calendar_user_address_set()[0]
    organizer_copy = organizers_calendar.event_by_uid(SCHED_UID)
    return {
        "organizer_events": len(events),
        "organizer_new_inbox": len(new_alice),
        "attendee_new_inbox": len(new_bob),
        "attendee_inbox_methods": [method_of(x) for x in new_bob],
        "is_invite_request": bool(new_bob and new_bob[0].is_invite_request()),
        "attendee_copy_calendar": bob_cal,
        "attendee_copy_url": str(bob_copy.url) if bob_copy else None,
        "attendee_copy_partstat": bob_copy and attendee_param(bob_copy.data, bob_mail, "PARTSTAT"),
        "schedule_status": attendee_param(organizer_copy.data, bob_mail, "SCHEDULE-STATUS"),
    }


def bounded(fn, depth=60):
    """Runs fn with little stack to spare: this library version retries a failed reply by
    recursing without end (outbox, outbox, ...), which would otherwise take minutes to fail."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + depth)
    try:
        return fn()
    finally:
        sys.setrecursionlimit(limit)


@step("sched_accept_other_calendar")
def _():
    # What the suite's testInviteAndRespond does: answer into another calendar than the one
    # the server put the copy in (here tentatively, so the next step still changes PARTSTAT).
    alice, bob = state["principal"], state["principal2"]
    invite = state["invite"]
    assert invite is not None, "no invitation in the attendee's inbox"
    bounded(lambda: invite.tentatively_accept_invite(calendar=state["attendee_calendar"]))
    new_alice = [x for x in alice.schedule_inbox().get_items() if str(x.url) not in state["inbox_before"]]
    bob_mail = bob.calendar_user_address_set()[0]
    organizer_copy = state["organizers_calendar"].event_by_uid(SCHED_UID)
    bob_cal, bob_copy = copy_in_calendars(bob, SCHED_UID)
    out = {
        "organizer_inbox_methods": [method_of(x) for x in new_alice],
        "organizer_sees_partstat": attendee_param(organizer_copy.data, bob_mail, "PARTSTAT"),
        "attendee_copy_calendar": bob_cal,
        "attendee_copy_partstat": bob_copy and attendee_param(bob_copy.data, bob_mail, "PARTSTAT"),
    }
    for x in new_alice:
        x.delete()
    return out


@step("sched_accept")
def _():
    alice, bob = state["principal"], state["principal2"]
    invite = state["invite"]
    assert invite is not None, "no invitation in the attendee's inbox"
    # accept_invite() without a calendar, as the library's scheduling examples do: it PUTs the
    # answered copy to <first calendar>/<UID>.ics.
    first_calendar = str(bob.calendars()[0].url)
    bounded(invite.accept_invite)
    new_alice = [x for x in alice.schedule_inbox().get_items() if str(x.url) not in state["inbox_before"]]
    bob_mail = bob.calendar_user_address_set()[0]
    organizer_copy = state["organizers_calendar"].event_by_uid(SCHED_UID)
    bob_cal, bob_copy = copy_in_calendars(bob, SCHED_UID)
    copies = 0
    for cal in bob.calendars():
        try:
            cal.event_by_uid(SCHED_UID)
            copies += 1
        except caldav.lib.error.NotFoundError:
            pass
    out = {
        "first_calendar": first_calendar,
        "organizer_new_inbox": len(new_alice),
        "organizer_inbox_methods": [method_of(x) for x in new_alice],
        "organizer_sees_partstat": attendee_param(organizer_copy.data, bob_mail, "PARTSTAT"),
        "attendee_copy_url": str(bob_copy.url) if bob_copy else None,
        "attendee_copy_partstat": bob_copy and attendee_param(bob_copy.data, bob_mail, "PARTSTAT"),
        "attendee_copies": copies,
    }
    # The suite then deletes the reply from the organizer's inbox.
    for x in new_alice:
        x.delete()
    out["organizer_inbox_after_delete"] = len([x for x in alice.schedule_inbox().get_items() if str(x.url) not in state["inbox_before"]])
    return out


@step("sched_freebusy_principal")
def _():
    # Principal.freebusy_request POSTs a VFREEBUSY to the outbox; this version of the library
    # returns find_objects_and_props() of the answer, so the answer itself is read as sent.
    client = state["client"]
    answers = []
    post = client.post

    def recording_post(*a, **kw):
        r = post(*a, **kw)
        answers.append(r)
        return r

    client.post = recording_post
    try:
        bob_address = state["principal2"].get_vcal_address()
        state["principal"].freebusy_request(utc(2032, 6, 15), utc(2032, 6, 16), [bob_address])
    finally:
        client.post = post
    r = answers[-1]
    return {
        "status": r.status,
        "content_type": r.headers.get("Content-Type", ""),
        "request_status": [el.text for el in r.tree.iter("{urn:ietf:params:xml:ns:caldav}request-status")],
        "recipients": [el.text for el in r.tree.iter("{DAV:}href")],
        "freebusy": [line for el in r.tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data") for line in freebusy_lines(el.text or "")],
    }


@step("sched_freebusy_calendar")
def _():
    # Calendar.freebusy_request: the free-busy-query REPORT (RFC 4791 7.10) on the attendee's
    # calendar that holds his copy, and (as the suite's date search test does) naive datetimes.
    bob_cal, _copy = copy_in_calendars(state["principal2"], SCHED_UID)
    cal = state["client2"].calendar(url=bob_cal)
    fb = cal.freebusy_request(utc(2032, 6, 15), utc(2032, 6, 16))
    naive = cal.freebusy_request(datetime(2032, 6, 15), datetime(2032, 6, 16))
    empty = cal.freebusy_request(utc(2032, 7, 1), utc(2032, 7, 2))
    return {
        "is_freebusy": isinstance(fb, caldav.objects.FreeBusy),
        "has_vfreebusy": bool(fb.vobject_instance.vfreebusy),
        "freebusy": freebusy_lines(fb.data),
        "naive_has_vfreebusy": bool(naive.vobject_instance.vfreebusy),
        "empty_freebusy": freebusy_lines(empty.data),
    }


@step("sched_cancel")
def _():
    alice, bob = state["principal"], state["principal2"]
    seen = inbox_urls(bob)
    state["organizers_calendar"].event_by_uid(SCHED_UID).delete()
    new_bob = [x for x in bob.schedule_inbox().get_items() if str(x.url) not in seen]
    _cal, bob_copy = copy_in_calendars(bob, SCHED_UID)
    status = None
    if bob_copy is not None:
        status = str(bob_copy.icalendar_component.get("status", ""))
    out = {
        "attendee_inbox_methods": [method_of(x) for x in new_bob],
        "attendee_copy_status": status,
        "attendee_copy_gone": bob_copy is None,
    }
    state["organizers_calendar"].delete()
    state["attendee_calendar"].delete()
    return out


try:
    import importlib.metadata

    VERSION = importlib.metadata.version("caldav")
except Exception:  # noqa: BLE001
    VERSION = getattr(caldav, "__version__", "?")
print(json.dumps({"caldav_version": VERSION, "steps": steps}, indent=1))
sys.exit(0)
