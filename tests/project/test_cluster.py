"""`grade-all --scheduler` on a real Dask scheduler and two real worker processes (loopback only).

The oracle is the local pool (`--jobs 2`, itself checked against grading one at a time in
test_batch.py) on the same mixed class: every route must give the same statuses and the same score
test by test. In CI (.ci/run sets AG_REQUIRE_CLUSTER=1) a missing Dask extra fails, never skips.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psutil
import pytest

if os.environ.get("AG_REQUIRE_CLUSTER") != "1":
    pytest.importorskip("distributed", reason="the cluster extra is not installed: bash setup.sh --cluster")
from distributed import Client  # noqa: E402

from autograder.classroom import batch, cluster  # noqa: E402
from tests.project.clirun import autograder, csv_rows  # noqa: E402
from tests.project.test_batch import PATTERN, klass  # noqa: E402,F401 (the same mixed class of 13)

DASK = Path(sys.executable).parent / "dask"
START_TIMEOUT = 60
FAST_RECONNECT = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s"}  # a lost scheduler is given up in 5 s, not 30


@contextmanager
def dask_cluster(root: Path, workers: int = 2, scheduler_env: dict[str, str] | None = None
                 ) -> Iterator[tuple[str, list[subprocess.Popen], subprocess.Popen]]:
    """A scheduler and `workers` worker processes (one grader each, no nanny: a killed worker stays
    dead), each started by the command of docs/cluster.md in a working folder of its own."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / "scheduler.json"
    logs, procs = [], []

    def start(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        (root / name).mkdir()
        logs.append(open(root / f"{name}.log", "wb"))
        procs.append(subprocess.Popen([str(DASK), *args], cwd=root / name, stdout=logs[-1], stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True, env={**os.environ, **(env or {})}))
        return procs[-1]

    try:
        scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(info), env=scheduler_env)
        deadline = time.monotonic() + START_TIMEOUT
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        worker_procs = [start(f"worker{i}", "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                              "--host", "127.0.0.1", "--name", f"worker{i}", "--local-directory",
                              str(root / f"worker{i}")) for i in range(workers)]
        with Client(address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(workers, timeout=START_TIMEOUT)
        yield address, worker_procs, scheduler
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)  # a worker whose scheduler is gone may linger: kill it
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()


