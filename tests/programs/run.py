#!/usr/bin/env python3
"""Runs the programs of services/ for real, records them, and writes their bundles.

    python3 tests/programs/run.py --out tests/fixtures/programs            # record all, then write bundles
    python3 tests/programs/run.py --out tests/fixtures/programs NAME ...   # only these programs
    python3 tests/programs/run.py --out tests/fixtures/programs --bundles-only   # rebuild bundles from raw/

For each program (programs.py) the runner plays the node:
- starts the service as a subprocess (`python3 -u services/X.py`, PYTHONUNBUFFERED=1);
- timestamps every stdout/stderr line as it arrives and writes it as the container runtime
  does (CRI log format: `TIME STREAM F TEXT`) to raw/NAME/run-N.log, one file per run;
- every WATCHDOG_S reads the process's VmRSS (/proc/PID/status) and CPU ticks
  (/proc/PID/stat); every POLL_S, and at the kill, appends them to raw/NAME/rss.csv;
- kills the process with SIGKILL as soon as VmRSS exceeds the limit (as the kernel's OOM
  killer does at the cgroup limit);
- for report-api, probes GET /healthz like the kubelet (period, timeout, failure
  threshold) and on failure sends SIGTERM, then SIGKILL after the grace period;
- restarts the service after a back-off (kubelet's 10s·2^n shortened to 1s·2^n), until
  `kills` terminations are recorded, then records one more run for `tail` seconds;
- writes raw/NAME/meta.json: the machine, the config, every run (pid, start, end, exit
  code, reason, who killed it), and raw/NAME/probes.csv for the probed program.

Then bundle.py turns raw/NAME into NAME.txt (deterministically: rerunning with
--bundles-only gives the same bytes) and writes NAME.expected.json from programs.py.
"""

import argparse
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bundle  # noqa: E402
from programs import BACKOFF_BASE_S, BACKOFF_CAP_S, EXPECTED, MAX_SECONDS, POLL_S, PROGRAMS, WATCHDOG_S  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def rfc3339(ns):
    s, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{frac:09d}Z"


def read_proc(pid):
    """(VmRSS KiB, utime+stime ticks), or None when the process is gone."""
    try:
        rss = None
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        if rss is None:  # zombie
            return None
        return rss, ticks
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None


