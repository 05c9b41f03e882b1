"""Issue 18, the importer's text handling: imports into a database that already holds data.

Each test imports into a private demo database (`writable_demo_db`, SQLite and PostgreSQL) and checks
what a user would check afterwards: the exit code, the reason given for a rejected row (row, column,
Chinese reason), and that stored values which the file did not mean to change are still there.

* A. short or truncated rows are errors, and a blank cell means "not given" (an existing record
  keeps its stored value; a new observation needs at least one income figure);
* B. text that is not what was meant: files mixing two encodings, invisible control and bidirectional
  characters, blank words in any letter case, NUL bytes anywhere in the file or in an Excel cell.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pandas as pd
import pytest
from sqlalchemy import Engine

from safetynet import cli
from safetynet.domain import idcard
from safetynet.ingest import FileError, ImportFailed, import_file, templates, validate
from safetynet.ingest.samples import csv_bytes, xlsx_bytes
from tests.support import LOG_TABLES, one, sql, table_hashes

TODAY = dt.date(2026, 11, 28)
NEW_MONTH = "2026-11"  # the demo ends in 2026-10


# ---------------------------------------------------------------- helpers
def data_hashes(engine: Engine) -> dict[str, str]:
    """Every table except the import log (which records rejected attempts by design)."""
    return table_hashes(engine, skip=LOG_TABLES)


def exit_code(run) -> int:
    """The CLI's mapping (safetynet.cli.cmd_import): 0 all rows fine, 1 rows rejected, 2 file error, 3 failed."""
    try:
        result = run()
    except FileError:
        return 2
    except ImportFailed:
        return 3
    return 1 if result.rejected else 0


def template_header(kind: str) -> list[str]:
    return templates.build_csv(kind).decode("utf-8-sig").split("\r\n")[0].split(",")


def latest_observation(engine: Engine, offset: int = 0) -> pd.Series:
    """A stored observation of the latest month with income on every line (file_no joined)."""
    frame = sql(engine, "SELECT h.file_no, m.* FROM household_month m JOIN household h ON h.hh_id = m.hh_id "
                        "WHERE m.month = (SELECT MAX(month) FROM household_month) AND m.income_transfer > 0 "
                        "AND m.income_wage > 0 ORDER BY m.hh_id")
    return frame.iloc[offset]


def full_observation_line(file_no: str, month: str, transfer: str = "300") -> str:
    # the template's 14 columns: 档案编号,月份,4 incomes,4 spends,就业人数,失业月数,是否欠薪,节后是否返岗
    return f"{file_no},{month},2100,0,0,{transfer},150.5,0,0,0,1,0,否,"


def run_cli(capsys, *args: str) -> tuple[int, dict]:
    code = cli.main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out)


def reasons(result) -> list[tuple[int, str | None, str]]:
    return [(int(r.row_number), r.column_name, r.reason) for r in result.rejects().itertuples()]


# ---------------------------------------------------------------- A. short rows and blank cells
def test_a_short_row_for_a_new_month_is_rejected_not_read_as_zero_income(writable_demo_db, tmp_path, capsys):
    engine = writable_demo_db
    obs = latest_observation(engine)
    tier = one(engine, "SELECT tier FROM household_current WHERE hh_id = :h", h=int(obs.hh_id))
    before = data_hashes(engine)
    path = tmp_path / "short.csv"
    path.write_bytes(("\ufeff" + ",".join(template_header("observations")) + f"\r\n{obs.file_no},{NEW_MONTH}\r\n")
                     .encode("utf-8"))
    code, answer = run_cli(capsys, "--db", engine.url.render_as_string(hide_password=False), "import", str(path),
                           "--json", "--quiet")
    assert code == 1 and answer["status"] == "rejected"
    assert [p["message"] for p in answer["problems"]] == ["第2行：该行只有 2 列，比表头少 12 列（行可能被截断）"]
    assert data_hashes(engine) == before
    assert one(engine, "SELECT tier FROM household_current WHERE hh_id = :h", h=int(obs.hh_id)) == tier


def test_a_short_row_for_an_existing_month_keeps_the_stored_income(writable_demo_db):
    engine = writable_demo_db
    obs = latest_observation(engine)
    month = f"{obs.month // 100}-{obs.month % 100:02d}"
    data = (",".join(template_header("observations")) + f"\r\n{obs.file_no},{month}\r\n").encode("utf-8")
    result = import_file(engine, data, "short.csv", mode="partial", today=TODAY)
    assert reasons(result) == [(2, None, "该行只有 2 列，比表头少 12 列（行可能被截断）")]
    assert result.sheets[0].updated == 0
    stored = one(engine, "SELECT income_wage FROM household_month WHERE hh_id = :h AND month = :m",
                 h=int(obs.hh_id), m=int(obs.month))
    assert stored == pytest.approx(obs.income_wage)