def _grade_all(klass: Path, out: Path, *route: str) -> subprocess.CompletedProcess:
    done = autograder("grade-all", str(klass), "--out", str(out), "--tests", PATTERN, *route, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _verdicts(out: Path) -> dict[str, tuple[str, float, dict[str, tuple[str, float]]]]:
    """Per submission: status, total and (status, score) of every test, from the files in OUT."""
    found = {}
    for results in sorted(out.glob(f"*/{batch.RESULTS}")):
        document = json.loads(results.read_text())
        info = json.loads((results.parent / batch.RUN_INFO).read_text())
        tests = {t["extra_data"]["id"]: (t.get("status", ""), float(t["score"])) for t in document.get("tests", [])}
        found[results.parent.name] = (info["status"], float(document["score"]), tests)
    return found


def _workers(out: Path) -> dict[str, str]:
    return {p.parent.name: json.loads(p.read_text()).get("worker", "") for p in out.glob(f"*/{batch.RUN_INFO}")}


@pytest.fixture(scope="module")
def local_out(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    _grade_all(klass, out, "--jobs", "2")
    return out


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with two workers, for the tests that kill nothing."""
    with dask_cluster(tmp_path_factory.mktemp("dask")) as (address, _, _):
        yield address


def test_two_dask_workers_grade_exactly_like_the_local_pool(klass: Path, local_out: Path, two_workers: str,
                                                            tmp_path: Path) -> None:
    expected = _verdicts(local_out)
    assert len(expected) == 13  # broken.zip is "unreadable" since issue 24's statuses
    assert {s for s, _, _ in expected.values()} == {"graded", "no files found", "unreadable"}
    out = tmp_path / "out"
    done = _grade_all(klass, out, "--scheduler", two_workers)
    assert _verdicts(out) == expected
    assert "13 graded now" in done.stdout
    workers = _workers(out)
    assert len(set(workers.values())) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers.values())
    assert all((out / name / batch.OUTPUT).read_text().strip() for name in expected)
    assert set(csv_rows(out / "grades.csv")) == {*expected, "(max points)"} and (out / "report.html").is_file()
    rerun = _grade_all(klass, out, "--scheduler", two_workers)  # resume: nothing left to grade
    assert "0 graded now, 13 already done" in rerun.stdout


def test_a_local_dask_cluster_regrades_only_one(klass: Path, local_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _grade_all(klass, out, "--jobs", "2", "--only", "mistake1")
    done = _grade_all(klass, out, "--cluster", "local:2", "--only", "mistake1", "--force")
    assert "1 graded now" in done.stdout and "Dask: 2 worker(s) at tcp://127.0.0.1:" in done.stdout
    assert _verdicts(out)["mistake1"] == _verdicts(local_out)["mistake1"]
    assert _workers(out)["mistake1"].startswith("tcp://127.0.0.1:")


def _small_class(klass: Path, dest: Path) -> Path:
    """Six of the mixed class (each form once), for the fault tests: the oracle stays the local pool's run."""
    for name in ("reference", "template", "mistake0", "reference.zip", "notebook.ipynb", "empty"):
        (shutil.copytree if (klass / name).is_dir() else shutil.copy)(klass / name, dest / name)
    return dest


def _start_batch(small: Path, out: Path, address: str) -> subprocess.Popen:
    """grade-all in the background, returned once its first result is in (mid-batch)."""
    client = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(small), "--out", str(out),
                               "--tests", PATTERN, "--scheduler", address], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, **FAST_RECONNECT})
    deadline = time.monotonic() + 120
    while not list(out.glob(f"*/{batch.RESULTS}")) and time.monotonic() < deadline and client.poll() is None:
        time.sleep(0.1)
    return client


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(klass: Path, local_out: Path, tmp_path: Path) -> None:
    small, out = _small_class(klass, tmp_path / "small"), tmp_path / "out"
    with dask_cluster(tmp_path / "dask") as (address, workers, _):
        client = _start_batch(small, out, address)
        os.kill(workers[0].pid, signal.SIGKILL)
        stdout, stderr = client.communicate(timeout=300)
        assert workers[0].wait(timeout=5) == -signal.SIGKILL
    assert client.returncode == 0, stderr[-3000:]
    expected = {name: v for name, v in _verdicts(local_out).items() if name in set(os.listdir(small))}
    assert len(expected) == 6 and _verdicts(out) == expected
    assert "6 graded now" in stdout
    per_worker = stdout.split("graded per worker: ")[1].splitlines()[0]
    assert sum(int(part.rsplit(" ", 1)[1]) for part in per_worker.split(", ")) == 6  # none graded twice


def test_a_submission_that_ends_its_workers_is_marked_not_retried(klass: Path, local_out: Path,
                                                                  tmp_path: Path) -> None:
    small, out = _small_class(klass, tmp_path / "small"), tmp_path / "out"
    no_retry = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}  # the first worker death is one too many
    with dask_cluster(tmp_path / "dask", scheduler_env=no_retry) as (address, workers, _):
        client = _start_batch(small, out, address)
        os.kill(workers[0].pid, signal.SIGKILL)
        stdout, stderr = client.communicate(timeout=300)
    assert client.returncode == 0, stderr[-3000:]
    verdicts, expected = _verdicts(out), _verdicts(local_out)
    crashed = [name for name, (status, _, _) in verdicts.items() if status == "worker crashed"]
    assert 1 <= len(crashed) <= 2 and len(verdicts) == 6, verdicts
    for name in crashed:
        assert verdicts[name][1] == 0 and "ended every Dask worker" in (out / name / batch.RESULTS).read_text()
    assert {n: v for n, v in verdicts.items() if n not in crashed} == {n: expected[n] for n in verdicts if n not in crashed}


