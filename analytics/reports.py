"""The HR reports: one function per report, called by views, tasks, exports and the benchmark.

Each reads rows through ``selectors`` (aggregated in the database), builds frames with ``frames`` (pandas),
suppresses small cells with ``privacy`` where the viewer may not see personal data, and returns plain
``ReportTable`` objects and plotly JSON.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from courses.competencies.api import LEVELS  # the columns per competency; prefecture.py imports it here

from . import charts, forecast, frames, privacy, selectors, stack_cache
from .tables import ReportTable

LIVE, SNAPSHOT = "live", "snapshot"
TREND_MONTHS = 24
PRIMARY_LABEL = "<5"
COMPLEMENTARY_LABEL = "×"
FUNNEL = ("enrolled", "active", "completed", "certified")
CHART_ROWS = 15  # the leaders chart shows the worst 15; the table lists every department
# The order in which rule 3 of privacy.py decides a competency's levels: the dashboard's default level
# first (it keeps the most cells), level 1 (知る) last.
PUBLISHED_LEVEL_ORDER = (2, 3, 4, 5, 1)


@dataclass
class CoverageReport:
    on: datetime.date
    level: int
    competencies: list[dict]
    nodes: pd.DataFrame
    direct: pd.DataFrame  # department id × (competency codes + headcount): people directly assigned
    values: pd.DataFrame  # node key × the same columns, rolled up the tree
    taken_on: datetime.date | None = None  # the snapshot read, or None when computed live

    @property
    def codes(self) -> list[str]:
        return [c["code"] for c in self.competencies]


def coverage_report(
    *,
    on: datetime.date,
    level: int,
    municipality_id: int | None,
    source: str = LIVE,
    competencies: list[dict] | None = None,
    departments: list[dict] | None = None,
) -> CoverageReport:
    """Department × competency: how many people assigned on ``on`` hold each competency at ``level`` or
    above, with headcounts; from the database (``LIVE``) or from the latest snapshot on or before ``on``.
    Four queries at most, whatever the number of people or departments (two when the caller has read
    the competencies' and departments' rows).
    """
    if competencies is None:
        competencies = selectors.competencies_rows()
    if departments is None:
        departments = selectors.departments_rows(municipality_id=municipality_id)
    codes = {c["id"]: c["code"] for c in competencies}
    taken_on = None
    if source == SNAPSHOT and municipality_id is not None:
        taken_on = selectors.snapshot_day(municipality_id=municipality_id, on=on)
    if taken_on is not None:
        rows = selectors.coverage_count_rows_snapshot(
            municipality_id=municipality_id, taken_on=taken_on, level=level
        )
    else:
        rows = selectors.coverage_count_rows(
            on=on, level=level, competency_ids=list(codes), municipality_id=municipality_id
        )
    direct = frames.coverage_direct(rows, competencies=list(codes.values()), competency_codes=codes)
    nodes = frames.tree_nodes(departments, all_label=_("組織全体"))
    return CoverageReport(
        on=on,
        level=level,
        competencies=competencies,
        nodes=nodes,
        direct=direct,
        values=frames.tree_values(nodes, direct),
        taken_on=taken_on,
    )


@dataclass
class Dashboard:
    coverage: CoverageReport
    top: int
    node: int
    suppressed: bool
    fiscal_year: int
    people_on: datetime.date | None
    tables: dict[str, ReportTable] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    breadcrumb: list[tuple[int, str]] = field(default_factory=list)
    forecast_total: forecast.Forecast | None = None
    trend_forecast: forecast.Forecast | None = None
    # column (leaders, basic, headcount) -> snapshot day × node, rolled up the tree
    history: dict[str, pd.DataFrame] = field(default_factory=dict)
    # the same shape: privacy flags of each history cell (all SHOWN for viewers with personal data)
    history_flags: dict[str, pd.DataFrame] = field(default_factory=dict)
    published: bool = True  # False: a suppressed viewer asked for a day before the first published month
    # node key -> its forecast, computed once per view (the leaders table, then the trend ask for them)
    forecasts: dict[int, forecast.Forecast] = field(default_factory=dict)
    # every figure read from the snapshots (none fell back to today's live counts): it may be cached
    from_snapshots: bool = False
    # the figures as the page's JSON script elements, escaped once (a large figure took milliseconds)
    figure_scripts: str = ""

    def shown(self) -> Dashboard:
        """What the page, the exports and the API read: the tables, figures and their labels, without the
        frames they were built from (the coverage's nodes and values, the history): what is cached."""
        empty = pd.DataFrame()
        coverage = dataclasses.replace(self.coverage, nodes=empty, direct=empty, values=empty)
        return dataclasses.replace(self, coverage=coverage, history={}, history_flags={}, forecasts={})


def _people_direct(rows: list, columns=selectors.PEOPLE_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["department", *columns]).set_index("department")
    return frame.astype("int64")


def dashboard_for(viewer, filters: dict) -> Dashboard:
    """What ``viewer`` (``access.Viewer``) sees on /hr/ with ``filters`` (``DashboardFilterForm.values()``):
    their scope, suppressed unless they see personal data and did not ask for the 公表用 view.

    Read from the snapshots (the default, and always when suppressed), it is the same for every viewer of
    the same scope until a snapshot of the municipality is taken or its departments, the competencies or
    the year's targets change: kept in the shared cache under all of them (``stack_cache.cached_dashboard``,
    ADR 0025; the three sets of rows as one digest computed by PostgreSQL, ``structure_signature``),
    without its frames (``Dashboard.shown``). ``source=live`` is computed every time."""
    municipality_id, on = viewer.municipality_id, filters["on"]
    suppressed = viewer.suppressed(publish=filters["publish"])
    build = functools.partial(
        hr_dashboard,
        municipality_id=municipality_id,
        on=on,
        level=filters["level"],
        top=viewer.top,
        node=filters["dept"],
        suppressed=suppressed,
        source=filters["source"],
    )
    if not suppressed and filters["source"] != SNAPSHOT:
        return build()
    year = frames.fiscal_year(on)
    structure = selectors.structure_signature(municipality_id=municipality_id, fiscal_year=year)
    if structure is None:  # not PostgreSQL: the rows themselves
        structure = (
            selectors.departments_rows(municipality_id=municipality_id),
            selectors.competencies_rows(),
            selectors.targets_rows(municipality_id=municipality_id, fiscal_year=year),
        )
    return stack_cache.cached_dashboard(
        municipality_id=municipality_id,
        top=viewer.top,
        suppressed=suppressed,
        filters=(on, filters["level"], filters["dept"]),
        today=timezone.localdate(),
        structure=structure,
        build=lambda: build().shown(),
        keep=lambda board: board.from_snapshots,
    )


def hr_dashboard(
    *,
    municipality_id: int,
    on: datetime.date,
    level: int,
    top: int = frames.ALL,
    node: int | None = None,
    suppressed: bool = False,
    source: str = SNAPSHOT,
) -> Dashboard:
    """Everything /hr/ shows for the subtree under ``top``, drilled down to ``node``.

    ``suppressed`` (a viewer without personal data, or the 公表用 view): every table comes from the
    published stack (``published_stack``): the latest closed month's snapshot on or before ``on``,
    whatever ``source`` says, suppressed together with every other published month (ADR 0012).
    """
    if suppressed:
        coverage, values, flags, history, history_flags = _published_frames(
            municipality_id=municipality_id, on=on, level=level
        )
        people_on, from_snapshots = coverage.taken_on, True  # the published months only
    else:
        coverage, values, history, people_on, from_snapshots = _personal_frames(
            municipality_id=municipality_id, on=on, level=level, source=source
        )
        flags = privacy.no_flags(values)
        history_flags = {column: frame * 0 for column, frame in history.items()}
    nodes = coverage.nodes
    visible = frames.subtree_keys(nodes, top)
    node = node if node is not None and node in visible and not nodes.at[node, "is_direct"] else top
    year = frames.fiscal_year(on)
    targets = frames.targets_effective(
        nodes, selectors.targets_rows(municipality_id=municipality_id, fiscal_year=year)
    )
    dashboard = Dashboard(
        coverage=coverage,
        top=top,
        node=node,
        suppressed=suppressed,
        fiscal_year=year,
        people_on=people_on,
        history=history,
        history_flags=history_flags,
        published=people_on is not None,
        from_snapshots=from_snapshots,
    )
    dashboard.breadcrumb = [(key, nodes.at[key, "name"]) for key in frames.ancestors(nodes, node, top=top)]
    _coverage_table(dashboard, values, flags)
    _leaders_table(dashboard, values, flags, targets, visible)
    _trend(dashboard, values, flags, targets)
    _funnel(dashboard, values, flags)
    if not dashboard.published:
        for table in dashboard.tables.values():
            table.rows, table.links = [], []
            table.note = _("公表できる月次の集計(前月末までの各月)が、この基準日以前にはありません。")
    # what ``{{ figure|json_script:name }}`` gives for each figure, in order
    dashboard.figure_scripts = mark_safe(  # noqa: S308 - json_script's own escaped elements, joined
        "".join(json_script(figure, name) for name, figure in dashboard.figures.items())
    )
    return dashboard


def _personal_frames(*, municipality_id: int, on: datetime.date, level: int, source: str):
    """The exact frames of a viewer with personal data: any day, live or from the snapshot; those read
    from the snapshots from the shared cache while they stand (``stack_cache.cached_exact``)."""
    departments = selectors.departments_rows(municipality_id=municipality_id)
    competencies = selectors.competencies_rows()
    read = functools.partial(
        _personal_frames_read,
        municipality_id=municipality_id,
        on=on,
        level=level,
        source=source,
        competencies=competencies,
        departments=departments,
    )
    if source != SNAPSHOT:
        return read()
    return stack_cache.cached_exact(
        municipality_id=municipality_id,
        on=on,
        level=level,
        departments=departments,
        competencies=competencies,
        build=read,
        keep=lambda found: found[4],
    )


def _personal_frames_read(
    *, municipality_id: int, on: datetime.date, level: int, source: str, competencies, departments
):
    coverage = coverage_report(
        on=on,
        level=level,
        municipality_id=municipality_id,
        source=source,
        competencies=competencies,
        departments=departments,
    )
    nodes = coverage.nodes
    history_from = (on.replace(day=1) - datetime.timedelta(days=31 * TREND_MONTHS)).replace(day=1)
    history = selectors.department_snapshot_rows(
        municipality_id=municipality_id, since=history_from, until=on
    )
    history_frame = pd.DataFrame(history, columns=["taken_on", "department", *selectors.PEOPLE_COLUMNS])
    if source == LIVE or history_frame.empty:
        people_on = on
        people = _people_direct(
            [tuple(r.values()) for r in selectors.people_rows(on=on, municipality_id=municipality_id)]
        )
    else:
        people_on = history_frame["taken_on"].max()
        latest = history_frame[history_frame["taken_on"] == people_on]
        people = latest.drop(columns="taken_on").set_index("department").astype("int64")
    people = people.drop(columns="headcount")
    direct = coverage.direct.join(people, how="outer").fillna(0).astype("int64")
    from_snapshots = coverage.taken_on is not None and not history_frame.empty
    history = history_by_node(nodes, history_frame)
    return coverage, frames.tree_values(nodes, direct), history, people_on, from_snapshots


@dataclass
class Published:
    """Every published month (the snapshot kept for each closed month), as one stack suppressed at once."""

    days: list[datetime.date]
    columns: list[str]  # PEOPLE_COLUMNS, then level_column(code, level) for each competency and level
    nodes: pd.DataFrame
    values: np.ndarray  # days × nodes × columns, rolled up the tree
    flags: np.ndarray  # the same shape: privacy.SHOWN, PRIMARY or COMPLEMENTARY

    def frame(self, array: np.ndarray, day: int, columns: dict[str, str]) -> pd.DataFrame:
        """One day's cells of ``array`` (values or flags) for ``columns`` (stack column -> name)."""
        positions = [self.columns.index(c) for c in columns]
        return pd.DataFrame(array[day][:, positions], index=self.nodes.index, columns=list(columns.values()))

    def series(self, array: np.ndarray, days: list[int], column: str) -> pd.DataFrame:
        """Day × node of ``column`` for the given day positions."""
        position = self.columns.index(column)
        return pd.DataFrame(
            array[days][:, :, position], index=[self.days[d] for d in days], columns=self.nodes.index
        )


def level_column(code: str, level: int) -> str:
    return f"{code}@{level}"


def published_stack(
    *, municipality_id: int, nodes: pd.DataFrame, competencies: list[dict], today: datetime.date
) -> Published:
    """The stack a viewer without personal data reads: the snapshot of every month before ``today``'s
    (a closed month's snapshot no longer changes), people columns and coverage at every level, rolled up
    the tree and suppressed by ``privacy.suppress_stack`` (two queries; none when the shared cache holds
    it for the municipality's current snapshots, ``stack_cache``)."""
    until = today.replace(day=1) - datetime.timedelta(days=1)
    days, columns, values, flags = stack_cache.cached_stack(
        municipality_id=municipality_id,
        until=until,
        nodes=nodes,
        competencies=competencies,
        build=lambda: _stack_build(
            municipality_id=municipality_id, nodes=nodes, competencies=competencies, until=until
        ),
    )
    return Published(days=days, columns=columns, nodes=nodes, values=values, flags=flags)


def _stack_build(
    *, municipality_id: int, nodes: pd.DataFrame, competencies: list[dict], until: datetime.date
):
    people_rows = selectors.department_snapshot_rows(
        municipality_id=municipality_id, since=datetime.date.min, until=until
    )
    level_rows = selectors.coverage_snapshot_level_rows(municipality_id=municipality_id, until=until)
    codes = [c["code"] for c in competencies]
    columns = [*selectors.PEOPLE_COLUMNS, *(level_column(code, level) for code in codes for level in LEVELS)]
    days = sorted({row[0] for row in people_rows})
    departments = nodes.index[nodes.index > 0]
    direct = np.zeros((len(departments), len(days), len(columns)), dtype="int64")
    day_of = {day: i for i, day in enumerate(days)}
    department_of = {key: i for i, key in enumerate(departments)}
    people = len(selectors.PEOPLE_COLUMNS)
    for row in people_rows:
        if row[1] in department_of:
            direct[department_of[row[1]], day_of[row[0]], :people] = row[2:]
    competency_of = {c["id"]: i for i, c in enumerate(competencies)}
    exact = np.zeros((len(departments), len(days), len(codes), len(LEVELS) + 1), dtype="int64")
    for taken_on, department, competency, level, count in level_rows:
        if department in department_of and competency in competency_of and taken_on in day_of:
            exact[department_of[department], day_of[taken_on], competency_of[competency], level] += count
    at_least = exact[..., ::-1].cumsum(axis=-1)[..., ::-1][..., 1:]  # people at level >= 1 … >= 5
    direct[:, :, people:] = at_least.reshape(len(departments), len(days), len(codes) * len(LEVELS))
    wide = pd.DataFrame(direct.reshape(len(departments), -1), index=departments)
    rolled = frames.tree_values(nodes, wide).to_numpy()
    values = rolled.reshape(len(nodes), len(days), len(columns)).transpose(1, 0, 2)
    position = {column: i for i, column in enumerate(columns)}
    families = [[position[c]] for c in selectors.PEOPLE_COLUMNS if c != frames.HEADCOUNT]
    families += [[position[level_column(code, level)] for level in PUBLISHED_LEVEL_ORDER] for code in codes]
    flags = privacy.suppress_stack(
        values,
        privacy.tree_groups(nodes.index, nodes["parent"]),
        headcount=position[frames.HEADCOUNT],
        families=families,
    )
    return days, columns, values, flags


def _published_frames(*, municipality_id: int, on: datetime.date, level: int):
    competencies = selectors.competencies_rows()
    nodes = frames.tree_nodes(
        selectors.departments_rows(municipality_id=municipality_id), all_label=_("組織全体")
    )
    published = published_stack(
        municipality_id=municipality_id, nodes=nodes, competencies=competencies, today=timezone.localdate()
    )
    chosen = [i for i, day in enumerate(published.days) if day <= on]
    day = chosen[-1] if chosen else None
    codes = [c["code"] for c in competencies]
    columns = {level_column(code, level): code for code in codes}
    columns.update({c: c for c in selectors.PEOPLE_COLUMNS})
    if day is None:
        values = pd.DataFrame(0, index=nodes.index, columns=list(columns.values()), dtype="int64")
        flags = values.astype("int8") + privacy.COMPLEMENTARY
        history = {c: pd.DataFrame() for c in HISTORY_COLUMNS}
        return (
            CoverageReport(
                on=on, level=level, competencies=competencies, nodes=nodes, direct=values, values=values
            ),
            values,
            flags,
            history,
            dict(history),
        )
    values = published.frame(published.values, day, columns)
    flags = published.frame(published.flags, day, columns)
    since = (on.replace(day=1) - datetime.timedelta(days=31 * TREND_MONTHS)).replace(day=1)
    window = [i for i in range(day + 1) if published.days[i] >= since]
    history = {c: published.series(published.values, window, c) for c in HISTORY_COLUMNS}
    history_flags = {c: published.series(published.flags, window, c) for c in HISTORY_COLUMNS}
    coverage = CoverageReport(
        on=on,
        level=level,
        competencies=competencies,
        nodes=nodes,
        direct=values.iloc[:0],
        values=values,
        taken_on=published.days[day],
    )
    return coverage, values, flags, history, history_flags


def _label(flag: int) -> str:
    return PRIMARY_LABEL if flag == privacy.PRIMARY else COMPLEMENTARY_LABEL


def _row_name(nodes: pd.DataFrame, key: int) -> str:
    if nodes.at[key, "is_direct"]:
        return _("%(name)s(直属)") % {"name": nodes.at[key, "name"]}
    return str(nodes.at[key, "name"])


def _row_names(nodes: pd.DataFrame) -> dict[int, str]:
    """``_row_name`` of every node, from two plain dicts (pandas' ``.at`` costs microseconds a cell)."""
    direct, names = nodes["is_direct"].to_dict(), nodes["name"].to_dict()
    return {
        key: _("%(name)s(直属)") % {"name": name} if direct[key] else str(name) for key, name in names.items()
    }


def _coverage_table(dashboard: Dashboard, values, flags) -> None:
    coverage, nodes = dashboard.coverage, dashboard.coverage.nodes
    keys = [dashboard.node, *frames.members(nodes, dashboard.node)]
    codes = coverage.codes
    table = ReportTable(
        name="coverage",
        title=_("能力項目ごとのレベル%(level)d以上の職員の割合(%%)") % {"level": coverage.level},
        columns=[_("所属"), _("職員数"), *codes],
        note=_("%(on)s 時点の所属で集計。") % {"on": (coverage.taken_on or coverage.on).isoformat()}
        + (
            _("5人未満のセルは「<5」、差し引きで推定できないよう併せて伏せたセルは「×」。")
            if dashboard.suppressed
            else ""
        ),
    )
    shares, texts = [], []
    counts = values.loc[keys, codes].to_numpy()
    count_flags = flags.loc[keys, codes].to_numpy()
    heads = values.loc[keys, frames.HEADCOUNT].to_numpy()
    head_flags = flags.loc[keys, frames.HEADCOUNT].to_numpy()
    names, has_children = _row_names(nodes), nodes["has_children"].to_dict()
    for i, key in enumerate(keys):
        headcount, headcount_flag = int(heads[i]), int(head_flags[i])
        row: list = [names[key], _label(headcount_flag) if headcount_flag else headcount]
        share_row, text_row = [], []
        for j in range(len(codes)):
            count, flag = int(counts[i, j]), int(count_flags[i, j])
            if flag:
                cell = _label(flag)
            elif headcount_flag:  # a share reveals its count where the headcount is known elsewhere
                cell = _label(headcount_flag)
            else:
                cell = round(100 * count / headcount, 1) if headcount else 0.0
            row.append(cell)
            share_row.append(cell if isinstance(cell, float) else None)
            text_row.append(f"{cell:.0f}%" if isinstance(cell, float) else cell)
        table.rows.append(row)
        table.links.append(str(key) if has_children[key] and key != dashboard.node else "")
        shares.append(share_row)
        texts.append(text_row)
    dashboard.tables["coverage"] = table
    dashboard.figures["coverage"] = charts.coverage_heatmap(
        rows=[r[0] for r in table.rows],
        columns=codes,
        column_names=[f"{c['code']} {c['name']}" for c in coverage.competencies],
        shares=shares,
        texts=texts,
    )


def _leaders_table(dashboard: Dashboard, values, flags, targets, visible) -> None:
    """Departments with a target of their own, worst gap first, with the rolled-up total on top.

    Rows whose leader count is hidden come last in tree order, so that the order reveals nothing.
    """
    nodes, top = dashboard.coverage.nodes, dashboard.top
    keys = [k for k in targets.index[targets["own"]] if k in visible]
    forecasts = _forecasts(dashboard, targets, [*keys, top], values)
    # Plain dicts of the few columns read per row (pandas' .at costs microseconds a cell).
    values = _columns(values, ["leaders", "basic", frames.HEADCOUNT])
    flags = _columns(flags, ["leaders", "basic", frames.HEADCOUNT])
    targets = _columns(targets, ["leaders", "basic_share"])
    path = nodes["path"].to_dict()

    def sort_key(key: int) -> tuple:
        if flags["leaders"][key]:
            return (1, 0, 0.0, path[key])
        target, actual = targets["leaders"][key], values["leaders"][key]
        return (0, actual - target, actual / target if target else 1.0, path[key])

    table = ReportTable(
        name="leaders",
        title=_("DX推進リーダーの認定者数と%(year)d年度の目標") % {"year": dashboard.fiscal_year},
        columns=[
            _("所属"),
            _("目標(人)"),
            _("認定者(人)"),
            _("不足(人)"),
            _("DXベーシック以上の目標(%)"),
            _("DXベーシック以上の実績(%)"),
            _("目標到達の見込み"),
        ],
        note=_("不足の大きい順。見込みは直近12か月の月次推移の回帰直線による(括弧内は80%区間)。"),
    )
    if pd.notna(targets["leaders"][top]):
        name = _("合計(%(name)s)") % {"name": nodes.at[top, "name"]}
        table.rows.append(_leaders_row(name, top, values, flags, targets, forecasts, with_share=False))
    names = _row_names(nodes)
    for key in sorted(keys, key=sort_key):
        table.rows.append(_leaders_row(names[key], key, values, flags, targets, forecasts))
    dashboard.tables["leaders"] = table
    dashboard.forecast_total = forecasts.get(top)
    # the chart compares departments; the total, on a different scale, stays in the table
    total_rows = 1 if pd.notna(targets["leaders"][top]) else 0
    shown = [row for row in table.rows[total_rows:] if not isinstance(row[2], str)][:CHART_ROWS]
    dashboard.figures["leaders"] = charts.leaders_vs_target(
        departments=[row[0] for row in shown],
        targets=[row[1] for row in shown],
        actual=[row[2] for row in shown],
    )


def _columns(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict]:
    return {column: frame[column].to_dict() for column in columns}


def _leaders_row(name, key, values, flags, targets, forecasts, *, with_share: bool = True) -> list:
    """One row; ``values``, ``flags`` and ``targets`` as column -> key -> value dicts (``_columns``)."""
    target, actual = int(targets["leaders"][key]), int(values["leaders"][key])
    flag = int(flags["leaders"][key])
    share, share_flag = None, 0
    if with_share:
        headcount = int(values[frames.HEADCOUNT][key])
        share_flag = int(flags["basic"][key]) or int(flags[frames.HEADCOUNT][key])
        share = round(100 * int(values["basic"][key]) / headcount, 1) if headcount else 0.0
    return [
        name,
        target,
        _label(flag) if flag else actual,
        _label(flag) if flag else target - actual,
        float(targets["basic_share"][key]) if with_share else None,
        _label(share_flag) if share_flag else share,
        "" if flag else _forecast_text(forecasts.get(key)),
    ]


HISTORY_COLUMNS = ("leaders", "basic", "headcount")


def history_by_node(nodes: pd.DataFrame, history_frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per column, snapshot day × node: the monthly snapshots rolled up the tree (one roll-up for all)."""
    if history_frame.empty:
        return {column: pd.DataFrame() for column in HISTORY_COLUMNS}
    department, departments = pd.factorize(history_frame["department"], sort=True)
    day, days = pd.factorize(history_frame["taken_on"], sort=True)
    counts = np.zeros((len(departments), len(HISTORY_COLUMNS), len(days)), dtype="int64")
    for position, column in enumerate(HISTORY_COLUMNS):
        np.add.at(counts[:, position, :], (department, day), history_frame[column].to_numpy(dtype="int64"))
    columns = pd.MultiIndex.from_product([HISTORY_COLUMNS, days], names=[None, "taken_on"])
    wide = pd.DataFrame(counts.reshape(len(departments), -1), index=departments, columns=columns)
    rolled = frames.tree_values(nodes, wide)
    return {column: rolled[column].T.sort_index() for column in HISTORY_COLUMNS}


def _forecasts(dashboard, targets, keys, values) -> dict[int, forecast.Forecast]:
    """Per key with a target: the forecast from the months whose count the viewer sees (hidden months are
    left out, so that the pace and its range reveal nothing the table hides)."""
    known = dashboard.forecasts  # the same inputs give the same forecast: computed once per view
    wanted = [key for key in keys if key not in known]
    series = dashboard.history.get("leaders", pd.DataFrame())
    hidden = dashboard.history_flags.get("leaders", pd.DataFrame())
    target_of = targets["leaders"].to_dict() if wanted else {}
    if wanted and not series.empty:  # columns of plain arrays (a frame's column costs microseconds)
        days, counts_of, flags_of = list(series.index), series.to_numpy(), hidden.to_numpy()
        count_column = {key: i for i, key in enumerate(series.columns)}
        flag_column = {key: i for i, key in enumerate(hidden.columns)}
    for key in wanted:
        target = target_of[key]
        if pd.isna(target):
            continue
        points = (
            []
            if series.empty
            else list(
                zip(
                    days,
                    counts_of[:, count_column[key]].tolist(),
                    flags_of[:, flag_column[key]].tolist(),
                    strict=True,
                )
            )
        )
        months = [day.replace(day=1) for day, _count, flag in points if not flag]
        counts = [int(count) for _day, count, flag in points if not flag]
        if (
            not dashboard.suppressed
            and dashboard.people_on
            and (not months or months[-1] < dashboard.people_on.replace(day=1))
        ):
            months.append(dashboard.people_on.replace(day=1))
            counts.append(int(values.at[key, "leaders"]))
        known[key] = forecast.forecast_reach(months=months, values=counts, target=float(target))
    return {key: known[key] for key in keys if key in known}


def _forecast_text(result: forecast.Forecast | None) -> str:
    if result is None:
        return ""
    if result.status == forecast.REACHED:
        return _("達成済み")
    if result.status == forecast.TOO_FEW:
        return _("推移のデータ不足(3か月以上必要)")
    if result.status == forecast.NO_PROGRESS:
        return _("現在のペースでは到達しない")
    latest = result.latest.strftime("%Y-%m") if result.latest else _("未定")
    return _("%(expected)s(%(earliest)s〜%(latest)s)、月%(pace).1f人のペース") % {
        "expected": result.expected.strftime("%Y-%m"),
        "earliest": result.earliest.strftime("%Y-%m"),
        "latest": latest,
        "pace": result.pace,
    }


def _trend(dashboard: Dashboard, values, flags, targets) -> None:
    nodes, key = dashboard.coverage.nodes, dashboard.node
    leaders, basic, headcount = (dashboard.history.get(c, pd.DataFrame()) for c in HISTORY_COLUMNS)
    leaders_flags, basic_flags, headcount_flags = (
        dashboard.history_flags.get(c, pd.DataFrame()) for c in HISTORY_COLUMNS
    )
    table = ReportTable(
        name="trend",
        title=_("月ごとの推移(%(name)s)") % {"name": _row_name(nodes, key)},
        columns=[_("月"), _("DX推進リーダー(人)"), _("DXベーシック以上(%)"), _("職員数")],
        note=_("各月の最新の集計(夜間に保存)による。"),
    )
    months, counts = [], []
    if not leaders.empty:
        # the node's column of each frame as a plain dict by day (pandas' .at costs microseconds a cell)
        column = {
            name: frame[key].to_dict()
            for name, frame in (
                ("leaders", leaders),
                ("headcount", headcount),
                ("basic", basic),
                ("leaders_flag", leaders_flags),
                ("headcount_flag", headcount_flags),
                ("basic_flag", basic_flags),
            )
        }
        for day in leaders.index:
            count, heads, basics = (
                int(column["leaders"][day]),
                int(column["headcount"][day]),
                int(column["basic"][day]),
            )
            count_flag, heads_flag = int(column["leaders_flag"][day]), int(column["headcount_flag"][day])
            share_flag = int(column["basic_flag"][day]) or heads_flag
            table.rows.append(
                [
                    day.strftime("%Y-%m"),
                    _label(count_flag) if count_flag else count,
                    _label(share_flag) if share_flag else (round(100 * basics / heads, 1) if heads else 0.0),
                    _label(heads_flag) if heads_flag else heads,
                ]
            )
            months.append(day.replace(day=1))
            counts.append(None if count_flag else count)
    target = targets.at[key, "leaders"] if key in targets.index else float("nan")
    result = _forecasts(dashboard, targets, [key], values).get(key)
    forecast_months, mid, low, high = [], [], [], []
    hidden_now = bool(flags.at[key, "leaders"])
    if result and result.status == forecast.ON_PACE and not hidden_now and months:
        last, start = months[-1], int(values.at[key, "leaders"])
        horizon = 18
        for step in range(0, horizon + 1):
            forecast_months.append(forecast.add_months(last, step) if step else last)
            mid.append(
                min(start + result.pace * step, float(target))
                if pd.notna(target)
                else start + result.pace * step
            )
            low.append(start + max(result.pace_low, 0) * step)
            high.append(start + result.pace_high * step)
    dashboard.tables["trend"] = table
    dashboard.figures["trend"] = charts.trend(
        months=months,
        leaders=counts,
        target=None if pd.isna(target) else float(target),
        forecast_months=forecast_months,
        forecast_mid=mid,
        forecast_low=low,
        forecast_high=high,
    )
    dashboard.trend_forecast = result


def _funnel(dashboard: Dashboard, values, flags) -> None:
    nodes, key = dashboard.coverage.nodes, dashboard.node
    labels = {
        "enrolled": _("受講登録"),
        "active": _("直近30日に学習"),
        "completed": _("コース修了"),
        "certified": _("認定取得"),
    }
    table = ReportTable(
        name="funnel",
        title=_("参加の状況(%(name)s)") % {"name": _row_name(nodes, key)},
        columns=[_("段階"), _("人数"), _("職員数に対する割合(%)")],
        note=_("%(on)s 時点。") % {"on": dashboard.people_on.isoformat() if dashboard.people_on else ""},
    )
    headcount = int(values.at[key, frames.HEADCOUNT])
    headcount_flag = int(flags.at[key, frames.HEADCOUNT])
    shown = []
    for column in FUNNEL:
        flag = int(flags.at[key, column])
        count = int(values.at[key, column])
        share = round(100 * count / headcount, 1) if headcount else 0.0
        share_flag = flag or headcount_flag  # count ÷ share would give the hidden headcount back
        table.rows.append(
            [labels[column], _label(flag) if flag else count, _label(share_flag) if share_flag else share]
        )
        shown.append(None if flag else count)
    dashboard.tables["funnel"] = table
    dashboard.figures["funnel"] = charts.funnel(stages=[labels[c] for c in FUNNEL], people=shown)


TALENT_COLUMNS = ("employee_number", "name", "department", "job_grade", "level")


def talent_table(*, rows: list[dict], competency: dict, level: int, grades: dict[str, str]) -> ReportTable:
    """人材の見える化: who holds ``competency`` at ``level`` or above (personal data)."""
    table = ReportTable(
        name="talent",
        title=_("%(code)s %(name)s がレベル%(level)d以上の職員")
        % {"code": competency["code"], "name": competency["name"], "level": level},
        columns=[_("職員番号"), _("氏名"), _("所属"), _("役職"), _("レベル")],
    )
    for row in rows:
        table.rows.append(
            [
                row["employee_number"],
                f"{row['family_name']} {row['given_name']}",
                row["department"],
                str(grades.get(row["job_grade"], row["job_grade"])),  # labels are lazy; openpyxl wants str
                row["level"],
            ]
        )
    return table
