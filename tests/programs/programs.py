"""The recorded programs: how each one is run, how its bundle is cut, and the verdict an
SRE would give for it (written to NAME.expected.json).

Per program:
- script: the service in services/.
- app, pod, container: the Kubernetes names used in the bundle (pod names look like a
  Deployment's: APP-<replicaset hash>-<5 chars>).
- limit_mi / request_mi: the container's memory limit (the watchdog kills above it) and
  request (shown in describe only).
- kills: how many terminations to record; after the last one the container is restarted
  once more and recorded for `tail` seconds (the collector's log step happens then).
  kills=0: one run of `tail` seconds.
- collect: when the simulated `kubeleak collect` starts (describe, get pods, events),
  ("start", i, s): s seconds after run i started; ("kill", i, s): s seconds after run i
  ended. Negative i counts from the end (-1 is the tail run).
- top_interval: seconds between the `kubectl top` samples (the collector's --interval).
- liveness: the kubelet-style HTTP probe the runner plays (only report-api has one).
"""

NAMESPACE = "shop"
NODE = "gke-prod-pool-1-a1"
POD_IP = "10.44.2.17"
CONTEXT = "prod-eu-1"
KUBECTL_VERSION = "v1.32.4"
SERVER_VERSION = "v1.31.6"
# kubelet's restart back-off is 10s, 20s, 40s … capped at 300s; the runner uses a tenth.
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
# metrics-server needs a scrape window before a (re)started container shows in
# `kubectl top`; the bundle leaves out samples of containers younger than this.
METRICS_WARMUP_S = 5.0
# The RSS sample period (rss.csv), and the watchdog's poll period.
POLL_S = 0.25
WATCHDOG_S = 0.02
# The longest a program may run, all restarts included.
MAX_SECONDS = 125.0

PROGRAMS = {
    "unbounded-collection": dict(
        script="unbounded_collection.py",
        app="results-worker",
        pod="results-worker-7d9f8b6c5-x2x9k",
        container="worker",
        limit_mi=256,
        request_mi=128,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
    ),
    "cache-without-eviction": dict(
        script="cache_without_eviction.py",
        app="pricing-api",
        pod="pricing-api-5c6d7f8b9-k4m2p",
        container="api",
        limit_mi=256,
        request_mi=192,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
    ),
    "large-object-retention": dict(
        script="large_object_retention.py",
        app="thumbnailer",
        pod="thumbnailer-6b8c9d7f5-p7q4r",
        container="thumbnailer",
        limit_mi=256,
        request_mi=128,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
    ),
    "global-state-accumulation": dict(
        script="global_state.py",
        app="session-gateway",
        pod="session-gateway-84f6c7d9b-z5w8n",
        container="gateway",
        limit_mi=192,
        request_mi=128,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
    ),
    "circular-references": dict(
        script="gc_debug_cycles.py",
        app="doc-indexer",
        pod="doc-indexer-6c7d8e9f5-t3u6v",
        container="indexer",
        limit_mi=192,
        request_mi=128,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
    ),
    "lru-plateau": dict(
        script="lru_plateau.py",
        app="catalog-api",
        pod="catalog-api-6f7d8c9b5-m3n6t",
        container="api",
        limit_mi=256,
        request_mi=128,
        kills=0,
        tail=80.0,
        collect=("start", 0, 4.0),
        top_interval=5,
    ),
    "gc-sawtooth": dict(
        script="gc_sawtooth.py",
        app="batch-etl",
        pod="batch-etl-5d8f9c6b7-h2j5k",
        container="etl",
        limit_mi=256,
        request_mi=192,
        kills=0,
        tail=80.0,
        collect=("start", 0, 4.0),
        top_interval=3,
    ),
    "memory-at-start": dict(
        script="startup_above_limit.py",
        app="model-server",
        pod="model-server-7b9c8d6f4-w4x7y",
        container="model-server",
        limit_mi=256,
        request_mi=256,
        kills=5,
        tail=0.5,
        collect=("kill", -4, 0.5),
        top_interval=5,
    ),
    "liveness-kill": dict(
        script="liveness_probe.py",
        app="report-api",
        pod="report-api-5f6b7c8d9-r8s2v",
        container="report-api",
        limit_mi=256,
        request_mi=128,
        kills=3,
        tail=6.0,
        collect=("start", -2, 3.0),
        top_interval=3,
        liveness=dict(path="/healthz", port=8080, initial_delay=3.0, period=2.0, timeout=1.0, failure_threshold=3, grace=3.0),
    ),
}

