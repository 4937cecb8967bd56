"""Real services for fault tests, each started (and stopped) by the test that uses it, on free ports.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379): a test gets its own ``redis-server``,
its own Celery worker subprocess and, for the restart test, its own throwaway PostgreSQL cluster.
Tests that need a worker or Redis run in the PostgreSQL + Redis CI leg (``CELERY_BROKER_URL`` set) and are
skipped, with the reason shown, elsewhere.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings

from lms_site.celery import app as celery_app
from tests.broker.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("DX_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, *, up: bool, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if (sock.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} is not {'up' if up else 'down'} after {timeout} s")


def stop(process: subprocess.Popen, *, timeout: float = 20.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def needs_broker_leg() -> None:
    if not settings.CELERY_BROKER_URL:
        pytest.skip(
            "CELERY_BROKER_URL is not set: fault tests with Redis and a worker run in the PG+Redis leg"
        )
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")


class RedisServer:
    """A redis-server of our own, without persistence, that can be stopped and started on its port."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None
        wait_port(self.port, up=False)


@pytest.fixture
def redis_server(tmp_path):
    needs_broker_leg()
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _reset_celery_connections() -> None:
    """Forget pooled broker connections and the result backend, so the next call uses the current conf."""
    # app._pool is kombu's process-wide pool for the broker URL; closing it without dropping it from
    # kombu's registries would leave a closed pool that every later publish to that URL trips over.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None  # a thread-safe backend is cached here, others per thread
    with contextlib.suppress(AttributeError):
        del celery_app._local.backend


@contextlib.contextmanager
def celery_using(broker_url: str):
    """This process's Celery app sends to ``broker_url`` (and keeps results there) for the block."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    # Celery reads these two from the environment before its configuration.
    saved_env = {name: os.environ.get(name) for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    os.environ.update(CELERY_BROKER_URL=broker_url, CELERY_RESULT_BACKEND=broker_url)
    celery_app.conf.update(broker_url=broker_url, result_backend=broker_url, task_always_eager=False)
    _reset_celery_connections()
    try:
        yield celery_app
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        celery_app.conf.update(saved)
        _reset_celery_connections()


class Worker:
    """``celery worker`` subprocess on this run's queue and the given broker, sharing the test database."""

    def __init__(self, broker_url: str, log_dir: Path, **extra_env: str):
        self.broker_url = broker_url
        self.queue = settings.CELERY_TASK_DEFAULT_QUEUE
        self.log_dir = log_dir
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms_site.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_RESULT_BACKEND": self.broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            **self.extra_env,
        }
        log = (self.log_dir / f"worker-{id(self):x}-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms_site",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "--include",
                "tests.faults.tasks",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                assert celery_app.send_task("lms_site.ping", queue=self.queue).get(timeout=5) == "pong"
                return
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Celery worker did not start; see {self.log_dir}") from None

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to acknowledge or give back the task it holds."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@pytest.fixture
def worker_factory(tmp_path, transactional_db):
    workers: list[Worker] = []

    def make(broker_url: str, **extra_env: str) -> Worker:
        worker = Worker(broker_url, tmp_path, **extra_env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def run_as_postgres(*args: str) -> subprocess.CompletedProcess:
    """PostgreSQL's tools refuse to run as root; run them as the postgres user then."""
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free loopback port, trusting all."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        run_as_postgres(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        run_as_postgres(
            PG_BIN / "pg_ctl",
            action,
            "-D",
            self.data,
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "-l",
            self.directory / "server.log",
            *extra,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")


@pytest.fixture
def postgres_cluster(tmp_path_factory):
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set DX_PG_BIN)")
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump and psql are needed to copy the schema into the throwaway cluster")
    # Not under pytest's tmp_path, whose parents the postgres user may not be allowed to enter.
    directory = Path(tempfile.mkdtemp(prefix="dx-faults-pg-"))
    cluster = PostgresCluster(directory)
    cluster.init()
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):
        cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


class Server:
    """gunicorn serving the site in a subprocess on a free loopback port."""

    def __init__(self, log: Path, **env: str):
        self.port = free_port()
        self.log = log
        self.env = env
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        log = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lms_site.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms_site.settings.test", **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_port(self.port, up=True, timeout=60)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
