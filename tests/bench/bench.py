#!/usr/bin/env python3
"""bench.py - the benchmark behind tests/bench/run.sh.

For each fixture size (10k and 1M appointments): copy the cached fixture
(timebok-bench populate; rebuilt when the schema or the generator changes,
or when its first day comes near), measure the in-process rates of the
store calls (timebok-bench sql), start timebok on a free loopback port with
--bench, log in a secretary and a clinician, and drive each scenario with
wrk, alternating with the hello denominator (hello, scenario, hello, ...),
for three rounds.  A scenario's ratio is its requests/s over the mean of
the hello runs on either side of it; the report gives the median over the
rounds, with server CPU per request (/proc/PID/task/*/schedstat) and peak
RSS (VmHWM).  Then the correctness gate: 64 identical bookings at once must
give exactly one 201.  The table goes to stdout, every measurement to
build/bench/results.jsonl.

After the gate, browser.mjs loads the staff app cold in Chromium and
reads its first-draw marks (the "browser" section; --no-browser leaves it
out).  --mixed runs only the mixed load instead (mixed.py: how many staff
one machine serves).

--smoke (CI): 10k only, one round, and one short step of the mixed load;
fails on errors, unexpected statuses or the gate, never on speed.
"""
import argparse
import datetime
import glob
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

import mixed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PASSWORD = "bench-password-2026"
BLOCK = 40000  # bookings set aside for one run (sql: block 0, round r: block r + 1)

# name, script, wrk threads, connections, the statuses that are right
SCENARIOS = [
    ("a_day_list", "day.lua", 2, 16, {"2xx"}),
    ("b_day_view", "unit_day.lua", 2, 16, {"2xx"}),
    ("b_day_board", "unit_board.lua", 2, 16, {"2xx"}),
    ("c_book_spread", "book.lua", 2, 16, {"201"}),
    ("c_book_contended", "book_contended.lua", 2, 16, {"201", "409"}),
    ("d_slots_week", "slots.lua", 2, 16, {"2xx"}),
    ("e_link_view_confirm", "link.lua", 2, 16, {"200"}),
    ("f_storm_256", "day.lua", 2, 256, {"2xx"}),
    ("g_latency_1conn", "day.lua", 1, 1, {"2xx"}),
    ("h_statistics_year", "stats.lua", 2, 16, {"2xx"}),
    ("i_poll_304", "poll.lua", 2, 16, {"304"}),
]
SIZES = {"10k": 10000, "1m": 1000000}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def stamp():
    h = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(ROOT, "schema", "*.sql"))) + [
            os.path.join(HERE, "bench_tool.c"), os.path.join(ROOT, "server", "store_stats.c")]:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def first_day():
    """The Monday at least a week ahead: the fixture stays in the future."""
    d = datetime.date.today() + datetime.timedelta(days=7)
    while d.weekday() != 0:
        d += datetime.timedelta(days=1)
    return d


