"""The ``yimen`` command: check a config, run the server, operate a hall from a terminal."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from . import clock
from .config import ConfigError, load_config
from .engine import commands as C
from .hall import open_hall
from .protocol import CommandError, parse_command
from .store import StoreBusy
from .views import queue_summary, window_view

log = logging.getLogger("yimen")

config_arg = click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
data_opt = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="data directory for the hall's SQLite store (default ./var or $YIMEN_DATA)")
db_opt = click.option("--db", "db_url", default=None, help="database URL, e.g. postgresql+psycopg://host/db (default: SQLite in --data)")
json_opt = click.option("--json", "as_json", is_flag=True, help="print the raw JSON reply")


def _load(config: Path):
    try:
        return load_config(config)
    except ConfigError as exc:
        _config_problems(config, exc)
        sys.exit(2)


def _config_problems(config: Path, exc: ConfigError) -> None:
    click.echo(f"{config}: {len(exc.problems)} problem(s) / 发现 {len(exc.problems)} 个问题:", err=True)
    for p in exc.problems:
        click.echo(f"  - {p}", err=True)


@click.group()
@click.option("-v", "--verbose", count=True, help="more logging")
def main(verbose: int) -> None:
    """yimen (一门): run a government service hall end to end."""
    logging.basicConfig(level=logging.WARNING - 10 * verbose, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@config_arg
def check(config: Path) -> None:
    """Validate a hall configuration; report every problem at once."""
    cfg = _load(config)
    active = sum(1 for i in cfg.items if i.status == "active")
    click.echo(f"{config}: OK — {cfg.hall.name} ({cfg.hall.level}), {len(cfg.windows)} windows, "
               f"{active} active items, {len(cfg.devices)} devices")


def _run(config: Path, data_dir: Path | None, db_url: str | None, cmd: C.Command, as_json: bool) -> dict[str, Any]:
    """Apply a command directly to the store, or through the running server over MQTT."""
    cfg = _load(config)
    try:
        with open_hall(cfg, data_dir=data_dir, db_url=db_url) as hall:
            out = hall.service.handle(cmd, command_id=f"cli-{uuid.uuid4()}", actor="cli", now=clock.now())
        ok, result = out.ok, out.result
    except StoreBusy as exc:
        ok, result = _via_server(cfg, data_dir, cmd, exc)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif ok:
        click.echo(_describe(result))
    else:
        r = result["rejected"]
        click.echo(f"refused: {r['code']} — {r['message']} / {r['message_en']}" + (f" ({r['detail']})" if r.get("detail") else ""), err=True)
    if not ok:
        sys.exit(1)
    return result


def _via_server(cfg, data_dir: Path | None, cmd: C.Command, busy: StoreBusy) -> tuple[bool, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The server owns the hall while it runs: send the command to it as the manager
    console (the staff member at the terminal acts with the manager's rights)."""
    from .hall import default_data_dir
    from .protocol import command_to_wire

    creds = (data_dir or default_data_dir()) / "broker" / "credentials.json"
    manager = next((d.id for d in cfg.devices if d.kind == "manager_console"), None)
    if not creds.exists() or manager is None:
        click.echo(f"error: {busy}. The server owns the hall while it runs, and no broker credentials "
                   f"were found at {creds} to send the command through it.", err=True)
        sys.exit(3)
    from .mqtt.client import HallClient, RequestTimeout

    kind, args = command_to_wire(cmd)
    try:
        with HallClient(cfg, manager, creds, persistent=False, client_id=f"yimen-cli-{uuid.uuid4().hex[:8]}") as client:
            reply = client.request(kind, args, timeout=10)
    except (RequestTimeout, OSError) as exc:
        click.echo(f"error: the hall server did not answer over MQTT ({exc})", err=True)
        sys.exit(3)
    if reply.ok:
        return True, reply.result or {}
    rejected = reply.error.model_dump() if reply.error else {"code": "unknown", "message": "", "message_en": ""}
    return False, {"ok": False, "rejected": rejected}


def _describe(result: dict[str, Any]) -> str:
    if "ticket" in result:
        t = result["ticket"]
        return (f"ticket {t['number']} — {t['item_name']} / {t['item_name_en']}; {t['people_ahead']} ahead, "
                f"about {t['wait_minutes'][0]}–{t['wait_minutes'][1]} min; windows {', '.join(map(str, t['windows']))}")
    parts = []
    for e in result.get("events", []):
        fields = {k: v for k, v in e.items() if k not in ("type", "at")}
        parts.append(f"{e['type']} " + " ".join(f"{k}={v}" for k, v in fields.items()))
    return "\n".join(parts) or "ok (nothing to change)"


@main.command()
@config_arg
@click.argument("item")
@click.option("--more", multiple=True, help="another item in the same visit (repeatable)")
@click.option("--priority", default=None, help="priority class key, e.g. elderly")
@data_opt
@db_opt
@json_opt
def issue(config: Path, item: str, more: tuple[str, ...], priority: str | None, data_dir, db_url, as_json) -> None:
    """Issue a ticket for ITEM (staff-issued)."""
    _run(config, data_dir, db_url, C.IssueTicket(item=item, more_items=more, priority=priority, source="cli"), as_json)


@main.command()
@config_arg
@click.argument("window", type=int)
@data_opt
@db_opt
@json_opt
def call(config: Path, window: int, data_dir, db_url, as_json) -> None:
    """Call the next ticket to WINDOW."""
    _run(config, data_dir, db_url, C.CallNext(window=window), as_json)