def test_a_file_cut_in_the_middle_of_a_line_rejects_the_cut_row(writable_demo_db):
    engine = writable_demo_db
    files = sql(engine, "SELECT file_no FROM household ORDER BY hh_id LIMIT 3")["file_no"].tolist()
    body = ",".join(template_header("observations")) + "\r\n" + "".join(
        full_observation_line(f, NEW_MONTH) + "\r\n" for f in files)
    cut = body.rindex(",300,") + len(",30")  # the last line ends in the middle of 转移净收入 "300"
    result = import_file(engine, body[:cut].encode("utf-8"), "cut.csv", mode="partial", today=TODAY)
    assert reasons(result) == [(4, None, "该行只有 6 列，比表头少 8 列（行可能被截断）")]
    assert (result.sheets[0].inserted, result.sheets[0].rejected) == (2, 1)
    stored = sql(engine, "SELECT h.file_no, m.income_transfer FROM household_month m JOIN household h "
                         "ON h.hh_id = m.hh_id WHERE m.month = 202611 ORDER BY h.hh_id")
    assert stored["file_no"].tolist() == files[:2] and stored["income_transfer"].tolist() == [300.0, 300.0]


def test_a_fast_and_slow_csv_paths_agree_on_short_rows(writable_demo_db):
    """One-line records go through pyarrow's reader first, a quoted line break straight to Python's: same verdict."""
    engine = writable_demo_db
    files = sql(engine, "SELECT file_no FROM household ORDER BY hh_id LIMIT 2")["file_no"].tolist()
    header = ",".join(template_header("observations"))
    plain = f"{header}\n{full_observation_line(files[0], NEW_MONTH)}\n{files[1]},{NEW_MONTH},2000\n"
    quoted = (f"{header},备注无关列\n{full_observation_line(files[0], NEW_MONTH)},\"第一行\n第二行\"\n"
              f"{files[1]},{NEW_MONTH},2000\n")
    for data, width in ((plain, 14), (quoted, 15)):
        result = import_file(engine, data.encode("utf-8"), "obs.csv", mode="partial", dry_run=True, today=TODAY)
        assert reasons(result) == [(3, None, f"该行只有 3 列，比表头少 {width - 3} 列（行可能被截断）")]
        assert result.sheets[0].inserted == 1


def test_a_blank_cell_keeps_the_stored_observation_value(writable_demo_db):
    engine = writable_demo_db
    obs = latest_observation(engine)
    month = f"{obs.month // 100}-{obs.month % 100:02d}"
    row = {"档案编号": obs.file_no, "月份": month, "工资性收入": obs.income_wage + 100, "转移净收入": "",
           "医疗自付支出": "", "稳定就业人数": "", "是否欠薪": ""}
    result = import_file(engine, csv_bytes([row]), "obs.csv", mode="strict", today=TODAY)
    assert result.status == "done" and result.sheets[0].updated == 1
    stored = sql(engine, "SELECT * FROM household_month WHERE hh_id = :h AND month = :m",
                 h=int(obs.hh_id), m=int(obs.month)).iloc[0]
    assert stored.income_wage == pytest.approx(obs.income_wage + 100)
    for col in ("income_transfer", "spend_medical", "members_employed", "wage_arrears"):
        assert stored[col] == pytest.approx(obs[col]), col


def test_a_new_observation_needs_some_income_and_other_blanks_are_zero(writable_demo_db):
    engine = writable_demo_db
    files = sql(engine, "SELECT file_no, hh_id FROM household ORDER BY hh_id LIMIT 2")
    header = template_header("observations")
    empty = {h: "" for h in header}
    rows = [{**empty, "档案编号": files.file_no[0], "月份": NEW_MONTH, "医疗自付支出": "300"},  # no income at all
            {**empty, "档案编号": files.file_no[1], "月份": NEW_MONTH, "转移净收入": "800"}]
    result = import_file(engine, csv_bytes(rows, header=header), "obs.csv", mode="partial", today=TODAY)
    ((row, column, reason),) = reasons(result)
    assert (row, column) == (2, "工资性收入")
    assert "收入" in reason and "空白" in reason and "填写 0" in reason
    stored = sql(engine, "SELECT * FROM household_month WHERE month = 202611")
    assert stored["hh_id"].tolist() == [int(files.hh_id[1])]
    new = stored.iloc[0]
    assert (new.income_transfer, new.income_wage, new.spend_medical, new.members_employed) == (800, 0, 0, 0)
    # the template says what a blank means
    notes = {f.header: f.note for f in validate.K.OBSERVATIONS.fields}
    assert "新记录空白按0" in notes["医疗自付支出"] and "已有记录空白保留原值" in notes["医疗自付支出"]
    assert "填0" in notes["工资性收入"] or "填写0" in notes["工资性收入"]