def test_a_lost_scheduler_stops_the_client_and_a_rerun_resumes(klass: Path, local_out: Path, tmp_path: Path) -> None:
    small, out = _small_class(klass, tmp_path / "small"), tmp_path / "out"
    with dask_cluster(tmp_path / "dask") as (address, _, scheduler):
        client = _start_batch(small, out, address)
        scheduler.kill()
        lost = time.monotonic()
        stdout, stderr = client.communicate(timeout=120)
        stopped_after = time.monotonic() - lost  # not 30 s more asking the lost scheduler to cancel
    assert client.returncode == 130 and stopped_after < 15, (stopped_after, stderr[-3000:])
    assert "lost the Dask scheduler" in stderr and "Traceback" not in stderr
    done_before = len(list(out.glob(f"*/{batch.RESULTS}")))
    assert 1 <= done_before < 6
    with dask_cluster(tmp_path / "dask2") as (address, _, _):
        rerun = _grade_all(small, out, "--scheduler", address)
    assert f"{6 - done_before} graded now, {done_before} already done" in rerun.stdout
    expected = {name: v for name, v in _verdicts(local_out).items() if name in set(os.listdir(small))}
    assert _verdicts(out) == expected


def test_sigterm_ends_the_graders_on_the_workers_and_the_run_resumes(klass: Path, local_out: Path,
                                                                     tmp_path: Path) -> None:
    small, out, tmp = _small_class(klass, tmp_path / "small"), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    client = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(small), "--out", str(out),
                               "--tests", PATTERN, "--cluster", "local:2"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp)})
    deadline = time.monotonic() + 120
    while not list(out.glob(f"*/{batch.RESULTS}")) and time.monotonic() < deadline and client.poll() is None:
        time.sleep(0.1)
    client.send_signal(signal.SIGTERM)
    started = time.monotonic()
    stdout, stderr = client.communicate(timeout=60)
    assert client.returncode == 130 and time.monotonic() - started < 15, stderr[-3000:]
    time.sleep(1)
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if str(tmp) in " ".join(p.info["cmdline"] or [])]
    assert left == []  # every grader the workers ran (they unpack under TMPDIR) has ended
    done_before = len(list(out.glob(f"*/{batch.RESULTS}")))
    assert 1 <= done_before < 6
    rerun = _grade_all(small, out, "--jobs", "2")
    assert f"{6 - done_before} graded now, {done_before} already done" in rerun.stdout
    assert _verdicts(out) == {name: v for name, v in _verdicts(local_out).items() if name in set(os.listdir(small))}


def _services_on_this_worker() -> list[int]:
    """Run on a worker (sent by value: the worker cannot import the tests): its grading services' pids."""
    from autograder.classroom import cluster

    return sorted(s.proc.pid for s in cluster._SERVICES.every if s.alive())


def test_a_worker_starts_its_grading_service_as_the_batch_reaches_it_and_its_task_uses_it(
        klass: Path, tmp_path: Path) -> None:
    """issue 27: the plugin a batch registers starts each worker's service before any task (its
    imports and worker template overlap the client's checks); the batch's task grades with that one."""
    from autograder.classroom.cluster_warmup import cool_down, warm_up
    from autograder.course.assignment import choose

    import cloudpickle

    small = tmp_path / "small"
    shutil.copytree(klass / "template", small / "template")
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with dask_cluster(tmp_path / "dask", workers=1) as (address, _, _), Client(address) as client:
        assert list(client.run(_services_on_this_worker).values()) == [[]]
        first = warm_up(client, False, choose(None, None).path.stem)  # as grade-all registers it
        deadline = time.monotonic() + START_TIMEOUT
        while not list(client.run(_services_on_this_worker).values())[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        (started,) = client.run(_services_on_this_worker).values()
        assert len(started) == 1
        done = _grade_all(small, tmp_path / "out", "--scheduler", address)
        assert "1 graded now" in done.stdout
        assert list(client.run(_services_on_this_worker).values()) == [started]  # the same process graded
        second = warm_up(client, False, "another-assignment")  # another batch: a service of its own starts ahead
        while len(list(client.run(_services_on_this_worker).values())[0]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(client.run(_services_on_this_worker).values())[0]) == 2
        cool_down(client, second)  # ... and ends with the batch, as no task took it; the first one stays
        while list(client.run(_services_on_this_worker).values()) != [started] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(client.run(_services_on_this_worker).values()) == [started]
        cool_down(client, first)
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_worker_that_cannot_warm_up_still_joins_and_grades_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-up is only a speed-up: a worker whose services cannot start ahead (here: starting
    them raises) neither fails the batch's registration nor keeps a later worker from joining."""
    from distributed import LocalCluster

    from autograder.classroom.cluster_warmup import cool_down, warm_up

    calls = []

    def cannot_start(*args: object) -> None:
        calls.append(args)
        raise OSError("no room for a grading service")

    monkeypatch.setattr(cluster, "prestart_services", cannot_start)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0",
                      silence_logs=50) as local, Client(local) as client:
        name = warm_up(client, False, "assignment")
        local.scale(2)
        client.wait_for_workers(2, timeout=START_TIMEOUT)
        assert len(calls) == 2  # the present worker, then the one that joined
        assert client.submit(sum, [1, 2]).result(timeout=START_TIMEOUT) == 3
        cool_down(client, name)


