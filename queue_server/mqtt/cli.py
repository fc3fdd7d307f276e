"""``yimen hall``: the hall's managed broker and the MQTT queue server together."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click

log = logging.getLogger(__name__)


def _with_port(cfg, port: int | None):  # type: ignore[no-untyped-def]
    if port is None:
        return cfg
    return cfg.model_copy(update={"broker": cfg.broker.model_copy(update={"port": port})})


@click.command("hall")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="data directory (SQLite store, broker/ config and credentials); default ./var or $YIMEN_DATA")
@click.option("--db", "db_url", default=None, help="database URL (default: SQLite in --data)")
@click.option("--broker-port", type=int, default=None, help="override [broker] port from the config")
@click.option("--apps", default="", help="also start screen apps here: 'demo' (one of each), 'all', or device ids a,b,c")
def hall(config: Path, data_dir: Path | None, db_url: str | None, broker_port: int | None, apps: str) -> None:
    """Run the hall: start its Mosquitto (generated config) and serve the queue over MQTT."""
    from ..cli import _load
    from ..hall import default_data_dir, open_hall
    from ..store import StoreBusy
    from .broker import BrokerError, BrokerProcess, Credentials, write_broker_config
    from .server import MqttServer, tune_process
    from ..apps import resolve, start_apps

    tune_process()
    cfg = _with_port(_load(config), broker_port)
    data = data_dir or default_data_dir()
    try:
        app_ids = resolve(cfg, apps) if apps else []
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--apps") from None
    files = write_broker_config(cfg, data / "broker")
    broker = BrokerProcess(files) if cfg.broker.manage else None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        if broker:
            broker.start()
        with open_hall(cfg, data_dir=data, db_url=db_url) as h:
            server = MqttServer(h, Credentials.load(files.credentials))
            server.start(wait=None)
            click.echo(f"{cfg.hall.name}: serving on mqtt://{files.host}:{files.port} "
                       f"(credentials: {files.credentials}) / 大厅服务已启动", err=True)
            children = start_apps(cfg, app_ids, config.resolve(), data.resolve()) if app_ids else None
            try:
                _supervise(broker, stop, children)
            finally:
                if children:
                    children.stop()
                server.stop()
    except BrokerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(4)
    except StoreBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    finally:
        if broker:
            broker.stop()


def _supervise(broker, stop: threading.Event, children=None) -> None:  # type: ignore[no-untyped-def]
    """Restart the managed broker if it dies; the server reconnects and repaints.
    A screen app that exits is reported once; the hall keeps serving."""
    reported: set[str] = set()
    while not stop.wait(1.0):
        for d in (children.check() if children else []):
            if d not in reported:
                reported.add(d)
                log.error("app %s exited; see its log under <data>/logs", d)
        if broker is not None and not broker.running:
            log.error("mosquitto stopped unexpectedly; restarting it")
            try:
                broker.start()
            except Exception as exc:  # keep trying: the hall must come back by itself
                log.error("broker restart failed: %s", exc)


@click.command("broker-config")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--broker-port", type=int, default=None)
def broker_config(config: Path, data_dir: Path | None, broker_port: int | None) -> None:
    """Write the broker's config, password, ACL and credentials files without starting anything."""
    from ..cli import _load
    from ..hall import default_data_dir
    from .broker import write_broker_config

    cfg = _with_port(_load(config), broker_port)
    files = write_broker_config(cfg, (data_dir or default_data_dir()) / "broker")
    click.echo(f"wrote {files.conf}, {files.passwd}, {files.acl}, {files.credentials} (0600)")
