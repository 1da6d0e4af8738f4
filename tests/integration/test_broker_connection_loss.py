"""(d) The broker connection dropped mid-stream: relay and worker reconnect, nothing is lost
or handled twice. The connection runs through a TCP proxy the test cuts, as a network would."""

import threading
import time
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, select

from akta.bus import outbox
from akta.bus.tables import inbox_table, outbox_table
from akta_retention.adapters.orm import retention_entries
from tests.support.cases import create_case, template
from tests.support.system import FlowSystem
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import eventually

CASES = 300


def _through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}"))


def _count(service, table) -> int:
    with service.database.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_relay_and_worker_survive_the_broker_connection_being_cut(postgres_url, rabbitmq_url, bus_namespace, tmp_path):
    target = urlsplit(rabbitmq_url)
    proxy = TcpProxy(target.hostname, target.port or 5672)
    system = FlowSystem.build(tmp_path, postgres_url, _through(proxy, rabbitmq_url), bus_namespace)
    try:
        system.start()
        eventually(lambda: len(proxy._pairs) >= 2)  # relay and worker are connected

        created = threading.Event()

        template_id = template(system.cases, "t-1")

        def create_cases():
            for n in range(CASES):
                create_case(system.cases, "t-1", f"Case {n}", template_id)
                if n % 20 == 0:
                    time.sleep(0.02)
            created.set()

        creator = threading.Thread(target=create_cases)
        creator.start()
        cut_connections = 0
        while not created.is_set() or _count(system.retention, retention_entries) < CASES // 2:
            time.sleep(0.25)
            cut_connections += proxy.cut()
            if proxy.cuts >= 8:
                break
        creator.join()

        assert cut_connections >= 4, "the test must really cut live connections"
        eventually(lambda: _count(system.retention, retention_entries) == CASES, timeout=60)
        def nothing_left_to_relay():
            with system.cases.database.session() as session:
                return outbox.count_pending(session) == 0

        eventually(nothing_left_to_relay, timeout=30)
        time.sleep(0.5)  # any redelivery still under way would show up as a second effect now
        assert _count(system.retention, retention_entries) == CASES
        assert _count(system.retention, inbox_table) == CASES
        eventually(lambda: _count(system.retention, outbox_table) == CASES)
        with system.retention.database.session() as session:
            distinct_items = session.scalar(select(func.count(func.distinct(retention_entries.c.item_id))))
        assert distinct_items == CASES
        assert system.dead_letters() == []
    finally:
        system.shutdown()
        proxy.close()