def _blank_keeps(engine: Engine, sheet: str, row: dict, check: str, expected: dict, **params) -> None:
    result = import_file(engine, xlsx_bytes({sheet: [row]}), "one.xlsx", mode="strict", today=TODAY)
    assert result.status == "done" and result.rejected == 0, reasons(result)
    assert result.sheets[0].unchanged == 1, result.summary()
    stored = sql(engine, check, **params).iloc[0]
    for col, value in expected.items():
        if isinstance(value, float):
            assert stored[col] == pytest.approx(value), col
        else:
            assert str(stored[col]) == str(value), col


def test_a_blank_cells_keep_stored_values_of_every_kind(writable_demo_db):
    engine = writable_demo_db
    ev = sql(engine, "SELECT h.file_no, e.* FROM risk_event e JOIN household h ON h.hh_id = e.hh_id "
                     "WHERE e.cost > 0 AND e.note IS NOT NULL ORDER BY e.event_id").iloc[0]
    _blank_keeps(engine, "风险事件", {"档案编号": ev.file_no, "风险类型": ev.risk_type, "发生日期": str(ev.occurred_on)[:10],
                                  "损失金额": "", "发现渠道": "", "备注": ""},
                 "SELECT cost, source, note FROM risk_event WHERE event_id = :i",
                 {"cost": float(ev.cost), "source": ev.source, "note": ev.note}, i=int(ev.event_id))

    aid = sql(engine, "SELECT h.file_no, a.*, p.name AS helper FROM assistance a JOIN household h ON h.hh_id = a.hh_id "
                      "JOIN helper p ON p.helper_id = a.helper_id WHERE a.provider IS NOT NULL ORDER BY a.aid_id").iloc[0]
    _blank_keeps(engine, "帮扶措施", {"档案编号": aid.file_no, "帮扶类型": aid.aid_type, "金额": float(aid.amount),
                                  "帮扶日期": str(aid.delivered_on)[:10], "帮扶主体": "", "帮扶责任人": ""},
                 "SELECT provider, helper_id FROM assistance WHERE aid_id = :i",
                 {"provider": aid.provider, "helper_id": int(aid.helper_id)}, i=int(aid.aid_id))

    pair = sql(engine, "SELECT h.file_no, p.*, x.name, x.unit FROM pairing p JOIN household h ON h.hh_id = p.hh_id "
                       "JOIN helper x ON x.helper_id = p.helper_id WHERE p.end_on IS NOT NULL ORDER BY p.pairing_id").iloc[0]
    _blank_keeps(engine, "结对帮扶", {"档案编号": pair.file_no, "帮扶责任人": pair["name"], "工作单位": pair.unit,
                                  "开始日期": str(pair.start_on)[:10], "结束日期": ""},
                 "SELECT end_on FROM pairing WHERE pairing_id = :i", {"end_on": str(pair.end_on)[:10]},
                 i=int(pair.pairing_id))

    site = sql(engine, "SELECT * FROM relocation_site WHERE workshop_jobs > 0 ORDER BY site_id").iloc[0]
    _blank_keeps(engine, "安置点", {"安置点名称": site["name"], "区县代码": site.adcode, "经度": float(site.lon),
                                 "纬度": float(site.lat), "安置类型": site.site_type,
                                 "搬迁户数": int(site.households_relocated), "搬迁人数": int(site.people_relocated),
                                 "帮扶车间岗位": "", "工会服务站": "", "建成年份": ""},
                 "SELECT workshop_jobs, opened_year FROM relocation_site WHERE site_id = :i",
                 {"workshop_jobs": int(site.workshop_jobs), "opened_year": int(site.opened_year)}, i=int(site.site_id))

    hh = sql(engine, "SELECT * FROM household WHERE address IS NOT NULL AND population = 'rural' ORDER BY hh_id").iloc[0]
    _blank_keeps(engine, "家庭户", {"档案编号": hh.file_no, "对象类型": hh.population, "监测类别": "", "区县代码": hh.adcode,
                                 "发现渠道": hh.source, "认定日期": str(hh.identified_on)[:10], "家庭住址": "",
                                 "档案状态": "", "是否享受低保": ""},
                 "SELECT address, monitor_cat, status FROM household WHERE hh_id = :i",
                 {"address": hh.address, "monitor_cat": hh.monitor_cat, "status": hh.status}, i=int(hh.hh_id))

    person = sql(engine, "SELECT h.file_no, p.* FROM person p JOIN household h ON h.hh_id = p.hh_id "
                         "WHERE p.phone IS NOT NULL AND p.education IS NOT NULL ORDER BY p.person_id").iloc[0]
    _blank_keeps(engine, "家庭成员", {"档案编号": person.file_no, "姓名": person["name"], "身份证号": person.id_number,
                                  "与户主关系": person.relation, "健康状况": person.health,
                                  "劳动能力": person.labour_capacity, "联系电话": "", "文化程度": "", "是否农民工": ""},
                 "SELECT phone, education, is_migrant FROM person WHERE person_id = :i",
                 {"phone": person.phone, "education": person.education, "is_migrant": person.is_migrant},
                 i=int(person.person_id))


