#!/usr/bin/env python3
"""Drives the python `caldav` library (Debian python3-caldav) against a Davenport server.

Env: DAV_URL, DAV_USER, DAV_PASS. Prints one JSON object on stdout:
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


try:
    import importlib.metadata

    VERSION = importlib.metadata.version("caldav")
except Exception:  # noqa: BLE001
    VERSION = getattr(caldav, "__version__", "?")
print(json.dumps({"caldav_version": VERSION, "steps": steps}, indent=1))
sys.exit(0)
