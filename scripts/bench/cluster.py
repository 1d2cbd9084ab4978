#!/usr/bin/env python3
"""Replicas behind a real load balancer: three `kokoro serve` on loopback ports and HAProxy
in front of them, configured by deploy/haproxy.cfg as shipped (least connections, health
checks on /ready, a 503 or a failed connection retried on another replica).

    python3 scripts/bench/cluster.py [--binary .build/release/kokoro] [--replicas 3]
                                     [--haproxy /usr/sbin/haproxy] [--out reports/cluster.json]

Three parts, every request through HAProxy:
  (a) fill: clients join one a second (--gap), each streaming the benchmark paragraph as
      pcm (no cache) and playing it at real time, until more have come than the replicas'
      measured capacities add up to; per replica: streams served, streams that ran dry, and
      requests it refused (its own count, including those HAProxy then sent elsewhere).
      Replicas on one machine share its cores: the point is how the balancer spreads
      streams and refuses the excess, not a speed-up.
  (b) SIGTERM: streams (the paragraph's first three sentences) on the replicas, then SIGTERM
      to the one serving the most while whole-file requests keep coming (--short-every): its
      streams must finish, it must exit 0, and no request may fail, a 503 included (the load
      is kept within what the other replicas carry). It is then restarted.
  (c) SIGKILL: the same with SIGKILL: only the streams that replica was serving may fail;
      HAProxy takes it out and every other request succeeds.
Prints the summary and writes everything as JSON (--out). Needs HAProxy (apt-get install
haproxy). Loopback only; every request has a deadline."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BYTES_PER_SECOND, REPO, Server, free_port, get_json, loadavg, parse_texts, percentile, status_of, write_json  # noqa: E402
from streams import underruns  # noqa: E402

REPLICA_HEADER = "X-Kokoro-Replica"


def request(port: int, text: str, *, stream: bool, timeout: float = 120.0, jitter: float = 0.1) -> dict:
    """POST /v1/audio/speech through the balancer as pcm; which replica answered, TTFA, audio,
    whether the body ended properly (a killed replica's stream ends short), and underruns of
    a player starting `jitter` after the first audio."""
    body = json.dumps({"model": "kokoro", "input": text, "voice": "af_heart", "response_format": "pcm",
                       "stream": stream, "no_cache": True}).encode()
    result = {"status": None, "replica": None, "ttfa": None, "total": None, "audio_seconds": 0.0,
              "complete": False, "error": None, "retry_after": None}
    arrivals: list[tuple[float, int]] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.perf_counter()
    received = 0
    try:
        conn.request("POST", "/v1/audio/speech", body=body,
                     headers={"Content-Type": "application/json", "Connection": "close"})
        resp = conn.getresponse()
        result["status"] = resp.status
        result["replica"] = resp.getheader(REPLICA_HEADER)
        result["retry_after"] = resp.getheader("Retry-After")
        if resp.status != 200:
            resp.read()
            result["complete"] = True
        else:
            while True:
                data = resp.read1(65536)
                if not data:
                    break
                received += len(data)
                now = time.perf_counter() - t0
                if result["ttfa"] is None:
                    result["ttfa"] = round(now, 4)
                arrivals.append((now, received))
                if now > timeout:
                    raise TimeoutError("deadline")
            result["complete"] = True
    except (OSError, http.client.HTTPException, TimeoutError) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        conn.close()
    result["total"] = round(time.perf_counter() - t0, 4)
    result["audio_seconds"] = round(received / BYTES_PER_SECOND, 3)
    if stream and arrivals:
        u = underruns(arrivals, jitter)
        result["underruns"] = u["count"]
        result["worst_deficit_seconds"] = u["worst_deficit_seconds"]
    return result


def ok(r: dict) -> bool:
    return r["status"] == 200 and r["complete"] and r["error"] is None and r["audio_seconds"] > 0


class Cluster:
    def __init__(self, binary: str, haproxy: str, replicas: int, extra: list[str], logs: Path):
        self.binary, self.haproxy_binary, self.extra, self.logs = binary, haproxy, extra, logs
        self.names = [f"replica{i + 1}" for i in range(replicas)]
        self.ports = {name: free_port() for name in self.names}
        self.servers: dict[str, Server] = {}
        self.lb_port = free_port()
        self.haproxy: subprocess.Popen | None = None

    def start_replica(self, name: str) -> dict:
        server = Server(self.binary, self.ports[name], ["--log-level", "warning", *self.extra], self.logs / f"{name}.log")
        self.servers[name] = server
        return server.start(timeout=300)

    def start(self) -> dict:
        # One after another: each warm-up measures its speed without the others' warm-ups beside it.
        started = {name: self.start_replica(name) for name in self.names}
        env = dict(os.environ, KOKORO_LB_BIND=f"127.0.0.1:{self.lb_port}",
                   **{f"KOKORO_REPLICA_{i + 1}": f"127.0.0.1:{self.ports[name]}" for i, name in enumerate(self.names)})
        config = REPO / "deploy" / "haproxy.cfg"
        check = subprocess.run([self.haproxy_binary, "-c", "-f", str(config)], env=env, capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"haproxy -c rejects {config}:\n{check.stdout}{check.stderr}")
        self.haproxy_log = open(self.logs / "haproxy.log", "ab")
        self.haproxy = subprocess.Popen([self.haproxy_binary, "-db", "-f", str(config)], env=env,
                                        stdout=self.haproxy_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.wait_up(self.names)
        return started

    def wait_up(self, names: list[str], timeout: float = 30.0):
        """Until a request through the balancer reaches each of `names` (its checks passed)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.haproxy.poll() is not None:
                raise SystemExit(f"haproxy exited {self.haproxy.returncode}; see {self.logs / 'haproxy.log'}")
            if status_of("127.0.0.1", self.lb_port, "/ready") == 200 and all(self.up(n) for n in names):
                return
            time.sleep(0.2)
        raise SystemExit(f"HAProxy did not see {names} up within {timeout} s; see {self.logs / 'haproxy.log'}")

    def up(self, name: str) -> bool:
        """Whether HAProxy sends requests to `name`: some of a few GETs through it land there."""
        seen = set()
        for _ in range(3 * len(self.names)):
            conn = http.client.HTTPConnection("127.0.0.1", self.lb_port, timeout=2)
            try:
                conn.request("GET", "/health")
                resp = conn.getresponse()
                resp.read()
                seen.add(resp.getheader(REPLICA_HEADER))
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
        return name in seen

    def stats(self, name: str) -> dict | None:
        server = self.servers.get(name)
        if not server or not server.proc or server.proc.poll() is not None:
            return None
        status, data = get_json("127.0.0.1", self.ports[name], "/v1/stats", timeout=5)
        return data if status == 200 else None

    def stop(self):
        for server in self.servers.values():
            server.stop()
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.terminate()
            self.haproxy.wait(10)


def refused_counts(cluster: Cluster) -> dict[str, int | None]:
    out = {}
    for name in cluster.names:
        data = cluster.stats(name)
        out[name] = (data or {}).get("requests", {}).get("requests_refused")
    return out


def run_clients(port: int, texts: list[tuple[float, str, bool]], timeout: float) -> list[dict]:
    """Each (start offset s, text, stream) on its own thread; results in the same order, each
    with its start offset."""
    results: list[dict | None] = [None] * len(texts)
    t0 = time.perf_counter() + 0.05

    def client(i: int, at: float, text: str, stream: bool):
        time.sleep(max(0.0, t0 + at - time.perf_counter()))
        r = request(port, text, stream=stream, timeout=timeout)
        r["started_at"] = round(at, 3)
        results[i] = r

    threads = [threading.Thread(target=client, args=(i, *spec), daemon=True) for i, spec in enumerate(texts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 30)
    return [r or {"status": None, "error": "client did not finish", "complete": False} for r in results]


def fill(cluster: Cluster, paragraph: str, gap: float, extra_clients: int, timeout: float, log) -> dict:
    capacities = {}
    for name in cluster.names:
        capacity = ((cluster.stats(name) or {}).get("queue") or {}).get("real_time_capacity") or {}
        capacities[name] = {"streams": capacity.get("streams"), "basis": capacity.get("basis"),
                            "real_time_factor": capacity.get("real_time_factor")}
    total_capacity = sum(c["streams"] or 0 for c in capacities.values())
    n = total_capacity + extra_clients
    listed = ", ".join(f"{k} {v['streams']}" for k, v in capacities.items())
    log(f"(a) fill: replicas' measured capacities {listed} (sum {total_capacity}); {n} clients, one every {gap} s")
    refused_before = refused_counts(cluster)
    results = run_clients(cluster.lb_port, [(i * gap, paragraph, True) for i in range(n)], timeout)
    refused_after = refused_counts(cluster)
    per = {}
    for name in cluster.names:
        mine = [r for r in results if r.get("replica") == name]
        served = [r for r in mine if ok(r)]
        per[name] = {
            "capacity_streams": capacities[name]["streams"],
            "streams_served": len(served),
            "streams_served_in_real_time": sum(1 for r in served if r.get("underruns", 0) == 0),
            "streams_that_ran_dry": sum(1 for r in served if r.get("underruns", 0) > 0),
            "refused_by_it": (refused_after[name] - refused_before[name])
            if None not in (refused_after[name], refused_before[name]) else None,
            "final_503s_from_it": sum(1 for r in mine if r["status"] == 503),
        }
    served = [r for r in results if ok(r)]
    ttfas = [r["ttfa"] for r in served if r.get("ttfa") is not None]
    summary = {
        "clients": n, "gap_seconds": gap, "capacity_sum": total_capacity,
        "streams_served": len(served),
        "streams_served_in_real_time": sum(1 for r in served if r.get("underruns", 0) == 0),
        "refused_503": sum(1 for r in results if r["status"] == 503),
        "failed_otherwise": sum(1 for r in results if not ok(r) and r["status"] != 503),
        "ttfa_p50": percentile(ttfas, 50), "ttfa_p95": percentile(ttfas, 95),
        "per_replica": per, "capacities": capacities, "requests": results,
    }
    log(f"    served {summary['streams_served']} ({summary['streams_served_in_real_time']} without underrun), "
        f"refused {summary['refused_503']} with 503, other failures {summary['failed_otherwise']}; "
        f"TTFA p50 {summary['ttfa_p50']} p95 {summary['ttfa_p95']}")
    for name, p in per.items():
        log(f"    {name}: capacity {p['capacity_streams']}, served {p['streams_served']} "
            f"({p['streams_that_ran_dry']} ran dry), refused {p['refused_by_it']} (503s that reached a client: {p['final_503s_from_it']})")
    return summary


def fail_over(cluster: Cluster, how: str, paragraph: str, sentence: str, streams: int, short_every: float,
              short_for: float, timeout: float, log) -> dict:
    """Streams on the replicas, then `how` (SIGTERM or SIGKILL) to the one serving the most,
    while short requests keep coming."""
    specs = [(0.3 * i, paragraph, True) for i in range(streams)]
    signal_at = 0.3 * streams + 3.0
    specs += [(signal_at - 1.0 + short_every * i, sentence, False) for i in range(int(short_for / short_every))]
    victim: dict = {}

    def strike():
        time.sleep(signal_at)
        active = {name: ((cluster.stats(name) or {}).get("queue") or {}).get("active", 0) for name in cluster.names}
        name = max(active, key=lambda k: active[k])
        server = cluster.servers[name]
        victim.update(name=name, active_requests_at_signal=active[name], active_all=active,
                      at=round(time.perf_counter() - started, 3))
        server.proc.send_signal(signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
        t = time.perf_counter()
        try:
            victim["exit_code"] = server.proc.wait(60)
        except subprocess.TimeoutExpired:
            victim["exit_code"] = None
        victim["exit_seconds"] = round(time.perf_counter() - t, 3)
        victim["exit_by_signal"] = victim["exit_code"] is not None and victim["exit_code"] < 0

    started = time.perf_counter()
    striker = threading.Thread(target=strike, daemon=True)
    striker.start()
    results = run_clients(cluster.lb_port, specs, timeout)
    striker.join(90)
    name = victim.get("name")
    stream_results = results[:streams]
    short_results = results[streams:]
    on_victim = [r for r in stream_results if r.get("replica") == name]
    elsewhere = [r for r in stream_results if r.get("replica") != name]
    summary = {
        "signal": how, "victim": victim,
        "streams": len(stream_results),
        "streams_on_victim": len(on_victim),
        "streams_on_victim_completed": sum(1 for r in on_victim if ok(r)),
        "streams_elsewhere": len(elsewhere),
        "streams_elsewhere_completed": sum(1 for r in elsewhere if ok(r)),
        "short_requests": len(short_results),
        "short_requests_ok": sum(1 for r in short_results if ok(r)),
        "short_requests_failed": [r for r in short_results if not ok(r)],
        "short_requests_by_replica_after_signal": {},
        "requests": results,
    }
    for r in short_results:
        if victim.get("at") is not None and r["started_at"] > victim["at"]:
            key = r.get("replica") or "none"
            summary["short_requests_by_replica_after_signal"][key] = summary["short_requests_by_replica_after_signal"].get(key, 0) + 1
    failed = [r for r in results if not ok(r)]
    summary["failed_requests"] = len(failed)
    summary["failed_requests_not_on_victim"] = sum(1 for r in failed if r.get("replica") not in (name,))
    log(f"({'b' if how == 'SIGTERM' else 'c'}) {how} to {name} ({victim.get('active_requests_at_signal')} requests active on it, "
        f"{victim.get('at')} s in): exit code {victim.get('exit_code')} after {victim.get('exit_seconds')} s")
    log(f"    streams on it: {summary['streams_on_victim_completed']}/{summary['streams_on_victim']} completed; "
        f"elsewhere: {summary['streams_elsewhere_completed']}/{summary['streams_elsewhere']}; short requests: "
        f"{summary['short_requests_ok']}/{summary['short_requests']} ok, after the signal served by "
        f"{summary['short_requests_by_replica_after_signal']}; failed requests {summary['failed_requests']} "
        f"(503: {sum(1 for r in results if r['status'] == 503)}, cut off or errors: "
        f"{sum(1 for r in results if r['status'] != 503 and not ok(r))})")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "kokoro"))
    parser.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between clients joining in (a)")
    parser.add_argument("--extra-clients", type=int, default=3, help="clients beyond the capacities' sum in (a)")
    parser.add_argument("--streams", type=int, default=2, help="streams running when the signal comes in (b) and (c)")
    parser.add_argument("--short-every", type=float, default=3.0,
                        help="seconds between whole-file requests in (b) and (c): the cluster must keep room for them")
    parser.add_argument("--texts", default=str(REPO.parent / "shared" / "eval" / "bench-texts.md"))
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--out", default=str(REPO / "reports" / "cluster.json"))
    parser.add_argument("--logs", default=str(REPO / "reports" / "cluster-logs"))
    parser.add_argument("serve_args", nargs="*", help="extra `kokoro serve` arguments for every replica (after --)")
    args = parser.parse_args()
    if not Path(args.binary).is_file():
        raise SystemExit(f"no kokoro binary at {args.binary}: swift build -c release (or --binary)")
    if not shutil.which(args.haproxy) and not Path(args.haproxy).is_file():
        raise SystemExit(f"no HAProxy at {args.haproxy}: apt-get install haproxy (or --haproxy)")
    texts = parse_texts(args.texts)
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)

    def log(message: str):
        print(message, flush=True)

    version = subprocess.run([args.haproxy, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    cluster = Cluster(args.binary, args.haproxy, args.replicas, args.serve_args, logs)
    report: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "haproxy": version,
                    "replicas": args.replicas, "cores": os.cpu_count(), "loadavg_before": loadavg(),
                    "serve_args": args.serve_args}
    try:
        log(f"starting {args.replicas} replicas and {version}")
        report["start"] = cluster.start()
        report["fill"] = fill(cluster, texts["paragraph"], args.gap, args.extra_clients, args.timeout, log)
        # The paragraph's first three sentences (about 17 s of audio): a stream running when the
        # SIGTERM comes ends well within the 30 s the drain gives it.
        short_stream = " ".join(re.split(r"(?<=[.!?])\s+", texts["paragraph"])[:3])
        report["sigterm"] = fail_over(cluster, "SIGTERM", short_stream, texts["sentence"], args.streams,
                                      args.short_every, 15.0, args.timeout, log)
        victim = report["sigterm"]["victim"].get("name")
        if victim:
            cluster.start_replica(victim)
            cluster.wait_up(cluster.names)
            log(f"    {victim} restarted and back in HAProxy's rotation")
        report["sigkill"] = fail_over(cluster, "SIGKILL", short_stream, texts["sentence"], args.streams,
                                      args.short_every, 15.0, args.timeout, log)
    finally:
        cluster.stop()
        report["loadavg_after"] = loadavg()
    term, kill = report["sigterm"], report["sigkill"]
    report["verdict"] = {
        "sigterm_zero_failed_requests": term["failed_requests"] == 0 and term["victim"].get("exit_code") == 0,
        "sigkill_only_victims_streams_lost": kill["failed_requests_not_on_victim"] == 0
        and kill["streams_elsewhere_completed"] == kill["streams_elsewhere"],
    }
    path = write_json(args.out, report)
    log(f"verdict: {report['verdict']}; written to {path}")
    return 0 if all(report["verdict"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
