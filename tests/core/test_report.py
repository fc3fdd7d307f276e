"""`yimen report`: every figure checked against a hand-computed morning."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from queue_server.cases import commands as CC
from queue_server.engine import commands as C



def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return {r[next(iter(r))]: r for r in csv.DictReader(f)}


def test_given_a_scripted_morning_when_the_report_is_written_then_every_figure_matches(county, tmp_path: Path):
    # 09:30 two health-certificate tickets and one food licence ticket.
    b1 = county.issue("WS-0201")
    b2 = county.issue("WS-0201")
    a1 = county.issue("SC-0101")
    county.later(minutes=6)                    # 09:36 window 2 calls B001: waited 6 min
    county.call(2)
    county.do(C.StartService(window=2))
    county.later(minutes=4)                    # 09:40 finished: 4 min of service
    county.do(C.FinishService(window=2))
    county.call(2)                             # B002 waited 10 min, then did not come
    county.do(C.MarkNoShow(window=2))
    county.later(minutes=20)                   # 10:00 window 1 calls A001: waited 30 min
    county.call(1)
    county.do(C.StartService(window=1))
    # Two cases: a health certificate (3 working days) accepted complete and completed
    # the same day; a food licence (10 days) accepted with its materials, still open.
    hc = county.do(CC.OpenCase(item="WS-0201", applicant_name="张三", by="李秀英", window=2,
                               received=("本人身份证", "近期免冠照片一张")))["events"][0]["case"]
    fl = county.do(CC.OpenCase(item="SC-0101", applicant_name="李四", by="王建国", window=1, ticket=a1,
                               received=tuple(county.cfg.item("SC-0101").materials)))["events"][0]["case"]
    county.later(minutes=10)                   # 10:10 A001 finished: 10 min of service
    county.do(C.FinishService(window=1))
    county.do(CC.StartProcessing(case=hc, by="李秀英"))
    county.do(CC.CompleteCase(case=hc, approved=True, by="李秀英"))
    county.do(CC.RateCase(case=hc, level="dissatisfied", source="rating-01"))
    county.do(CC.SubmitFeedback(kind="complaint", text="窗口工作人员态度不好", source="kiosk"))
    county.close()

    out = tmp_path / "report"
    res = subprocess.run([sys.executable, "-m", "queue_server.cli", "report", str(county_config()), "--data",
                          str(county.data_dir), "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    tickets = _rows(out / "tickets_by_item.csv")
    ws, sc = tickets["WS-0201"], tickets["SC-0101"]
    assert (ws["issued"], ws["called"], ws["served"], ws["no_shows"]) == ("2", "2", "1", "1")
    assert ws["mean_wait_min"] == "8.0" and ws["max_wait_min"] == "10.0"     # (6 + 10) / 2
    assert ws["mean_service_min"] == "4.0"
    assert (sc["issued"], sc["served"], sc["mean_wait_min"], sc["mean_service_min"]) == ("1", "1", "30.0", "10.0")
    cases = _rows(out / "cases_by_category.csv")
    # health: 1 accepted, due (completed in period) 1, completed 1 -> 100 %, on time.
    assert (cases["health"]["accepted"], cases["health"]["due"], cases["health"]["completed"]) == ("1", "1", "1")
    assert cases["health"]["completion_rate"] == "100.0%" and cases["health"]["on_time_rate"] == "100.0%"
    assert cases["health"]["bad_ratings"] == "1" and cases["health"]["follow_ups_open"] == "1"
    # market: accepted 25 Nov with 10 working days -> due 9 Dec, outside November: not due, not completed.
    assert (cases["market"]["accepted"], cases["market"]["due"], cases["market"]["completed"]) == ("1", "0", "0")
    assert cases["all"]["accepted"] == "2" and cases["all"]["completion_rate"] == "100.0%"
    # At 30 Nov the food licence (due 9 Dec) is 6 working days away: no warning; nothing overdue.
    assert list(csv.DictReader((out / "case_warnings.csv").open(encoding="utf-8-sig"))) == []
    fb = list(csv.DictReader((out / "feedback.csv").open(encoding="utf-8-sig")))[0]
    assert (fb["complaints"], fb["complaints_replied"], fb["complaints_open"]) == ("1", "0", "1")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "办结率" in page and "<svg" in page and county.cfg.hall.name in page
    assert "张三" not in page and "李四" not in page          # no applicant names in a report
    assert fl and b1 and b2
    # Judged at 8 Dec instead, the same food licence is due tomorrow: yellow.
    late = tmp_path / "late"
    res = subprocess.run([sys.executable, "-m", "queue_server.cli", "report", str(county_config()), "--data",
                          str(county.data_dir), "--from", "2026-12-01", "--to", "2026-12-08", "--out", str(late)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader((late / "case_warnings.csv").open(encoding="utf-8-sig")))
    assert [(r["case"], r["due"], r["light"]) for r in rows] == [(fl, "2026-12-09", "yellow")]


def county_config() -> Path:
    return Path(__file__).resolve().parents[2] / "config" / "county-hall.toml"


def test_the_handbook_lists_each_delegated_item_with_basis_limit_and_materials(tmp_path: Path, township_config_path: Path):
    out = tmp_path / "handbook.html"
    res = subprocess.run([sys.executable, "-m", "queue_server.cli", "handbook", str(township_config_path), "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    page = out.read_text(encoding="utf-8")
    assert "下放事项工作手册" in page
    assert "农村宅基地审批" in page and "县自然资源局" in page and "《中华人民共和国土地管理法》第六十二条" in page
    assert "最低生活保障申请" not in page                     # not a delegated item
    assert page.count("<section>") == 4                          # YB-0501, NM-1103, WS-0203, JY-0803
