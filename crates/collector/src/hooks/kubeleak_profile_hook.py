# kubeleak profile hook: import once at startup. On SIGUSR2 it writes tracemalloc
# statistics (a diff from the previous call) and objgraph's growth to a file that
# `kubeleak collect --profile tracemalloc,objgraph` reads with `kubectl exec`.
import os, signal, tracemalloc

_DIR = os.environ.get("KUBELEAK_PROFILE_DIR", "/tmp")
_last = None
tracemalloc.start()


def _kubeleak_dump(signum, frame):
    global _last
    try:
        with open(os.path.join(_DIR, "kubeleak-profile.request")) as f:
            wanted = f.read().split()
    except OSError:
        wanted = ["tracemalloc", "objgraph"]
    out = []
    if "tracemalloc" in wanted:
        snap = tracemalloc.take_snapshot()
        stats = snap.compare_to(_last, "lineno") if _last else snap.statistics("lineno")
        out += [str(s) for s in stats[:25]]
        _last = snap
    if "objgraph" in wanted:
        try:
            import io, objgraph
            buf = io.StringIO()
            objgraph.show_growth(limit=25, file=buf)
            out += ["", buf.getvalue().rstrip("\n")]
        except ImportError:
            out += ["", "kubeleak: objgraph is not installed (pip install objgraph)"]
    path = os.path.join(_DIR, "kubeleak-profile.txt")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(path + ".tmp", path)


signal.signal(signal.SIGUSR2, _kubeleak_dump)
with open(os.path.join(_DIR, "kubeleak-profile.pid"), "w") as f:
    f.write(str(os.getpid()))