# The verdict an SRE gives for each bundle: kinds are finding kinds of
# docs/analysis-json-v1.md (plus `memory-at-start`), root cause first.
EXPECTED = {
    "unbounded-collection": dict(
        diagnoses=[dict(kinds=["oom-killed", "unbounded-collection", "memory-growth"])],
        must_not=["large-object-retention", "cache-without-eviction", "global-state-accumulation", "circular-references", "memory-at-start", "frequent-restarts"],
        note="results list grows by 2,500 rows per job (log: 'results list has N items'), memory rises ~8 MiB/s until the watchdog kills it at 256Mi, every ~30 s; the rows are small dicts, not large objects",
    ),
    "cache-without-eviction": dict(
        diagnoses=[dict(kinds=["oom-killed", "cache-without-eviction", "memory-growth"])],
        must_not=["large-object-retention", "global-state-accumulation", "circular-references", "memory-at-start", "frequent-restarts"],
        note="JSON logs: quote cache stats with cache_size rising ~800/s and hit_rate < 1%; plain dict cache with no eviction, OOM-killed at 256Mi every ~35 s",
    ),
    "large-object-retention": dict(
        diagnoses=[dict(kinds=["oom-killed", "large-object-retention", "memory-growth"])],
        must_not=["cache-without-eviction", "global-state-accumulation", "circular-references", "memory-at-start", "frequent-restarts"],
        note="each upload is 1-5 MiB and stays referenced through Upload.previous; memory grows ~3 MiB per processed upload (the upload id is a counter, not the leak) until the 256Mi kill",
    ),
    "global-state-accumulation": dict(
        diagnoses=[dict(kinds=["oom-killed", "global-state-accumulation", "memory-growth"])],
        must_not=["cache-without-eviction", "large-object-retention", "circular-references", "memory-at-start", "frequent-restarts"],
        note="module-level listener registry and class-level RequestContext._instances grow by one per request (log: 'global registry holds N listeners'); OOM-killed at 192Mi every ~30 s",
    ),
    "circular-references": dict(
        diagnoses=[dict(kinds=["oom-killed", "circular-references", "memory-growth"])],
        must_not=["cache-without-eviction", "memory-at-start", "frequent-restarts"],
        note="gc.set_debug(DEBUG_SAVEALL) keeps every collected cycle in gc.garbage; real 'gc: done, N unreachable, 0 uncollectable' lines on stderr and 'gc.garbage holds N objects' rising; OOM-killed at 192Mi. The trees are processed documents kept referenced (by gc.garbage), so large-object-retention or unbounded-collection beside circular-references is defensible and not forbidden",
    ),
    "lru-plateau": dict(
        diagnoses=[],
        must_not=["oom-killed", "memory-growth", "cache-without-eviction", "unbounded-collection", "memory-near-limit", "frequent-restarts", "memory-at-start", "large-object-retention", "global-state-accumulation"],
        note="control: functools.lru_cache(maxsize=3000) fills in ~15 s (currsize reaches maxsize and stays) and memory plateaus near 100 MiB of 256Mi; no restart",
    ),
    "gc-sawtooth": dict(
        diagnoses=[],
        must_not=["oom-killed", "memory-growth", "unbounded-collection", "large-object-retention", "circular-references", "memory-near-limit", "frequent-restarts", "memory-at-start", "global-state-accumulation", "cache-without-eviction"],
        note="control: each batch builds ~140k records in cycles and drops them; full collections free them; memory saws between ~50 and ~150 MiB, flat on average; no restart",
    ),
    "memory-at-start": dict(
        diagnoses=[dict(kinds=["oom-killed", "memory-at-start", "crash-loop"])],
        must_not=["memory-growth", "unbounded-collection", "cache-without-eviction", "large-object-retention", "global-state-accumulation", "circular-references"],
        note="control: loads four 80 MiB shards at start into a 256Mi limit; killed ~1 s after every start; no top sample (never alive long enough), nothing grows during a run: the limit is below what it needs at start, not a leak",
    ),
    "liveness-kill": dict(
        diagnoses=[dict(kinds=["frequent-restarts"])],
        must_not=["oom-killed", "memory-growth", "memory-error", "unbounded-collection", "cache-without-eviction", "large-object-retention", "global-state-accumulation", "memory-near-limit", "memory-at-start"],
        note="control: exit 137 with reason Error after 'Liveness probe failed' x3 and 'Killing … failed liveness probe'; the probe times out because a 14 s CPU-bound compaction blocks the single-threaded server; memory flat at ~20 MiB of 256Mi",
    ),
}