def test_a_worker_of_another_project_version_is_named_and_refused(two_workers: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with Client(two_workers) as client:
        cluster.preflight(client, unprotected=False)  # the same project: accepted
        monkeypatch.setattr(cluster, "fingerprint", lambda: "0" * 64)  # the client only: the worker differs
        with pytest.raises(batch.Refused, match=r"worker tcp://127\.0\.0\.1:\d+ refuses to grade: its project "
                                                r"differs"):
            cluster.preflight(client, unprotected=False)


def test_pack_keeps_files_and_links_and_unpack_refuses_escapes(klass: Path, tmp_path: Path) -> None:
    source = tmp_path / "sub"
    (source / "deep").mkdir(parents=True)
    (source / "deep" / "homework.py").write_text("x = 1\n")
    (source / "link").symlink_to("/etc/passwd")
    for path in (source, klass / "reference.zip", klass / "empty"):
        dest = tmp_path / "unpacked" / path.name
        dest.mkdir(parents=True)
        copy = cluster.unpack(cluster.pack(path), dest)
        assert copy.name == path.name and batch.content_hash(copy) == batch.content_hash(path)
    assert os.readlink(tmp_path / "unpacked" / "sub" / "sub" / "link") == "/etc/passwd"
    outside = tmp_path / "outside"
    outside.mkdir()
    for names, said in ((["../escaped.py"], "unsafe name"), (["sub", "sub/link", "sub/link/x/escaped.py"], "through a link")):
        evil = io.BytesIO()
        with tarfile.open(fileobj=evil, mode="w") as tar:
            for name in names:
                member = tarfile.TarInfo(name)
                member.type = {"sub": tarfile.DIRTYPE, "sub/link": tarfile.SYMTYPE}.get(name, tarfile.REGTYPE)
                member.linkname = str(outside)
                tar.addfile(member, io.BytesIO(b""))
        dest = tmp_path / "evil" / said.split()[-1]
        dest.mkdir(parents=True)
        with pytest.raises(ValueError, match=said):
            cluster.unpack(evil.getvalue(), dest)
    assert not (tmp_path / "evil" / "escaped.py").exists() and not list(outside.iterdir())


def test_bad_routes_and_a_missing_extra_are_one_line_and_status_2(klass: Path, tmp_path: Path) -> None:
    for route, said in ((("--jobs", "2", "--cluster", "local:2"), "exclude each other"),
                        (("--cluster", "remote:2"), "expected local:N"),
                        (("--scheduler", "127.0.0.1:8786"), "tcp://host:8786")):
        done = autograder("grade-all", str(klass), "--out", str(tmp_path / "out"), *route)
        assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr, done.stderr
    blocker = tmp_path / "no_dask" / "distributed"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(klass), "--out", str(tmp_path / "o"),
                           "--cluster", "local:2"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(blocker.parent)})
    assert done.returncode == 2 and "bash setup.sh --cluster" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