# ---------------------------------------------------------------- B. text that is not what was meant
def _new_member(engine: Engine, name: str, seq: int) -> tuple[str, str]:
    """(file_no, CSV line) of a new son for a small household, codes and English labels only besides the name."""
    file_no = sql(engine, "SELECT h.file_no FROM household h JOIN person p ON p.hh_id = h.hh_id GROUP BY h.file_no "
                          "HAVING COUNT(*) < 6 ORDER BY h.file_no")["file_no"].iloc[seq]
    pid = idcard.make("520102", dt.date(2001, 3, 4 + seq), 301 + 2 * seq)
    return file_no, f"{file_no},{name},{pid},20,Healthy,Ordinary labour"


def test_b_a_gbk_file_with_one_utf8_line_is_refused(writable_demo_db):
    engine = writable_demo_db
    before = table_hashes(engine)
    header = "档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力"
    lines = [(header, "gbk")] + [(_new_member(engine, name, i)[1], "gbk") for i, name in enumerate(("李四", "王五"))]
    lines.insert(2, (_new_member(engine, "张伟", 2)[1], "utf-8"))  # line 3: written by another program
    data = b"".join(line.encode(enc) + b"\r\n" for line, enc in lines)
    with pytest.raises(FileError) as err:
        import_file(engine, data, "members.csv", mode="partial", today=TODAY)
    assert "第 3 行" in err.value.message and "UTF-8" in err.value.message and "编码" in err.value.message
    assert table_hashes(engine) == before
    assert one(engine, "SELECT COUNT(*) FROM person WHERE name = '寮犱紵'") == 0


def test_b_a_utf8_file_with_one_gbk_line_is_refused(writable_demo_db):
    engine = writable_demo_db
    header = "档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力"
    lines = [(header, "utf-8"), (_new_member(engine, "李四", 0)[1], "utf-8"), (_new_member(engine, "王五", 1)[1], "gbk")]
    data = b"".join(line.encode(enc) + b"\r\n" for line, enc in lines)
    with pytest.raises(FileError) as err:
        import_file(engine, data, "members.csv", mode="partial", today=TODAY)
    assert "第 3 行" in err.value.message and "编码" in err.value.message


def test_b_a_utf8_file_cut_inside_a_character_is_refused(writable_demo_db):
    engine = writable_demo_db
    header = "档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力"
    data = (header + "\r\n" + _new_member(engine, "李四", 0)[1].replace("Ordinary labour", "普通劳动力")).encode("utf-8")
    with pytest.raises(FileError) as err:
        import_file(engine, data[:-1], "members.csv", mode="partial", today=TODAY)
    assert "截断" in err.value.message


HIDDEN = [("\x07", "U+0007"), ("\x1b", "U+001B"), ("\x85", "U+0085"), ("\u202e", "U+202E"), ("\u2066", "U+2066"),
          ("\u200f", "U+200F"), ("\u200b", "U+200B"), ("\ufeff", "U+FEFF"), ("\t", "U+0009")]


