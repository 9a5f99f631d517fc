"""Turns one recording (raw/NAME: meta.json, rss.csv, run-N.log, probes.csv) into a bundle
in the collector's format (docs/bundle-format.md), as `kubeleak collect -n shop -l
app=APP --samples N --interval Ts --no-gzip` would have written it had it been started
at the `collect` moment of the program's config.

Real, from the recording: every log line and its time, the RSS values and CPU use in
`kubectl top`, start/finish times, exit codes, restart counts, liveness probe results.
Transcribed (kubectl/kubelet text built around those facts): the kubectl version, pod
IP/node/image/UID/container IDs, the describe and get layouts, event wording, and the
`metrics not available yet` answer of `kubectl top` when no container has run for
METRICS_WARMUP_S. Deterministic: the same raw/ gives the same bytes.
"""

import csv
import hashlib
import json
import math
import os
import time
import uuid

from programs import (
    CONTEXT,
    KUBECTL_VERSION,
    METRICS_WARMUP_S,
    NAMESPACE,
    NODE,
    POD_IP,
    SERVER_VERSION,
)

S = 1_000_000_000
CLK_TCK = 100  # USER_HZ on Linux; recorded ticks are in these units


def rfc3339(ns, frac=True):
    s, f = divmod(ns, S)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
    return base + (f".{f:09d}Z" if frac else "Z")


def describe_time(ns):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ns // S))


def parse_rfc3339(s):
    # 2026-12-05T17:10:00.123456789Z
    base, frac = s.rstrip("Z").split(".")
    t = time.strptime(base, "%Y-%m-%dT%H:%M:%S")
    import calendar

    return calendar.timegm(t) * S + int(frac.ljust(9, "0")[:9])


def age(ns):
    """kubectl's HumanDuration."""
    s = max(0, ns // S)
    if s < 120:
        return f"{s}s"
    if s < 600:
        return f"{s // 60}m{s % 60}s" if s % 60 else f"{s // 60}m"
    if s < 3 * 3600:
        return f"{s // 60}m"
    if s < 8 * 3600:
        h, m = s // 3600, s % 3600 // 60
        return f"{h}h{m}m" if m else f"{h}h"
    if s < 2 * 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def go_duration(ns):
    s = ns / S
    m, sec = divmod(s, 60)
    return f"{int(m)}m{sec:.6f}s" if m else f"{sec:.6f}s"


def table(rows, pad=3):
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(len(r) for r in rows))]
    out = []
    for r in rows:
        line = ""
        for i, c in enumerate(r):
            line += c
            if i + 1 < len(r):
                line += " " * (widths[i] - len(c) + pad)
        out.append(line.rstrip())
    return "\n".join(out) + "\n"


def ceil_s(ns):
    return math.ceil(ns / S) * S


