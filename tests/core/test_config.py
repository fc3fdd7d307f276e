"""Hall configuration: the samples are valid; every problem is reported with file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config

REPORT_WINDOWS = ["食品经营许可", "健康证", "法律援助", "就业创业", "医疗报销", "民政", "教育", "公安", "社会保险", "不动产"]


def test_the_county_sample_has_the_windows_the_report_names(county_config_path: Path):
    cfg = load_config(county_config_path)
    assert len(cfg.windows) >= 12
    names = " ".join(w.name for w in cfg.windows)
    for word in REPORT_WINDOWS:
        assert word in names, word
    assert any(w.general for w in cfg.windows)
    assert any("代办" in w.name for w in cfg.windows)
    assert cfg.hall.level == "county" and cfg.hall.timezone == "Asia/Shanghai"
    assert any(i.status == "withdrawn" for i in cfg.items)


def test_the_township_sample_has_general_delegated_and_civil_affairs_windows(township_config_path: Path):
    cfg = load_config(township_config_path)
    assert 3 <= len(cfg.windows) <= 5
    assert any(w.general for w in cfg.windows)
    delegated = {i.code for i in cfg.items if i.delegated_by}
    assert any(set(w.items) & delegated for w in cfg.windows)
    assert any("民政" in w.name and "社保" in w.name for w in cfg.windows)


def _write(tmp_path: Path, main: str, **others: str) -> Path:
    for name, text in others.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    p = tmp_path / "hall.toml"
    p.write_text(main, encoding="utf-8")
    return p


GOOD_HALL = """
[hall]
id = "test-town"
code = "TT01"
name = "测试镇便民服务中心"
name_en = "Test Town"
level = "township"
[hall.business_hours]
mon = ["09:00-12:00"]
"""

BROKEN = GOOD_HALL + """
include = ["items.toml"]
[[categories]]
key = "civil"
name = "民政"
name_en = "Civil"

[[windows]]
number = 7
name = "民政窗口"
name_en = "Civil"
items = ["SC-0042", "MZ-0001"]

[[windows]]
number = 7
name = "重复"
name_en = "Dup"
items = ["MZ-0001"]

[[devices]]
id = "clerk-9"
kind = "clerk_console"
window = 9
"""

ITEMS = """
[[items]]
code = "MZ-0001"
name = "低保"
name_en = "Dibao"
category = "civil"
prefix = "A"
promised_days = 30
legal_days = 20

[[items]]
code = "MZ-0002"
name = "高龄津贴"
name_en = "Old age"
category = "nowhere"
prefix = "a1"

[[items]]
code = "MZ-0003"
name = "临时救助"
name_en = "Temporary aid"
category = "civil"
prefix = "B"
colour = "red"
"""


def test_every_problem_is_reported_at_once_with_its_file_and_key(tmp_path: Path):
    # `include` must come before tables in TOML; put it first.
    text = 'include = ["items.toml"]\n' + BROKEN.replace('include = ["items.toml"]\n', "")
    path = _write(tmp_path, text, **{"items.toml": ITEMS})
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    lines = [str(p) for p in exc.value.problems]
    joined = "\n".join(lines)
    assert "hall.toml: windows[number=7].items: window 7 lists item SC-0042, which is not in the catalogue" in joined
    assert "window 7 is defined twice" in joined
    assert "device clerk-9 belongs to window 9, which does not exist" in joined
    assert "items.toml: items[code=MZ-0002].prefix" in joined           # bad prefix, in the included file
    assert "items.toml: items[code=MZ-0003].colour: is not a known setting" in joined
    assert "items.toml: items[code=MZ-0001].promised_days" in joined and "legal limit" in joined
    assert len(lines) >= 6


def test_a_missing_required_field_and_bad_hours_are_named(tmp_path: Path):
    text = GOOD_HALL.replace('name_en = "Test Town"\n', "").replace('"09:00-12:00"', '"12:00-09:00"')
    path = _write(tmp_path, text + '\n[[categories]]\nkey="x"\nname="x"\nname_en="x"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    joined = "\n".join(map(str, exc.value.problems))
    assert "hall.name_en: is required but missing" in joined
    assert "hall.business_hours.mon" in joined and "ends before it starts" in joined


def test_not_toml_and_missing_files_are_clear(tmp_path: Path):
    bad = _write(tmp_path, "this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_yimen_check_exits_non_zero_and_lists_problems(tmp_path: Path, county_config_path: Path):
    ok = subprocess.run([sys.executable, "-m", "queue_server.cli", "check", str(county_config_path)],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout
    text = 'include = ["items.toml"]\n' + BROKEN.replace('include = ["items.toml"]\n', "")
    path = _write(tmp_path, text, **{"items.toml": ITEMS})
    bad = subprocess.run([sys.executable, "-m", "queue_server.cli", "check", str(path)], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "SC-0042" in bad.stderr and "problem" in bad.stderr