@main.command("do")
@config_arg
@click.argument("kind")
@click.argument("args", nargs=-1)
@data_opt
@db_opt
@json_opt
def do(config: Path, kind: str, args: tuple[str, ...], data_dir, db_url, as_json) -> None:
    """Run any command: yimen do CONFIG Transfer window=3 to_item=SC-0102.

    Values are parsed as JSON where they can be (numbers, lists), else taken as text."""
    fields: dict[str, Any] = {}
    for a in args:
        if "=" not in a:
            raise click.BadParameter(f"{a!r} must look like key=value", param_hint="ARGS")
        k, v = a.split("=", 1)
        try:
            fields[k] = json.loads(v)
        except json.JSONDecodeError:
            fields[k] = v
    try:
        cmd = parse_command(kind, fields)
    except CommandError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _run(config, data_dir, db_url, cmd, as_json)


@main.command()
@config_arg
@data_opt
@db_opt
@json_opt
def queues(config: Path, data_dir, db_url, as_json) -> None:
    """Show every item's queue and every window."""
    from .hall import store_url
    from .service import HallService
    from .store import EventStore

    cfg = _load(config)
    # A reader: works while the server runs, changes nothing.
    store = EventStore(store_url(cfg, data_dir, db_url), cfg.hall.id, writer=False, timezone=cfg.hall.timezone)
    try:
        svc = HallService(cfg, store)
        svc.rebuild()
    finally:
        store.close()
    now = clock.now()
    summary = queue_summary(svc.ctx, svc.state, now)
    wins = [window_view(svc.ctx, svc.state, w.number) for w in cfg.windows]
    if as_json:
        click.echo(json.dumps({"items": summary, "windows": wins}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{cfg.hall.name} — {svc.state.day.business_day if svc.state.day else '-'}")
    click.echo("items (waiting / issued today / wait estimate):")
    for q in summary:
        item = cfg.item(q["item"])
        flag = " 今日已满" if q["full"] else (" 暂停" if q["paused"] else "")
        click.echo(f"  {q['item']:<8} {item.name if item else '':<20} {q['waiting']:>3} waiting  "
                   f"{q['issued_today']:>3} issued  {q['wait_minutes'][0]}–{q['wait_minutes'][1]} min{flag}")
    click.echo("windows:")
    for w in wins:
        cur = f"{w['current']} ({w['current_status']})" if w["current"] else "-"
        click.echo(f"  {w['window']:>3}号 {w['name']:<12} {w['status']:<7} now: {cur:<16} "
                   f"waiting: {w['waiting_here']:<3} held: {','.join(w['held']) or '-'}")


@main.command()
@config_arg
@data_opt
@db_opt
@click.option("--stdio", is_flag=True, help="serve JSON-lines commands on stdin/stdout instead of MQTT")
def serve(config: Path, data_dir, db_url, stdio: bool) -> None:
    """Run the hall's queue server (the one writer of the hall's state)."""
    cfg = _load(config)
    try:
        with open_hall(cfg, data_dir=data_dir, db_url=db_url) as hall:
            r = hall.report
            log.warning("hall %s started: replayed %d events after snapshot %d in %.2fs%s", cfg.hall.id,
                        r.replayed, r.snapshot_seq, r.seconds, " (after an unclean shutdown)" if r.unclean else "")
            if stdio:
                from .stdio import serve as serve_stdio
                serve_stdio(hall.service)
            else:
                from .mqtt.server import run as run_mqtt  # type: ignore[import-not-found]
                run_mqtt(hall)
    except StoreBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)


from .mqtt.cli import broker_config as _broker_config, hall as _hall  # noqa: E402  (MQTT commands)
main.add_command(_hall)
main.add_command(_broker_config)


@main.command()
@config_arg
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="first business day, YYYY-MM-DD")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="last business day, YYYY-MM-DD")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              help="folder for the CSV files and report.html")
@data_opt
@db_opt
def report(config: Path, start, end, out_dir: Path, data_dir, db_url) -> None:
    """Figures for a period: CSV files and a printable HTML report with charts."""
    from .hall import store_url
    from .report import build_report, write_report
    from .store import EventStore

    cfg = _load(config)
    if end < start:
        click.echo("error: --to is before --from", err=True)
        sys.exit(2)
    store = EventStore(store_url(cfg, data_dir, db_url), cfg.hall.id, writer=False, timezone=cfg.hall.timezone)
    try:
        rep = build_report(cfg, store, start.date(), end.date())
    finally:
        store.close()
    for p in write_report(cfg, rep, out_dir):
        click.echo(str(p))
    t = rep.total
    rate = f"{t.completion_rate * 100:.1f}%" if t.completion_rate is not None else "—"
    click.echo(f"{cfg.hall.name} {rep.start}—{rep.end}: {sum(x.issued for x in rep.tickets.values())} tickets, "
               f"{t.accepted} cases accepted, {t.completed} completed of {t.due} due (办结率 {rate})")


@main.command()
@config_arg
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("handbook.html"))
@click.option("--all", "all_items", is_flag=True, help="every active item (the public catalogue), not only delegated ones")
def handbook(config: Path, out_file: Path, all_items: bool) -> None:
    """Print the staff handbook of delegated items (下放事项工作手册) from the catalogue."""
    from .report import render_handbook

    cfg = _load(config)
    out_file.write_text(render_handbook(cfg, delegated_only=not all_items), encoding="utf-8")
    click.echo(str(out_file))


if __name__ == "__main__":  # pragma: no cover
    main()