def fixture(tool, cache, size):
    """The cached fixture of size, made when missing or stale."""
    folder = os.path.join(cache, size)
    meta_path = os.path.join(folder, "meta.json")
    want = stamp()
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        first = datetime.date.fromisoformat(meta["first_day"])
        if meta["stamp"] == want and first > datetime.date.today() + datetime.timedelta(days=1):
            return folder
    except (OSError, ValueError, KeyError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    day = first_day().isoformat()
    log(f"== fixture {size}: generating (first day {day}; cached for later runs)")
    subprocess.run([tool, "populate", os.path.join(folder, "fixture.db"), str(SIZES[size]), day,
                    os.path.join(folder, "fixture.json")], check=True,
                   stderr=subprocess.DEVNULL if size == "10k" else None)
    with open(meta_path, "w") as f:
        json.dump({"stamp": want, "first_day": day}, f)
    return folder


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=headers or {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def login(port, user):
    resp, data = request(port, "POST", "/api/v1/session",
                         {"username": user, "password": PASSWORD})
    if resp.status != 200:
        raise SystemExit(f"bench: login as {user}: {resp.status} {data[:200]!r}")
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    return {"cookie": cookie, "csrf": json.loads(data)["csrf_token"]}


def lua(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "{" + ",".join(lua(v) for v in value) + "}"
    return "{" + ",".join(f"[{json.dumps(k)}]={lua(v)}" for k, v in value.items()) + "}"


def cpu_ns(pid):
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total


def reset_peak_rss(pid):
    """Forget the peak so far (the logins' argon2id takes 64 MiB for a moment)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, binary, workdir, extra=()):
        self.dir = workdir
        port_file = os.path.join(workdir, "port")
        self.log = open(os.path.join(workdir, "timebok.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--db", os.path.join(workdir, "work.db"), "--listen", "127.0.0.1:0",
             "--port-file", port_file, "--bench", "--static-dir", os.path.join(ROOT, "static"),
             *extra], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: timebok exited; see {self.log.name}")
            try:
                with open(port_file) as f:
                    self.port = int(f.read().strip())
                return
            except (OSError, ValueError):
                time.sleep(0.05)
        raise SystemExit("bench: timebok did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)  # by pid
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wrk(port, pid, script, threads, conns, seconds, env):
    cpu0 = cpu_ns(pid)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", os.path.join(HERE, script), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=False)
    cpu1 = cpu_ns(pid)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            r = json.loads(line[len("BENCH_JSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            r["cpu_us_per_req"] = (cpu1 - cpu0) / 1000 / max(r["requests"], 1)
            r["socket_errors"] = (r["connect_errors"] + r["read_errors"] + r["write_errors"] +
                                  r["timeouts"])
            return r
    raise SystemExit(f"bench: wrk {script} printed no result:\n{out.stdout}\n{out.stderr}")


def gate(port, sek, fx, k):
    """64 identical bookings at once: exactly one 201, the rest 409."""
    ncl, per = fx["clinicians"], fx["booking_slots_per_day"]
    slot = k % (ncl * per)
    start = fx["booking_day_starts"][k // (ncl * per)] + (slot // ncl) * fx["slot_seconds"]
    iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({"clinician_ids": [slot % ncl + 1], "patient_id": slot % fx["patients"] + 1,
                       "start": iso(start), "end": iso(start + fx["slot_seconds"]),
                       "mode": "video"})
    headers = {"Content-Type": "application/json", "Cookie": sek["cookie"],
               "X-CSRF-Token": sek["csrf"]}
    barrier = threading.Barrier(64)
    statuses = []
    lock = threading.Lock()

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        barrier.wait()
        try:
            conn.request("POST", "/api/v1/appointments", body=body, headers=headers)
            status = conn.getresponse().status
        except OSError as e:
            status = f"error {e}"
        with lock:
            statuses.append(status)
        conn.close()

    workers = [threading.Thread(target=one) for _ in range(64)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    counts = {str(s): statuses.count(s) for s in set(statuses)}
    return {"counts": counts, "ok": statuses.count(201) == 1 and statuses.count(409) == 63}


def browser(port, sek, lege, fx, loads):
    """Cold loads in Chromium to the first drawn unit day and day list (browser.mjs)."""
    try:
        out = subprocess.run(["node", os.path.join(HERE, "browser.mjs"), f"http://127.0.0.1:{port}",
                              fx["days"][0], "1", sek["cookie"], lege["cookie"], str(loads)],
                             capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SystemExit("bench: no node for browser.mjs (--no-browser leaves it out)")
    line = next((l for l in out.stdout.splitlines() if l.startswith("BROWSER_JSON ")), None)
    if line is None:
        raise SystemExit(f"bench: browser.mjs failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line[len("BROWSER_JSON "):])


def setup(args, size):
    """A fresh copy of the fixture of size with the bench users added."""
    tool = os.path.join(args.build, "tests", "timebok-bench")
    binary = os.path.join(args.build, "timebok")
    folder = fixture(tool, os.path.join(args.work, "fixtures"), size)
    workdir = os.path.join(args.work, "run", size)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    db = os.path.join(workdir, "work.db")
    shutil.copyfile(os.path.join(folder, "fixture.db"), db)
    shutil.copyfile(os.path.join(folder, "fixture.db.key"), db + ".key")
    os.chmod(db + ".key", 0o600)
    with open(os.path.join(folder, "fixture.json")) as f:
        fx = json.load(f)
    for user, role in (("bench-sek", ["--role", "secretary"]),
                       ("bench-lege", ["--role", "clinician", "--clinician-id", "1"])):
        subprocess.run([binary, "user", "add", "--db", db, "--username", user] + role,
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    return {"tool": tool, "binary": binary, "folder": folder, "workdir": workdir, "db": db,
            "fx": fx, "first_day": datetime.date.fromisoformat(fx["days"][0])}


def run_size(args, size, results):
    env = setup(args, size)
    tool, binary, folder, workdir, db, fx = (env[k] for k in (
        "tool", "binary", "folder", "workdir", "db", "fx"))

    log(f"== {size}: in-process store rates")
    sql = {}
    out = subprocess.run([tool, "sql", db, os.path.join(folder, "fixture.json"),
                          str(args.seconds), "0"], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        r = json.loads(line)
        sql[r["statement"]] = r["per_s"]
        results.append({"size": size, "kind": "sql", **r})

    srv = Server(binary, workdir)
    try:
        sek, lege = login(srv.port, "bench-sek"), login(srv.port, "bench-lege")
        login_peak = peak_rss_kib(srv.proc.pid)
        reset = reset_peak_rss(srv.proc.pid)
        year = datetime.date.fromisoformat(fx["days"][0])
        params = dict(fx, sek=sek, lege=lege, lege_clinician=1, stats_from=year.isoformat(),
                      stats_to=(year + datetime.timedelta(days=364)).isoformat(),
                      origin=f"http://127.0.0.1:{srv.port}", booking_block=BLOCK)
        scen = {name: [] for name, *_ in chosen(args)}
        hello = []

        day_route = "/api/v1/clinicians/{id}/day"

        def metrics():
            resp, data = request(srv.port, "GET", "/metrics", headers={"Cookie": sek["cookie"]})
            if resp.status != 200:
                raise SystemExit(f"bench: /metrics: {resp.status}")
            return data.decode().splitlines()

        def group_counts():
            """Group commits so far and the bookings in them (/metrics)."""
            found = {}
            for line in metrics():
                m = re.match(r"timebok_db_group_(commits|writes)_total (\d+)$", line)
                if m:
                    found[m.group(1)] = int(m.group(2))
            return found.get("commits", 0), found.get("writes", 0)

        def day_statuses():
            """The server's count of the day route's answers by status (/metrics)."""
            counts = {}
            for line in metrics():
                m = re.match(r'timebok_http_requests_total\{method="GET",route="([^"]+)",'
                             r'status="([^"]+)"\} (\d+)$', line)
                if m and m.group(1) == day_route:
                    counts[m.group(2)] = counts.get(m.group(2), 0) + int(m.group(3))
            return counts

        def poll_tag():
            resp, _ = request(srv.port, "GET", f"/api/v1/clinicians/1/day?date={fx['days'][0]}",
                              headers={"Cookie": lege["cookie"]})
            if resp.status != 200 or not resp.getheader("ETag"):
                raise SystemExit(f"bench: the poll's first GET: {resp.status}")
            return resp.getheader("ETag")

        def run(script, threads, conns, round_):
            params["booking_base"] = (round_ + 1) * BLOCK
            params["contended_base"] = 10 * BLOCK + round_ * 4
            path = os.path.join(workdir, "params.lua")
            with open(path, "w") as f:
                f.write("return " + lua(params) + "\n")
            env = dict(os.environ, BENCH_PARAMS=path, BENCH_DIR=HERE)
            return wrk(srv.port, srv.proc.pid, script, threads, conns, args.seconds, env)

        for round_ in range(args.rounds):
            log(f"== {size}: round {round_ + 1} of {args.rounds}")
            hello.append(run("hello.lua", 2, 16, round_))
            for name, script, threads, conns, _ in chosen(args):
                if script == "poll.lua":
                    params["poll_etag"] = poll_tag()
                    before = day_statuses()
                groups0 = group_counts()
                r = run(script, threads, conns, round_)
                groups1 = group_counts()
                if groups1[0] > groups0[0]:
                    r["group_size"] = (groups1[1] - groups0[1]) / (groups1[0] - groups0[0])
                if script == "poll.lua":
                    after = day_statuses()
                    r["statuses"] = {k: v - before.get(k, 0) for k, v in after.items()
                                     if v - before.get(k, 0)}
                h = run("hello.lua", 2, 16, round_)
                r["hello_rps"] = (hello[-1]["rps"] + h["rps"]) / 2
                r["ratio"] = r["rps"] / r["hello_rps"]
                hello.append(h)
                scen[name].append(r)
                results.append({"size": size, "kind": "wrk", "scenario": name,
                                "round": round_ + 1, **r})
        for h in hello:
            results.append({"size": size, "kind": "wrk", "scenario": "hello", **h})
        g = gate(srv.port, sek, fx, 11 * BLOCK)
        results.append({"size": size, "kind": "gate", **g})
        if not args.no_browser:
            br = browser(srv.port, sek, lege, fx, 1 if args.smoke else 3)
            results.append({"size": size, "kind": "browser", **br})
        rss = peak_rss_kib(srv.proc.pid)
        results.append({"size": size, "kind": "rss", "peak_rss_kib": rss,
                        "peak_before_reset_kib": login_peak, "reset": reset})
    finally:
        srv.stop()

    summary = {"size": size, "sql": sql, "gate": g, "peak_rss_kib": rss,
               "browser": None if args.no_browser else br,
               "login_peak_kib": login_peak, "peak_reset": reset,
               "hello_rps": statistics.median(h["rps"] for h in hello), "scenarios": {}}
    for name, script, threads, conns, expected in chosen(args):
        runs = scen[name]
        statuses = {}
        for r in runs:
            for k, v in r["statuses"].items():
                statuses[k] = statuses.get(k, 0) + v
        summary["scenarios"][name] = {
            "rps": statistics.median(r["rps"] for r in runs),
            "ratio": statistics.median(r["ratio"] for r in runs),
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "cpu_us": statistics.median(r["cpu_us_per_req"] for r in runs),
            "statuses": statuses,
            "unexpected": sum(v for k, v in statuses.items() if k not in expected),
            "socket_errors": sum(r["socket_errors"] for r in runs),
        }
        if all("group_size" in r for r in runs):
            summary["scenarios"][name]["group_size"] = statistics.median(
                r["group_size"] for r in runs)
    return summary


def chosen(args):
    """The scenarios of this run: all, or those --only names."""
    if not args.only:
        return SCENARIOS
    names = args.only.split(",")
    unknown = set(names) - {name for name, *_ in SCENARIOS}
    if unknown:
        sys.exit(f"bench: no scenario {', '.join(sorted(unknown))}")
    return [s for s in SCENARIOS if s[0] in names]


def browser_medians(br):
    return [("unit day (20 clinicians)", statistics.median(br["unit_day"]["ms"])),
            ("clinician's day list", statistics.median(br["day_list"]["ms"]))]


def verdict(ok):
    return "met" if ok else "MISSED"


def report(summaries):
    lines = []
    by = {s["size"]: s for s in summaries}
    for s in summaries:
        lines.append(f"\n{s['size']}: hello {s['hello_rps']:.0f} req/s (median); "
                     f"peak RSS {s['peak_rss_kib'] / 1024:.1f} MB serving"
                     f"{'' if s['peak_reset'] else ' (could not reset the peak)'}, "
                     f"{s['login_peak_kib'] / 1024:.1f} MB with the logins' argon2id; "
                     f"gate {'ok' if s['gate']['ok'] else 'FAILED'} {s['gate']['counts']}")
        lines.append(f"{'scenario':<22}{'req/s':>9}{'x hello':>9}{'p50 ms':>9}{'p99 ms':>9}"
                     f"{'cpu us':>9}  statuses")
        for name, v in s["scenarios"].items():
            bad = ""
            if v["unexpected"] or v["socket_errors"]:
                bad = f"  UNEXPECTED {v['unexpected']}, socket errors {v['socket_errors']}"
            lines.append(f"{name:<22}{v['rps']:>9.0f}{v['ratio']:>9.3f}{v['p50_ms']:>9.2f}"
                         f"{v['p99_ms']:>9.2f}{v['cpu_us']:>9.0f}  "
                         f"{json.dumps(v['statuses'], sort_keys=True)}{bad}")
        lines.append("in-process store rates (per s): " +
                     ", ".join(f"{k} {v:.0f}" for k, v in s["sql"].items()))
    browser_lines = [f"  [{s['size']}] {label} drawn from a cold load < 300 ms: {ms:.0f} "
                     f"{verdict(ms < 300)}" for s in summaries if s.get("browser")
                     for label, ms in browser_medians(s["browser"])]
    if browser_lines:
        lines.append("\nbrowser (Chromium, cold loads, ms from navigation start to the first draw)")
        for s in summaries:
            if s.get("browser"):
                lines.append(f"{s['size']}: " + "; ".join(
                    f"{k} {v['ms']} ({v['rows']} drawn; last load: {json.dumps(v['parts'])})"
                    for k, v in s["browser"].items()))
    lines.append("\ntargets")
    lines.extend(browser_lines)
    for s in summaries:
        sc = s["scenarios"]
        size = s["size"]
        if "a_day_list" in sc:
            lines.append(f"  [{size}] day list >= 0.25 x hello: {sc['a_day_list']['ratio']:.3f} "
                         f"{verdict(sc['a_day_list']['ratio'] >= 0.25)}")
        if "b_day_view" in sc:
            lines.append(f"  [{size}] day view >= 0.10 x hello: {sc['b_day_view']['ratio']:.3f} "
                         f"{verdict(sc['b_day_view']['ratio'] >= 0.10)}")
        if "b_day_board" in sc:
            lines.append(f"  [{size}] unit day board >= 0.05 x hello: "
                         f"{sc['b_day_board']['ratio']:.3f} "
                         f"{verdict(sc['b_day_board']['ratio'] >= 0.05)}")
        if "c_book_spread" in sc:
            b = sc["c_book_spread"]["rps"] / s["sql"]["booking"]
            g = sc["c_book_spread"].get("group_size")
            lines.append(f"  [{size}] booking >= 0.8 x in-process: {b:.2f} {verdict(b >= 0.8)}"
                         + (f" (bookings a group commit: {g:.1f})" if g else ""))
        if "f_storm_256" in sc and "a_day_list" in sc:
            st = sc["f_storm_256"]["rps"] / sc["a_day_list"]["rps"]
            lines.append(f"  [{size}] storm 256 >= 0.5 x 16 connections: {st:.2f} "
                         f"{verdict(st >= 0.5)}")
        bad = sum(v["unexpected"] + v["socket_errors"] for v in sc.values())
        lines.append(f"  [{size}] no unexpected status or socket error: {bad} {verdict(bad == 0)}")
        lines.append(f"  [{size}] gate, 64 identical bookings give one 201: "
                     f"{verdict(s['gate']['ok'])}")
        if "i_poll_304" in sc:
            p = sc["i_poll_304"]
            lines.append(f"  [{size}] a poll answered 304 >= 0.8 x hello: {p['ratio']:.3f} "
                         f"{verdict(p['ratio'] >= 0.8)} ({p['statuses'].get('304', 0)} of "
                         f"{sum(p['statuses'].values())} were 304)")
        if "h_statistics_year" in sc:
            p99 = sc["h_statistics_year"]["p99_ms"]
            lines.append(f"  [{size}] statistics of a unit's year p99 < 50 ms: {p99:.2f} "
                         f"{verdict(p99 < 50)}")
    if "10k" in by and "1m" in by:
        small, big = by["10k"]["scenarios"], by["1m"]["scenarios"]
        if "a_day_list" in big:
            p = big["a_day_list"]["p50_ms"] / small["a_day_list"]["p50_ms"]
            lines.append(f"  day list p50 1M / 10k <= 1.2: {p:.2f} {verdict(p <= 1.2)}")
        if "c_book_spread" in big:
            f = big["c_book_spread"]["rps"] / small["c_book_spread"]["rps"]
            lines.append(f"  booking 1M / 10k >= 0.8: {f:.2f} {verdict(f >= 0.8)}")
    if "1m" in by:
        big = by["1m"]["scenarios"]
        if "d_slots_week" in big:
            d = big["d_slots_week"]["p99_ms"]
            lines.append(f"  free-slot week p99 at 1M < 10 ms: {d:.2f} {verdict(d < 10)}")
        r = by["1m"]["peak_rss_kib"] / 1024
        lines.append(f"  peak RSS serving with 1M open < 32 MB: {r:.1f} {verdict(r < 32)} "
                     "(a login's argon2id adds 64 MiB while it runs)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=None, help="fixtures and runs (default BUILD/bench)")
    ap.add_argument("--sizes", default="10k,1m")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=1, help="per wrk run")
    ap.add_argument("--smoke", action="store_true",
                    help="CI: 10k, one round; fail on errors and the gate only")
    ap.add_argument("--only", default="",
                    help="comma-separated scenario names to run (default: all)")
    ap.add_argument("--no-browser", action="store_true",
                    help="leave out the Chromium cold loads (browser.mjs)")
    ap.add_argument("--mixed", action="store_true",
                    help="only the mixed load: staff per core (mixed.py)")
    ap.add_argument("--mixed-steps", type=int, default=10, help="at most this many doublings")
    ap.add_argument("--mixed-seconds", type=int, default=4, help="per mixed step")
    args = ap.parse_args()
    if args.smoke:
        args.sizes, args.rounds, args.mixed_seconds = "10k", 1, 2
    args.work = args.work or os.path.join(args.build, "bench")
    os.makedirs(args.work, exist_ok=True)
    t0 = time.monotonic()
    results, summaries, mixed_runs = [], [], []
    for size in args.sizes.split(","):
        if not args.mixed:
            summaries.append(run_size(args, size, results))
        if args.mixed or args.smoke:
            mixed_runs.append(mixed.run_size(sys.modules[__name__], args, size, results))
    text = report(summaries) if summaries else ""
    if mixed_runs:
        text += "\n" + mixed.report(mixed_runs, args.smoke)
    machine = f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}"
    print(f"timebok benchmark, {datetime.date.today()}, {machine}, "
          f"{args.rounds} round(s) of {args.seconds} s, {time.monotonic() - t0:.0f} s in all")
    print(text)
    with open(os.path.join(args.work, "results.jsonl"), "w") as f:
        for r in results + [{"kind": "summary", **s} for s in summaries + mixed_runs]:
            f.write(json.dumps(r) + "\n")
    bad = [s for s in summaries
           if not s["gate"]["ok"] or any(v["unexpected"] or v["socket_errors"]
                                         for v in s["scenarios"].values())]
    bad += [m for m in mixed_runs if m["errors"]]
    if bad:
        print("bench: errors, unexpected statuses or the gate failed (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