class Recording:
    def __init__(self, cfg, raw_dir):
        self.cfg = cfg
        with open(os.path.join(raw_dir, "meta.json")) as f:
            self.meta = json.load(f)
        self.runs = self.meta["runs"]
        self.samples = []  # (ns, run, kib, ticks)
        with open(os.path.join(raw_dir, "rss.csv")) as f:
            for row in csv.DictReader(f):
                self.samples.append((int(row["unix_ns"]), int(row["run"]), int(row["vmrss_kib"]), int(row["cpu_ticks"])))
        self.logs = []
        for r in self.runs:
            lines = []
            with open(os.path.join(raw_dir, f"run-{r['run']}.log")) as f:
                for line in f:
                    ts, stream, tag, text = line.rstrip("\n").split(" ", 3)
                    lines.append((parse_rfc3339(ts), ts, text))
            self.logs.append(lines)
        self.probes = []
        p = os.path.join(raw_dir, "probes.csv")
        if os.path.exists(p):
            with open(p) as f:
                for row in csv.DictReader(f):
                    self.probes.append((int(row["unix_ns"]), int(row["run"]), row["ok"] == "1", row["error"]))
        self.ended = self.meta["ended_ns"]
        self.pod_created = self.runs[0]["started_ns"] - 3 * S

    # --- state at a time ---------------------------------------------------------
    def started_by(self, t):
        return [r for r in self.runs if r["started_ns"] <= t]

    def running(self, t):
        for r in self.runs:
            end = r.get("killed_ns") if r["reason"] is None else r["finished_ns"]
            if r["started_ns"] <= t < end:
                return r
        return None

    def last_term(self, t):
        done = [r for r in self.runs if r["reason"] is not None and r["finished_ns"] <= t]
        return done[-1] if done else None

    def restart_count(self, t):
        return max(0, len(self.started_by(t)) - 1)

    def container_id(self, r):
        return "containerd://" + hashlib.sha256(f"{self.cfg['pod']}/{r['run']}".encode()).hexdigest()

    def uid(self):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"k8s://{NAMESPACE}/{self.cfg['pod']}"))

    def image(self):
        return f"registry.example.com/{NAMESPACE}/{self.cfg['app']}:1.4.2"

    # --- events ------------------------------------------------------------------
    def events(self, t):
        c = self.cfg
        raw = [("Normal", "Scheduled", "default-scheduler", f"Successfully assigned {NAMESPACE}/{c['pod']} to {NODE}", self.pod_created + S // 10)]
        lv = c.get("liveness")
        for i, r in enumerate(self.runs):
            st = r["started_ns"]
            raw.append(("Normal", "Pulled", "kubelet", f'Container image "{self.image()}" already present on machine', st - S // 2))
            raw.append(("Normal", "Created", "kubelet", f"Created container {c['container']}", st - S // 4))
            raw.append(("Normal", "Started", "kubelet", f"Started container {c['container']}", st))
            if r.get("sigterm_ns"):
                raw.append(("Normal", "Killing", "kubelet", f"Container {c['container']} failed liveness probe, will be restarted", r["sigterm_ns"]))
            if r["reason"] is not None and i + 1 < len(self.runs):
                raw.append(("Warning", "BackOff", "kubelet", f"Back-off restarting failed container {c['container']} in pod {c['pod']}_{NAMESPACE}({self.uid()})", r["finished_ns"] + S // 2))
        for ns, run, ok, err in self.probes:
            if ok:
                continue
            url = f"http://{POD_IP}:{lv['port']}{lv['path']}"
            if err == "timeout":
                msg = f'Liveness probe failed: Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            elif err == "connection refused":
                msg = f'Liveness probe failed: Get "{url}": dial tcp {POD_IP}:{lv["port"]}: connect: connection refused'
            else:
                msg = f"Liveness probe failed: {err}"
            raw.append(("Warning", "Unhealthy", "kubelet", msg, ns + int(lv["timeout"] * S)))
        agg = {}
        for kind, reason, src, msg, ns in raw:
            if ns > t:
                continue
            k = (kind, reason, src, msg)
            if k in agg:
                agg[k][0] += 1
                agg[k][2] = max(agg[k][2], ns)
                agg[k][1] = min(agg[k][1], ns)
            else:
                agg[k] = [1, ns, ns]
        evs = [(k, v) for k, v in agg.items()]
        evs.sort(key=lambda e: (e[1][2], e[1][1]))
        return evs

    # --- sections ----------------------------------------------------------------
    def get_pods_wide(self, t):
        c = self.cfg
        cur = self.running(t)
        last = self.last_term(t)
        n = self.restart_count(t)
        restarts = f"{n} ({age(t - last['finished_ns'])} ago)" if n and last else str(n)
        status = "Running" if cur else "CrashLoopBackOff"
        rows = [
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
            [c["pod"], "1/1" if cur else "0/1", status, restarts, age(t - self.pod_created), POD_IP, NODE, "<none>", "<none>"],
        ]
        return table(rows)

    def term_json(self, r):
        return {
            "terminated": {
                "containerID": self.container_id(r),
                "exitCode": r["exit_code"],
                "finishedAt": rfc3339(r["finished_ns"] // S * S, frac=False),
                "reason": r["reason"],
                "startedAt": rfc3339(r["started_ns"] // S * S, frac=False),
            }
        }

    def get_pods_json(self, t):
        c = self.cfg
        cur = self.running(t)
        last = self.last_term(t)
        latest = self.started_by(t)[-1]
        if cur:
            state = {"running": {"startedAt": rfc3339(cur["started_ns"] // S * S, frac=False)}}
        else:
            state = {"waiting": {"message": f"back-off {int(last.get('backoff_s', 1) * 10)}s restarting failed container={c['container']} pod={c['pod']}_{NAMESPACE}({self.uid()})", "reason": "CrashLoopBackOff"}}
        container = {
            "image": self.image(),
            "imagePullPolicy": "IfNotPresent",
            "name": c["container"],
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "1", "memory": f"{c['limit_mi']}Mi"}, "requests": {"cpu": "250m", "memory": f"{c['request_mi']}Mi"}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
        lv = c.get("liveness")
        if lv:
            container["livenessProbe"] = {
                "failureThreshold": lv["failure_threshold"],
                "httpGet": {"path": lv["path"], "port": lv["port"], "scheme": "HTTP"},
                "initialDelaySeconds": int(lv["initial_delay"]),
                "periodSeconds": int(lv["period"]),
                "successThreshold": 1,
                "timeoutSeconds": int(lv["timeout"]),
            }
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "creationTimestamp": rfc3339(self.pod_created // S * S, frac=False),
                "labels": {"app": c["app"], "pod-template-hash": c["pod"].split("-")[-2]},
                "name": c["pod"],
                "namespace": NAMESPACE,
                "uid": self.uid(),
            },
            "spec": {"containers": [container], "nodeName": NODE, "restartPolicy": "Always", "terminationGracePeriodSeconds": int(lv["grace"]) if lv else 30},
            "status": {
                "containerStatuses": [
                    {
                        "containerID": self.container_id(latest),
                        "image": self.image(),
                        "imageID": f"{self.image()}@sha256:9b1e0c5d",
                        "lastState": self.term_json(last) if last else {},
                        "name": c["container"],
                        "ready": bool(cur),
                        "restartCount": self.restart_count(t),
                        "started": bool(cur),
                        "state": state,
                    }
                ],
                "hostIP": "10.128.2.17",
                "phase": "Running",
                "podIP": POD_IP,
                "qosClass": "Burstable",
                "startTime": rfc3339(self.pod_created // S * S, frac=False),
            },
        }
        doc = {"apiVersion": "v1", "items": [pod], "kind": "List", "metadata": {"resourceVersion": ""}}
        return json.dumps(doc, indent=4) + "\n"

    def describe(self, t):
        c = self.cfg
        cur = self.running(t)
        last = self.last_term(t)
        latest = self.started_by(t)[-1]
        o = []
        o.append(f"Name:             {c['pod']}")
        o.append(f"Namespace:        {NAMESPACE}")
        o.append("Priority:         0")
        o.append("Service Account:  default")
        o.append(f"Node:             {NODE}/10.128.2.17")
        o.append(f"Start Time:       {describe_time(self.pod_created)}")
        o.append(f"Labels:           app={c['app']}")
        o.append(f"                  pod-template-hash={c['pod'].split('-')[-2]}")
        o.append("Annotations:      <none>")
        o.append("Status:           Running")
        o.append(f"IP:               {POD_IP}")
        o.append("IPs:")
        o.append(f"  IP:           {POD_IP}")
        o.append(f"Controlled By:  ReplicaSet/{c['pod'].rsplit('-', 1)[0]}")
        o.append("Containers:")
        o.append(f"  {c['container']}:")
        o.append(f"    Container ID:   {self.container_id(latest)}")
        o.append(f"    Image:          {self.image()}")
        o.append(f"    Image ID:       {self.image()}@sha256:9b1e0c5d")
        o.append("    Port:           8080/TCP")
        o.append("    Host Port:      0/TCP")
        if cur:
            o.append("    State:          Running")
            o.append(f"      Started:      {describe_time(cur['started_ns'])}")
        else:
            o.append("    State:          Waiting")
            o.append("      Reason:       CrashLoopBackOff")
        if last:
            o.append("    Last State:     Terminated")
            o.append(f"      Reason:       {last['reason']}")
            o.append(f"      Exit Code:    {last['exit_code']}")
            o.append(f"      Started:      {describe_time(last['started_ns'])}")
            o.append(f"      Finished:     {describe_time(last['finished_ns'])}")
        o.append(f"    Ready:          {'True' if cur else 'False'}")
        o.append(f"    Restart Count:  {self.restart_count(t)}")
        o.append("    Limits:")
        o.append("      cpu:     1")
        o.append(f"      memory:  {c['limit_mi']}Mi")
        o.append("    Requests:")
        o.append("      cpu:        250m")
        o.append(f"      memory:     {c['request_mi']}Mi")
        lv = c.get("liveness")
        if lv:
            o.append(
                f"    Liveness:       http-get http://:{lv['port']}{lv['path']} delay={int(lv['initial_delay'])}s timeout={int(lv['timeout'])}s period={int(lv['period'])}s #success=1 #failure={lv['failure_threshold']}"
            )
        o.append("    Environment:")
        o.append("      PYTHONUNBUFFERED:  1")
        o.append("      LOG_LEVEL:         INFO")
        o.append("    Mounts:")
        o.append("      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7x2lq (ro)")
        o.append("Conditions:")
        o.append("  Type                        Status")
        o.append("  PodReadyToStartContainers   True")
        o.append("  Initialized                 True")
        tf = "True" if cur else "False"
        o.append(f"  Ready                       {tf}")
        o.append(f"  ContainersReady             {tf}")
        o.append("  PodScheduled                True")
        o.append("Volumes:")
        o.append("  kube-api-access-7x2lq:")
        o.append("    Type:                    Projected (a volume that contains injected data from multiple sources)")
        o.append("    TokenExpirationSeconds:  3607")
        o.append("    ConfigMapName:           kube-root-ca.crt")
        o.append("    Optional:                false")
        o.append("    DownwardAPI:             true")
        o.append("QoS Class:                   Burstable")
        o.append("Node-Selectors:              <none>")
        o.append("Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s")
        o.append("                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s")
        evs = self.events(t)
        if not evs:
            o.append("Events:                      <none>")
        else:
            o.append("Events:")
            rows = [["Type", "Reason", "Age", "From", "Message"], ["----", "------", "----", "----", "-------"]]
            for (kind, reason, src, msg), (n, first, lastseen) in evs:
                a = f"{age(t - lastseen)} (x{n} over {age(t - first)})" if n > 1 else age(t - lastseen)
                rows.append([kind, reason, a, src, msg])
            for line in table(rows, pad=2).splitlines():
                o.append("  " + line)
        return "\n".join(o) + "\n"

    def get_events(self, t):
        rows = [["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]]
        for (kind, reason, src, msg), (n, first, lastseen) in self.events(t):
            rows.append([age(t - lastseen), kind, reason, f"pod/{self.cfg['pod']}", msg])
        return table(rows)

    def top(self, t):
        """(stdout, stderr) of `kubectl top pod --containers` at t."""
        c = self.cfg
        r = self.running(t)
        if r and t - r["started_ns"] >= METRICS_WARMUP_S * S:
            mine = [s for s in self.samples if s[1] == r["run"] and s[0] <= t]
            if mine:
                ns, _, kib, ticks = mine[-1]
                before = [s for s in mine if s[0] <= ns - S]
                ref = before[-1] if before else mine[0]
                dt = (ns - ref[0]) / S
                cpu = int(round((ticks - ref[3]) / CLK_TCK / dt * 1000)) if dt > 0 else 0
                rows = [["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"], [c["pod"], c["container"], f"{cpu}m", f"{kib // 1024}Mi"]]
                return table(rows), ""
        pod_age = t - self.pod_created
        if pod_age > 120 * S:
            return "", f"error: Metrics not available for pod {NAMESPACE}/{c['pod']}, age: {go_duration(pod_age)}\n"
        return "", "error: metrics not available yet\n"

    def log_lines(self, run, until):
        return "".join(f"{ts} {text}\n" for ns, ts, text in self.logs[run["run"]] if ns <= until)


def build(name, cfg, raw_dir):
    rec = Recording(cfg, raw_dir)
    runs = rec.runs
    kind, idx, off = cfg["collect"]
    r = runs[idx]
    base = r["started_ns"] if kind == "start" else r["finished_ns"]
    tc = ceil_s(base + int(off * S))
    end = rec.ended
    logs_at = ceil_s(end)
    app = cfg["app"]
    sel = ["-n", NAMESPACE, "-l", f"app={app}"]
    out = []
    out.append("# kubeleak-bundle: 1")
    out.append(f"# captured-at: {rfc3339(tc, frac=False)}")
    out.append(f"# context: {CONTEXT}")
    out.append(f"# namespace: {NAMESPACE}")
    out.append(f"# selector: app={app}")
    out.append(f"# kubectl-version: {KUBECTL_VERSION}")
    out.append("# redacted: 0")
    out.append("# interrupted: false")
    text = "\n".join(out) + "\n"

    def entry(cmd, at, stdout, stderr="", code=None):
        s = f"$ kubectl {' '.join(cmd)}  # at {rfc3339(at, frac=False)}\n"
        s += stdout
        if stdout and not stdout.endswith("\n"):
            s += "\n"
        if code is not None:
            s += f"# kubeleak: exit-code {code}\n"
        for line in stderr.splitlines():
            s += f"# kubeleak: stderr: {line}\n"
        return s

    text += entry(["version"], tc, f"Client Version: {KUBECTL_VERSION}\nKustomize Version: v5.5.0\nServer Version: {SERVER_VERSION}\n")
    t1 = tc + S
    text += entry(["get", "pods", *sel, "-o", "wide"], t1, rec.get_pods_wide(t1))
    text += entry(["get", "pods", *sel, "-o", "json"], t1, rec.get_pods_json(t1))
    text += entry(["describe", "pod", *sel], t1, rec.describe(t1))
    text += entry(["get", "events", "-n", NAMESPACE], t1, rec.get_events(t1))
    t = tc + 2 * S
    while t < logs_at:
        so, se = rec.top(t)
        text += entry(["top", "pod", *sel, "--containers"], t, so, se, 1 if se else None)
        t += cfg["top_interval"] * S
    # logs: the collector asks for --previous when restartCount > 0 in `get pods -o json`
    current = runs[-1]
    window = ["--timestamps", "--tail=-1"]
    text += entry(["logs", "-n", NAMESPACE, cfg["pod"], "-c", cfg["container"], *window], logs_at, rec.log_lines(current, end))
    if rec.restart_count(t1) > 0:
        prev = rec.last_term(end)
        text += entry(["logs", "-n", NAMESPACE, cfg["pod"], "-c", cfg["container"], *window, "--previous"], logs_at, rec.log_lines(prev, end))
    return text