def free_port(preferred):
    """The container's port when it is free here (so the logs say :8080 as in the pod
    spec), else any free port."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port")


class Recorder:
    def __init__(self, name, cfg, raw_dir):
        self.name = name
        self.cfg = cfg
        self.dir = os.path.join(raw_dir, name)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            os.remove(os.path.join(self.dir, f))
        self.runs = []
        self.rss = open(os.path.join(self.dir, "rss.csv"), "w", newline="")
        self.rss_csv = csv.writer(self.rss, lineterminator="\n")
        self.rss_csv.writerow(["unix_ns", "time", "run", "pid", "vmrss_kib", "cpu_ticks"])
        self.probes = None
        if cfg.get("liveness"):
            self.probes = open(os.path.join(self.dir, "probes.csv"), "w", newline="")
            self.probes_csv = csv.writer(self.probes, lineterminator="\n")
            self.probes_csv.writerow(["unix_ns", "time", "run", "ok", "latency_ms", "error"])

    def log(self, msg):
        print(f"[{time.strftime('%H:%M:%S')}] {self.name}: {msg}", flush=True)

    def reader(self, pipe, stream, out, lock):
        for raw in iter(pipe.readline, b""):
            ns = time.time_ns()
            text = raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r")
            with lock:
                out.write(f"{rfc3339(ns)} {stream} F {text}\n")
                out.flush()
        pipe.close()

    def prober(self, run, port, state):
        lv = self.cfg["liveness"]
        url = f"http://127.0.0.1:{port}{lv['path']}"
        time.sleep(lv["initial_delay"])
        fails = 0
        while not state["done"]:
            t0 = time.time_ns()
            ok, err = True, ""
            try:
                with urllib.request.urlopen(url, timeout=lv["timeout"]) as r:
                    r.read()
                    ok = r.status == 200
                    err = "" if ok else f"HTTP probe failed with statuscode: {r.status}"
            except urllib.error.HTTPError as e:
                ok, err = False, f"HTTP probe failed with statuscode: {e.code}"
            except (socket.timeout, TimeoutError):
                ok, err = False, "timeout"
            except urllib.error.URLError as e:
                reason = e.reason
                if isinstance(reason, (socket.timeout, TimeoutError)):
                    ok, err = False, "timeout"
                elif isinstance(reason, ConnectionRefusedError):
                    ok, err = False, "connection refused"
                else:
                    ok, err = False, str(reason)
            except (ConnectionError, OSError) as e:
                ok, err = False, type(e).__name__
            if state["done"]:
                break
            ms = (time.time_ns() - t0) / 1e6
            self.probes_csv.writerow([t0, rfc3339(t0), run, int(ok), f"{ms:.1f}", err])
            self.probes.flush()
            fails = 0 if ok else fails + 1
            if fails >= lv["failure_threshold"]:
                state["kill_requested"] = time.time_ns()
                return
            time.sleep(max(0.0, lv["period"] - (time.time_ns() - t0) / 1e9))

    def one_run(self, run, tail_until_s, deadline):
        cfg = self.cfg
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONUNBUFFERED": "1",
            "HOSTNAME": cfg["pod"],
            "LANG": "C.UTF-8",
        }
        port = None
        if cfg.get("liveness"):
            port = free_port(cfg["liveness"]["port"])
            env["PORT"] = str(port)
        script = os.path.join(HERE, "services", cfg["script"])
        out = open(os.path.join(self.dir, f"run-{run}.log"), "w")
        lock = threading.Lock()
        started = time.time_ns()
        p = subprocess.Popen([sys.executable, "-u", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=HERE)
        readers = [
            threading.Thread(target=self.reader, args=(p.stdout, "stdout", out, lock), daemon=True),
            threading.Thread(target=self.reader, args=(p.stderr, "stderr", out, lock), daemon=True),
        ]
        for t in readers:
            t.start()
        state = {"done": False, "kill_requested": None}
        if port:
            threading.Thread(target=self.prober, args=(run, port, state), daemon=True).start()
        limit_kib = cfg["limit_mi"] * 1024
        rec = dict(run=run, pid=p.pid, started_ns=started, started=rfc3339(started))
        killed_by = None
        peak = 0
        sigterm_at = None
        next_sample = 0
        while True:
            if p.poll() is not None:
                killed_by = killed_by or "exited"
                break
            now = time.time_ns()
            s = read_proc(p.pid)
            if s:
                rss, ticks = s
                peak = max(peak, rss)
                over = rss > limit_kib and killed_by is None
                if now >= next_sample or over:
                    self.rss_csv.writerow([now, rfc3339(now), run, p.pid, rss, ticks])
                    next_sample = now + int(POLL_S * 1e9)
                if over:
                    os.kill(p.pid, signal.SIGKILL)
                    killed_by = "rss-watchdog"
                    rec["killed_ns"] = now
                    rec["rss_at_kill_kib"] = rss
                    self.log(f"run {run}: VmRSS {rss // 1024} MiB > {cfg['limit_mi']} MiB after {(now - started) / 1e9:.1f}s: SIGKILL")
                    break
            if state["kill_requested"] and sigterm_at is None:
                sigterm_at = time.time_ns()
                os.kill(p.pid, signal.SIGTERM)
                rec["sigterm_ns"] = sigterm_at
                self.log(f"run {run}: liveness probe failed {cfg['liveness']['failure_threshold']} times: SIGTERM")
            if sigterm_at and killed_by is None and time.time_ns() - sigterm_at >= cfg["liveness"]["grace"] * 1e9:
                os.kill(p.pid, signal.SIGKILL)
                killed_by = "liveness-probe"
                rec["killed_ns"] = time.time_ns()
                self.log(f"run {run}: still running {cfg['liveness']['grace']}s after SIGTERM: SIGKILL")
                break
            if killed_by is None and ((tail_until_s is not None and now >= started + tail_until_s * 1e9) or now >= deadline):
                os.kill(p.pid, signal.SIGKILL)
                killed_by = "end-of-recording"
                rec["killed_ns"] = now
                break
            time.sleep(WATCHDOG_S)
        p.wait()
        ended = time.time_ns()
        state["done"] = True
        for t in readers:
            t.join(5)
        out.close()
        code = p.returncode
        exit_code = 128 - code if code < 0 else code
        rec.update(
            finished_ns=ended,
            finished=rfc3339(ended),
            exit_code=exit_code,
            killed_by=killed_by,
            peak_rss_kib=peak,
        )
        if killed_by == "rss-watchdog":
            rec["reason"] = "OOMKilled"
        elif killed_by == "end-of-recording":
            rec["reason"] = None  # not a termination Kubernetes saw: the capture ended here
        elif exit_code == 0:
            rec["reason"] = "Completed"
        else:
            rec["reason"] = "Error"
        self.runs.append(rec)
        self.log(f"run {run}: ended after {(ended - started) / 1e9:.1f}s, exit {exit_code}, {killed_by}, peak {peak // 1024} MiB")
        return rec

    def record(self):
        cfg = self.cfg
        t0 = time.time()
        deadline = time.time_ns() + int(MAX_SECONDS * 1e9)
        kills = 0
        run = 0
        while True:
            tail = cfg["tail"] if kills >= cfg["kills"] else None
            rec = self.one_run(run, tail, deadline)
            run += 1
            if rec["reason"] is None or time.time_ns() >= deadline:
                break
            kills += 1
            backoff = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (kills - 1))
            rec["backoff_s"] = backoff
            time.sleep(backoff)
        self.rss.close()
        if self.probes:
            self.probes.close()
        meta = dict(
            program=self.name,
            recorded_on=dict(
                date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0)),
                uname_r=platform.release(),
                python=platform.python_version(),
                cpus=os.cpu_count(),
                poll_s=POLL_S,
                watchdog_s=WATCHDOG_S,
            ),
            config={k: v for k, v in cfg.items()},
            runs=self.runs,
            ended_ns=self.runs[-1]["killed_ns"] if self.runs[-1]["reason"] is None else self.runs[-1]["finished_ns"],
        )
        with open(os.path.join(self.dir, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        self.log(f"recorded {len(self.runs)} runs in {time.time() - t0:.0f}s")


def write_outputs(name, out_dir):
    raw = os.path.join(out_dir, "raw")
    text = bundle.build(name, PROGRAMS[name], os.path.join(raw, name))
    with open(os.path.join(out_dir, f"{name}.txt"), "w") as f:
        f.write(text)
    exp = dict(EXPECTED[name])
    cfg = PROGRAMS[name]
    exp["diagnoses"] = [dict(pod=cfg["pod"], container=cfg["container"], **d) for d in exp["diagnoses"]]
    ordered = {"program": cfg["script"], "diagnoses": exp["diagnoses"], "must_not": exp["must_not"], "note": exp["note"]}
    with open(os.path.join(out_dir, f"{name}.expected.json"), "w") as f:
        json.dump(ordered, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "fixtures", "programs"))
    ap.add_argument("--jobs", type=int, default=2, help="programs recorded at once")
    ap.add_argument("--bundles-only", action="store_true", help="rebuild bundles from raw/ without running anything")
    ap.add_argument("names", nargs="*", help=f"programs (default: all of {', '.join(PROGRAMS)})")
    a = ap.parse_args()
    names = a.names or list(PROGRAMS)
    for n in names:
        if n not in PROGRAMS:
            ap.error(f"unknown program {n}")
    os.makedirs(a.out, exist_ok=True)
    if not a.bundles_only:
        raw = os.path.join(a.out, "raw")
        pending = list(names)
        lock = threading.Lock()

        def worker():
            while True:
                with lock:
                    if not pending:
                        return
                    n = pending.pop(0)
                Recorder(n, PROGRAMS[n], raw).record()

        threads = [threading.Thread(target=worker) for _ in range(max(1, a.jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for n in names:
        write_outputs(n, a.out)
        print(f"wrote {os.path.join(a.out, n + '.txt')}")


if __name__ == "__main__":
    main()