def test_b_control_and_bidi_characters_are_rejected_with_row_and_column(writable_demo_db):
    engine = writable_demo_db
    header = "档案编号,姓名,身份证号,与户主关系,健康状况,劳动能力"
    lines = [header] + [_new_member(engine, f"张{ch}伟", i)[1] for i, (ch, _code) in enumerate(HIDDEN)]
    result = import_file(engine, "\r\n".join(lines).encode("utf-8"), "members.csv", mode="partial", today=TODAY)
    got = reasons(result)
    assert [(row, col) for row, col, _why in got] == [(2 + i, "姓名") for i in range(len(HIDDEN))]
    for (_row, _col, why), (_ch, code) in zip(got, HIDDEN, strict=True):
        assert code in why and "字符" in why
    assert result.sheets[0].inserted == 0
    assert one(engine, "SELECT COUNT(*) FROM person WHERE name LIKE '张%伟'") == 0


def test_b_tabs_and_line_breaks_stay_allowed_in_free_text_but_bidi_does_not(writable_demo_db):
    engine = writable_demo_db
    files = sql(engine, "SELECT file_no FROM household ORDER BY hh_id LIMIT 3")["file_no"].tolist()
    rows = [{"档案编号": f, "风险类型": "因病", "发生日期": f"2026-11-0{i + 1}", "损失金额": 100, "备注": note}
            for i, (f, note) in enumerate(zip(files, ("住院\t两周", "第一行\n第二行", "付款\u202e0001"), strict=True))]
    result = import_file(engine, xlsx_bytes({"风险事件": rows}), "events.xlsx", mode="partial", today=TODAY)
    ((row, column, why),) = reasons(result)
    assert (row, column) == (4, "备注") and "U+202E" in why
    assert result.sheets[0].inserted == 2


def test_b_blank_words_are_one_case_insensitive_list(writable_demo_db):
    engine = writable_demo_db
    assert all(word == word.lower() for word in validate.BLANKS)
    assert {"", "null", "none", "nan", "#n/a", "n/a"} <= set(validate.BLANKS)
    obs = latest_observation(engine)
    month = f"{obs.month // 100}-{obs.month % 100:02d}"
    variants = ["NaN", "nan", "NAN", "nAn", "NULL", "Null", "NONE", "#N/A", "N/a"]
    for word in variants:
        row = {"档案编号": obs.file_no, "月份": month, "工资性收入": word, "转移净收入": word}
        result = import_file(engine, csv_bytes([row]), "obs.csv", mode="strict", today=TODAY)
        assert result.rejected == 0 and result.sheets[0].unchanged == 1, (word, reasons(result))
    stored = one(engine, "SELECT income_wage FROM household_month WHERE hh_id = :h AND month = :m",
                 h=int(obs.hh_id), m=int(obs.month))
    assert stored == pytest.approx(obs.income_wage)


def test_b_a_nul_byte_anywhere_in_a_csv_makes_the_file_unusable(writable_demo_db):
    engine = writable_demo_db
    files = sql(engine, "SELECT file_no FROM household ORDER BY hh_id")["file_no"].tolist()
    lines = ["档案编号,风险类型,发生日期,损失金额,备注"]
    for i in range(900):
        lines.append(f"{files[i % len(files)]},因病,2026-{1 + i % 10:02d}-{1 + i // 10 % 28:02d},{100 + i},"
                     + "住院治疗费用较高需要持续帮扶" * 3)
    lines[850] = lines[850].replace("住院", "住\x00院", 1)
    data = "\r\n".join(lines).encode("utf-8")
    assert data.index(b"\x00") > 65536
    before = table_hashes(engine)
    with pytest.raises(FileError) as err:
        import_file(engine, data, "events.csv", mode="partial", today=TODAY)
    assert "第 851 行" in err.value.message and "空字符" in err.value.message
    assert table_hashes(engine) == before


def _xlsx_with(sheet: str, rows: list[dict], marker: str, replacement: str) -> bytes:
    """An .xlsx whose cells hold `replacement` (an OOXML escape such as _x0000_) where `marker` was written."""
    raw = xlsx_bytes({sheet: rows}, typed=False)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(marker.encode(), replacement.encode()))
    return out.getvalue()


def test_b_a_nul_in_an_excel_cell_is_a_rejected_cell(writable_demo_db):
    engine = writable_demo_db
    file_no, line = _new_member(engine, "张NULMARK伟", 0)
    fields = line.split(",")
    row = dict(zip(["档案编号", "姓名", "身份证号", "与户主关系", "健康状况", "劳动能力"], fields, strict=True))
    data = _xlsx_with("家庭成员", [row], "NULMARK", "_x0000_")
    result = import_file(engine, data, "members.xlsx", mode="partial", today=TODAY)
    ((row_no, column, why),) = reasons(result)
    assert (row_no, column) == (2, "姓名") and "U+0000" in why
    assert one(engine, "SELECT COUNT(*) FROM person WHERE name LIKE '张%伟'") == 0
