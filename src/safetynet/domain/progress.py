"""How the work after a warning stands on a given day (DOMAIN §8, "Leaders look at") — pure, vectorised.

The loop's own tables keep their history as dates: a lead's received / checked / decided days, a file's
status changes, its follow-up visits, help delivered and plan items. So the state *on any past day* can be
rebuilt, and a leader's 环比 ("since last month") compares the same measures on two days rather than a
snapshot someone remembered to take. Per as-of day `d` and per group (a child region, or the whole area):

* `open_leads` — leads received by `d` and not decided by `d`; `overdue_leads` — those whose current step
  (入户核实 until checked, then 认定决定) was due before `d`. Deadlines come from the per-region rules and the
  working-day calendar, exactly as the 待办 screen counts them.
* `decided_leads`, `decision_days` — leads decided in the month up to `d` (after the same day a month
  earlier) and the median working days from receipt to decision. A median does not add up: it is computed
  here for each group, never summed.
* `files_open` — files 在档 or 帮扶中 on `d`; `with_plan` — of them, those with a 一户一策 item (not
  cancelled) created in the current open spell by `d`; `with_aid` — those with help delivered in the spell.
* `followed_files` / `overdue_visits` — files that need follow-up visits on `d` (open files past their first
  help, and files within 12 months of risk elimination) and those whose next visit was due before `d`
  (the last visit, or the start of the spell, plus the follow-up interval): the rule of the household file's
  "下一步" (views.casework.next_visit), for many files at once.

`households_behind` asks the same of each household today, for the watchlist's 逾期未办 and 无一户一策
filters: a household counts as overdue exactly when it adds to `overdue_leads` or `overdue_visits` above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safetynet.domain import codes
from safetynet.domain.deadlines import AFTERCARE, DECISION, FOLLOWUP, HOME_CHECK, DeadlineRules
from safetynet.domain.workdays import WorkCalendar

COLUMNS = ("open_leads", "overdue_leads", "decided_leads", "decision_days", "files_open", "with_plan",
           "with_aid", "followed_files", "overdue_visits")
FIRST_AID_STATUS = "在档"  # an open file before its first help: first help is due, not a visit


@dataclass(frozen=True)
class Inputs:
    """The raw rows, each date column datetime64 (NaT for none); `group` is what results are counted by.

    leads:     group, adcode, received_on, checked_on, decided_on
    changes:   hh_id, group, adcode, changed_on, change_id, to_status  (every status change of the files)
    followups: hh_id, followed_on;  aids: hh_id, delivered_on;  plans: hh_id, created_on (not cancelled)
    """
    leads: pd.DataFrame
    changes: pd.DataFrame
    followups: pd.DataFrame
    aids: pd.DataFrame
    plans: pd.DataFrame


def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]")


def month_before(day: dt.date) -> dt.date:
    """The same day a month earlier (the 31st falls back to the month's last day)."""
    return (pd.Timestamp(day) - pd.DateOffset(months=1)).date()


def as_of_days(today: dt.date, months: int) -> list[dt.date]:
    """`today` and the same day in each of the `months` months before it, oldest first."""
    return [(pd.Timestamp(today) - pd.DateOffset(months=k)).date() for k in range(months, -1, -1)]


# ---------------------------------------------------------------- leads
def _lead_frame(leads: pd.DataFrame, days: Sequence[dt.date], calendar: WorkCalendar,
                rules: DeadlineRules) -> pd.DataFrame:
    received, checked, decided = (_days(leads[c]) for c in ("received_on", "checked_on", "decided_on"))
    adcodes = leads["adcode"].to_numpy()
    check_due = rules.due_many(adcodes, HOME_CHECK, received, calendar)
    decide_due = rules.due_many(adcodes, DECISION, received, calendar)
    took = calendar.between_many(received, decided)
    parts = []
    for day in days:
        d = np.datetime64(day, "D")
        start = np.datetime64(month_before(day), "D")
        is_open = (received <= d) & (np.isnat(decided) | (decided > d))
        is_checked = ~np.isnat(checked) & (checked <= d)
        due = np.where(is_checked, decide_due, check_due)
        decided_now = ~np.isnat(decided) & (decided > start) & (decided <= d) & (received <= decided)
        parts.append(pd.DataFrame({
            "as_of": day, "group": leads["group"].to_numpy(), "open_leads": is_open,
            "overdue_leads": is_open & (due < d), "decided_leads": decided_now,
            "days": np.where(decided_now, took, np.nan)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["as_of", "group"])


def _lead_counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[*by, "open_leads", "overdue_leads", "decided_leads", "decision_days"])
    grouped = frame.groupby(by, sort=False)
    out = grouped[["open_leads", "overdue_leads", "decided_leads"]].sum()
    out["decision_days"] = grouped["days"].median()
    return out.reset_index()


# ---------------------------------------------------------------- files
def _spells(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per status interval [start, end) of each file, with the first day of its run of open
    (在档/帮扶中) or eliminated statuses — the spell a plan, help and visits belong to."""
    ordered = changes.sort_values(["hh_id", "changed_on", "change_id"], kind="stable").reset_index(drop=True)
    hh = ordered["hh_id"].to_numpy()
    start = _days(ordered["changed_on"])
    end = np.full(len(ordered), np.datetime64("NaT"), dtype="datetime64[D]")  # the next change of the file
    same_next = hh[1:] == hh[:-1]
    end[:-1][same_next] = start[1:][same_next]
    status = ordered["to_status"].to_numpy()
    kind = np.where(np.isin(status, codes.OPEN_STATUSES), 1, np.where(np.isin(status, codes.ELIMINATED_STATUSES), 2, 0))
    new_run = np.ones(len(ordered), dtype=bool)
    new_run[1:] = (hh[1:] != hh[:-1]) | (kind[1:] != kind[:-1])
    run_id = np.cumsum(new_run)
    run_start = pd.Series(start).groupby(run_id).transform("first").to_numpy().astype("datetime64[D]")
    return pd.DataFrame({"hh_id": hh, "group": ordered["group"].to_numpy(), "adcode": ordered["adcode"].to_numpy(),
                         "status": status, "kind": kind, "start": start, "end": end, "spell": run_start})


def _last_before(left: pd.DataFrame, events: pd.DataFrame, on: str) -> np.ndarray:
    """For each (hh_id, at) row of `left`, the latest event day ≤ at of that household (NaT if none)."""
    if left.empty:
        return np.array([], dtype="datetime64[D]")
    right = pd.DataFrame({"hh_id": events["hh_id"].astype("int64"),
                          "event": pd.to_datetime(events[on]).dt.normalize().astype("datetime64[s]")}).dropna()
    right = right.sort_values("event", kind="stable")
    probe = pd.DataFrame({"hh_id": left["hh_id"].astype("int64").to_numpy(),
                          "at": left["at"].to_numpy().astype("datetime64[s]"), "row": np.arange(len(left))})
    probe = probe.sort_values("at", kind="stable")
    merged = pd.merge_asof(probe, right, left_on="at", right_on="event", by="hh_id", direction="backward")
    out = np.full(len(left), np.datetime64("NaT"), dtype="datetime64[D]")
    out[merged["row"].to_numpy()] = merged["event"].to_numpy().astype("datetime64[D]")
    return out


def _file_frame(inputs: Inputs, days: Sequence[dt.date], calendar: WorkCalendar,
                rules: DeadlineRules) -> pd.DataFrame:
    spells = _spells(inputs.changes)
    aftercare_end = rules.due_many(spells["adcode"].to_numpy(), AFTERCARE, spells["spell"].to_numpy(), calendar)
    start, end, kind = spells["start"].to_numpy(), spells["end"].to_numpy(), spells["kind"].to_numpy()
    parts = []
    for day in days:
        d = np.datetime64(day, "D")
        current = (start <= d) & (np.isnat(end) | (end > d))
        followed = current & ((kind == 1) | ((kind == 2) & (aftercare_end >= d)))
        rows = spells[followed].assign(at=d, as_of=day)
        rows["is_open"] = rows["kind"].to_numpy() == 1
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=["as_of", "group"])
    files = pd.concat(parts, ignore_index=True)
    spell = files["spell"].to_numpy()
    last_visit = _last_before(files, inputs.followups, "followed_on")
    last_aid = _last_before(files, inputs.aids, "delivered_on")
    last_plan = _last_before(files, inputs.plans, "created_on")
    with_aid = ~np.isnat(last_aid) & (last_aid >= spell)
    with_plan = ~np.isnat(last_plan) & (last_plan >= spell)
    visit_from = np.where(~np.isnat(last_visit) & (last_visit > spell), last_visit, spell)
    visit_due = rules.due_many(files["adcode"].to_numpy(), FOLLOWUP, visit_from, calendar)
    first_aid_due = files["is_open"].to_numpy() & (files["status"].to_numpy() == FIRST_AID_STATUS) & ~with_aid
    needs_visit = ~first_aid_due
    is_open = files["is_open"].to_numpy()
    return pd.DataFrame({
        "as_of": files["as_of"].to_numpy(), "group": files["group"].to_numpy(),
        "files_open": is_open, "with_plan": is_open & with_plan, "with_aid": is_open & with_aid,
        "followed_files": needs_visit, "overdue_visits": needs_visit & (visit_due < files["at"].to_numpy())})


def progress(inputs: Inputs, days: Sequence[dt.date], calendar: WorkCalendar, rules: DeadlineRules,
             by_group: bool = True) -> pd.DataFrame:
    """One row per (as_of, group) — or per as_of over all groups — with COLUMNS (counts as int, the median
    as float, NaN where nothing was decided); every as-of day is present even where nothing happened."""
    by = ["as_of", "group"] if by_group else ["as_of"]
    leads = _lead_frame(inputs.leads, days, calendar, rules)
    files = _file_frame(inputs, days, calendar, rules)
    lead_counts = _lead_counts(leads, by)
    file_cols = ["files_open", "with_plan", "with_aid", "followed_files", "overdue_visits"]
    file_counts = (files.groupby(by, sort=False)[file_cols].sum().reset_index() if not files.empty
                   else pd.DataFrame(columns=[*by, *file_cols]))
    groups = sorted(set(inputs.leads["group"]) | set(inputs.changes["group"])) if by_group else [None]
    frame = pd.DataFrame([(day, g) for day in days for g in groups], columns=["as_of", "group"])
    if not by_group:
        frame = frame[["as_of"]]
    out = frame.merge(lead_counts, on=by, how="left").merge(file_counts, on=by, how="left")
    for column in COLUMNS:
        if column not in out:
            out[column] = np.nan
        if column != "decision_days":
            out[column] = pd.to_numeric(out[column]).fillna(0).astype("int64")
        else:
            out[column] = pd.to_numeric(out[column]).astype(float)
    return out[[*by, *COLUMNS]]


def households_behind(inputs: Inputs, today: dt.date, calendar: WorkCalendar, rules: DeadlineRules) -> pd.DataFrame:
    """One row per household with an open lead or a followed file today: hh_id, `overdue` (a lead past its
    step's deadline or a visit past due) and `no_plan` (an open file without a 一户一策 item in its spell).

    `inputs` must be grouped by household (`group` = hh_id; leads of applicants without a file left out)."""
    counts = progress(inputs, [today], calendar, rules)
    return pd.DataFrame({
        "hh_id": counts["group"].astype("int64"),
        "overdue": (counts["overdue_leads"] + counts["overdue_visits"]) > 0,
        "no_plan": (counts["files_open"] - counts["with_plan"]) > 0,
    }).reset_index(drop=True)
