"""mixed.py - the mixed load of bench.py --mixed: how many people one machine serves.

A clinic day replayed at many times its speed: clinicians polling their
day list, secretaries polling the unit day and booking, invitations going
out, patients opening their links and answering, in the proportions below.
One wrk process per request class runs at once (mixed.lua), each
connection one person pausing between requests for the app's interval
divided by the speed-up S, so a step with k connections of a class at
speed-up S is the load of k x S people at the real pace.  The steps double
the staff until the worst class's p99 passes 50 ms (or the server falls
behind the offered rate, or anything fails); staff per core is the last
step that held, over the machine's cores.

The proportions (per person at the real pace; a clinic day is 7.5 hours):
- Five clinicians to one secretary: an outpatient clinic's secretaries book
  for several clinicians each; 5:1 is our reasoning, not a measured figure
  (a secretary who books 75 a day is busy but not overloaded).
- A clinician has 15 consultations a day (the usual 12-20 of an outpatient
  clinic), all booked by the secretaries: 2 bookings an hour per clinician,
  so a secretary books 75 a day, one every 360 s.
- Each booking: one "next free time" search (book.js; an upper bound, the
  secretary often knows the time), the POST, one invitation (book.js
  invites right after booking); per invitation the patient opens the link
  twice (the SMS, and again to join the video) and answers once.
- The clinician's day list polls every 30 s (day.js POLL_MS), the unit day
  every 60 s (calendar.js), all day long: an upper bound, the tab is not
  always open.  A change the staff make themselves (a status set, a
  cancellation) is one request an hour or less per person and left out, as
  are the patient search and the logins (once a day).
"""
import json
import math
import os
import subprocess
import time

P99_LIMIT_MS = 50
# the share of the offered rate a step must serve (a short step with few
# connections falls a little short by chance: each first pause counts)
SERVED = 0.8
CLINICIANS_PER_SECRETARY = 5
DAY_S = 7.5 * 3600
BOOKING_S = DAY_S / (15 * CLINICIANS_PER_SECRETARY)  # a secretary's booking interval

# How often a poll finds a change.  A clinician's day changes about 20 times
# a day (15 consultations marked completed or no-show, and a few
# confirmations, cancellations and moves); the unit day is 20 clinicians'.
# With changes at random (Poisson), a poll every t seconds finds one with
# the chance 1 - exp(-t x changes per second): 2 % of the clinician's
# polls, 59 % of the secretary's.  mixed.lua sends that share without
# If-None-Match (the simulated patients answer on another day).
CHANGES_PER_CLINICIAN_DAY = 20
UNIT_CLINICIANS = 20


def miss_chance(interval, clinicians):
    return 1 - math.exp(-interval * clinicians * CHANGES_PER_CLINICIAN_DAY / DAY_S)


# The unit day as calendar.js asks for it (day, unit): one place, for
# mixed.lua's polls and the tags read before each step.
UNIT_DAY = "/api/v1/appointments/board?date=%s&unit_id=%d"

MISS = {"clinician_poll": miss_chance(30, 1), "unit_poll": miss_chance(60, UNIT_CLINICIANS)}

# class, who plays it, one person's interval in seconds, the statuses that are right
CLASSES = [
    ("clinician_poll", "clinician", 30, {"200", "304"}),
    ("unit_poll", "secretary", 60, {"200", "304"}),
    ("slot_search", "secretary", BOOKING_S, {"200"}),
    ("book", "secretary", BOOKING_S, {"201"}),
    ("invite", "secretary", BOOKING_S, {"201"}),
    ("link_view", "secretary", BOOKING_S / 2, {"200"}),  # the patients of a secretary's bookings
    ("link_answer", "secretary", BOOKING_S, {"200"}),
]
FIRST_STAFF = 3000
MIN_STAFF = 400  # when the first level misses, the steps halve down to this
MIN_SPEEDUP = 500
MAX_POLL_CONNS = 400  # the speed-up grows so the clinicians need at most this many


def people(staff):
    secretaries = staff / (CLINICIANS_PER_SECRETARY + 1)
    return {"clinician": staff - secretaries, "secretary": secretaries}


def per_staff_rate():
    """Requests a second one member of staff causes, at the real pace."""
    p = people(1)
    return sum(p[who] / interval for _, who, interval, _ in CLASSES)


def plan(staff):
    """The speed-up and each class's connections and mean pause (ms) for staff."""
    p = people(staff)
    speedup = max(MIN_SPEEDUP, p["clinician"] / MAX_POLL_CONNS)
    out = []
    for name, who, interval, expected in CLASSES:
        conns = max(1, round(p[who] / speedup))
        # the pause that gives exactly the class's rate with conns connections
        out.append((name, conns, 1000 * interval * conns / p[who], expected))
    return speedup, out


def current_etags(b, port, sek, fx):
    """Each polled list's tag, as the app keeps it from its last poll."""
    tags, day = {}, fx["days"][0]
    paths = [(f"c{c}", f"/api/v1/clinicians/{c}/day?date={day}")
             for c in range(1, fx["clinicians"] + 1)]
    paths += [(f"u{u}", UNIT_DAY % (day, u)) for u in range(1, fx["units"] + 1)]
    for key, path in paths:
        resp, _ = b.request(port, "GET", path, headers={"Cookie": sek["cookie"]})
        if resp.status != 200 or not resp.getheader("ETag"):
            raise SystemExit(f"bench: GET {path}: {resp.status}, no ETag")
        tags[key] = resp.getheader("ETag")
    return tags


def server_histogram(b, port):
    """The server's own latency histogram (GET /metrics): {bound s: count so far}."""
    resp, data = b.request(port, "GET", "/metrics", headers={})
    hist = {}
    for line in data.decode().splitlines():
        if line.startswith("timebok_http_request_duration_seconds_bucket{le=\""):
            le = line.split('"')[1]
            hist[math.inf if le == "+Inf" else float(le)] = int(line.split()[-1])
    if resp.status != 200 or not hist:
        raise SystemExit(f"bench: GET /metrics: {resp.status}")
    return hist


def server_p99_bound(before, after):
    """The histogram bucket (ms) the server's own p99 of a step falls in."""
    diff = {le: after[le] - before.get(le, 0) for le in after}
    total = diff.get(math.inf, 0)
    for le in sorted(diff):
        if diff[le] >= 0.99 * total:
            return le * 1000
    return math.inf


def one_step(b, srv, params, workdir, staff, seconds, only=None):
    """One level of staff: every class at once (only: that class alone)."""
    speedup, classes = plan(staff)
    classes = [c for c in classes if only in (None, c[0])]
    params["etags"] = current_etags(b, srv.port, params["sek"], params)
    path = os.path.join(workdir, "params.lua")
    with open(path, "w") as f:
        f.write("return " + b.lua(params) + "\n")
    procs = []
    hist0 = server_histogram(b, srv.port)
    cpu0, t0 = b.cpu_ns(srv.proc.pid), time.monotonic()
    for name, conns, pause, _ in classes:
        env = dict(os.environ, BENCH_PARAMS=path, BENCH_DIR=b.HERE, BENCH_CLASS=name,
                   BENCH_DELAY_MS=f"{pause:.3f}", BENCH_MISS=str(MISS.get(name, 0)))
        procs.append(subprocess.Popen(
            ["wrk", "-t", "1", "-c", str(conns), "-d", f"{seconds}s", "--timeout", "10s",
             "-s", os.path.join(b.HERE, "mixed.lua"), f"http://127.0.0.1:{srv.port}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate() for p in procs]
    cpu1, wall = b.cpu_ns(srv.proc.pid), time.monotonic() - t0
    step = {"staff": staff, "speedup": speedup, "classes": {}, "requests": 0,
            # from a request's arrival to its answer, inside the server: what
            # the client sees on top of it is the machine's scheduling
            "server_p99_le_ms": server_p99_bound(hist0, server_histogram(b, srv.port))}
    for (name, conns, pause, expected), (out, err) in zip(classes, outs):
        line = next((l for l in out.splitlines() if l.startswith("BENCH_JSON ")), None)
        if line is None:
            raise SystemExit(f"bench: wrk mixed {name} printed no result:\n{out}\n{err}")
        r = json.loads(line[len("BENCH_JSON "):])
        offered = conns * 1000 / pause
        r.update(conns=conns, pause_ms=pause, offered_rps=offered,
                 rps=r["requests"] / (r["duration_us"] / 1e6),
                 unexpected=sum(v for k, v in r["statuses"].items() if k not in expected),
                 socket_errors=r["connect_errors"] + r["read_errors"] + r["write_errors"] +
                 r["timeouts"])
        step["classes"][name] = r
        step["requests"] += r["requests"]
    c = step["classes"]
    step["offered_rps"] = sum(v["offered_rps"] for v in c.values())
    step["rps"] = sum(v["rps"] for v in c.values())
    step["cpu_us_per_req"] = (cpu1 - cpu0) / 1000 / max(step["requests"], 1)
    step["server_cores"] = (cpu1 - cpu0) / 1e9 / wall
    step["worst"] = max(c, key=lambda k: c[k]["p99_us"])
    step["p99_ms"] = merged_percentile(c.values(), 99) / 1000
    step["errors"] = sum(v["unexpected"] + v["socket_errors"] for v in c.values())
    step["cpu_ms_per_s"] = (cpu1 - cpu0) / 1e6 / wall
    step["bookings"] = c_requests(step, "book")
    step["invites"] = c_requests(step, "invite")
    # held: the p99 of all requests under the limit and the offered rate served
    step["held"] = (step["p99_ms"] < P99_LIMIT_MS and step["rps"] >= SERVED * step["offered_rps"]
                    and not step["errors"])
    return step


def cdf(r, x):
    """The share of class run r's requests that took at most x us (its
    quantiles, linear in between)."""
    qs = r["quantiles"]
    if x < qs[0][1]:
        return 0.0
    for (q0, v0), (q1, v1) in zip(qs, qs[1:]):
        if x < v1:
            return (q0 + (q1 - q0) * (x - v0) / (v1 - v0)) / 100
    return 1.0


def merged_percentile(runs, q):
    """The q-th percentile of all the runs' requests together, in us."""
    runs = [r for r in runs if r["requests"]]
    total = sum(r["requests"] for r in runs)
    lo, hi = 0.0, float(max(r["quantiles"][-1][1] for r in runs))
    for _ in range(50):
        mid = (lo + hi) / 2
        if sum(r["requests"] * cdf(r, mid) for r in runs) >= total * q / 100:
            hi = mid
        else:
            lo = mid
    return hi


def advance(params, step):
    """The next step's bookings, invitations and links are fresh ones (the
    requests still in flight at the end were asked, not counted)."""
    inflight = sum(v["conns"] for v in step["classes"].values())
    params["booking_base"] += step["bookings"] + inflight
    params["invite_base"] += step["invites"] + inflight
    params["link_base"] += c_requests(step, "link_answer") + inflight


def run_size(b, args, size, results):
    """The steps at one fixture size; --smoke: one short step, errors only."""
    env = b.setup(args, size)
    fx, workdir = env["fx"], env["workdir"]
    srv = b.Server(env["binary"], workdir, ["--per-ip-connections", "0"])
    steps = []
    try:
        sek = b.login(srv.port, "bench-sek")
        first = env["first_day"]
        params = dict(fx, sek=sek, lege=sek, origin=f"http://127.0.0.1:{srv.port}", unit_day=UNIT_DAY,
                      booking_block=b.BLOCK, booking_base=b.BLOCK, invite_base=0, link_base=0,
                      slots_to=(first + b.datetime.timedelta(days=20)).isoformat())
        staff, again, down = FIRST_STAFF, False, False
        for _ in range(1 if args.smoke else args.mixed_steps + 4):
            b.log(f"== {size}: mixed load, {staff} staff{' again' if again else ''}")
            step = one_step(b, srv, params, workdir, staff, args.mixed_seconds)
            step["again"] = again
            steps.append(step)
            results.append({"size": size, "kind": "mixed", **step})
            advance(params, step)
            if step["errors"]:
                break
            if step["held"]:
                if down:
                    break  # coming down: the first level that holds
                staff, again = staff * 2, False
            elif not again:
                again = True  # once more: the machine is shared, one stall is not the limit
            elif any(s["held"] for s in steps) or staff // 2 < MIN_STAFF:
                break
            else:
                staff, again, down = staff // 2, False, True  # the first level missed
        # where the CPU goes: each class alone at the rates of the last
        # level that held (or the first), the server's CPU a second
        alone = {}
        level = max([s["staff"] for s in steps if s["held"]] or [steps[0]["staff"]])
        for name, *_ in ([] if args.smoke else CLASSES):
            b.log(f"== {size}: {name} alone at {level} staff")
            st = one_step(b, srv, params, workdir, level, args.mixed_seconds, only=name)
            advance(params, st)
            alone[name] = {"cpu_ms_per_s": st["cpu_ms_per_s"], "rps": st["rps"],
                           "cpu_us_per_req": st["cpu_us_per_req"]}
            results.append({"size": size, "kind": "mixed_alone", "class": name, **st})
    finally:
        srv.stop()
    held = [s for s in steps if s["held"]]  # a level held when its run or its rerun did
    best = held[-1] if held else None
    # what the CPU alone allows: the staff of the largest step over the
    # server's cores it kept busy (whatever the latency said)
    big = max(steps, key=lambda s: (s["staff"], s["server_cores"]))
    return {"size": size, "steps": steps, "cores": os.cpu_count(), "alone": alone,
            "alone_staff": level,
            "staff": best["staff"] if best else 0,
            "staff_per_core": best["staff"] / os.cpu_count() if best else 0,
            "staff_per_busy_core": big["staff"] / max(big["server_cores"], 1e-9),
            # the lowest level above it that missed, as its rerun found it
            "limit": min(reversed([s for s in steps if not s["held"] and s["staff"] > (
                best["staff"] if best else 0)]), key=lambda s: s["staff"], default=None),
            "errors": sum(s["errors"] for s in steps)}


def c_requests(step, name):
    return step["classes"][name]["requests"] if name in step["classes"] else 0


def report(summaries, smoke):
    lines = ["\nmixed load (clinicians : secretaries = 5 : 1; p99 of all requests < "
             f"{P99_LIMIT_MS} ms; one member of staff causes {per_staff_rate():.4f} req/s; "
             f"polls finding a change: clinician {MISS['clinician_poll']:.0%}, "
             f"unit {MISS['unit_poll']:.0%})"]
    for s in summaries:
        lines.append(f"{s['size']}: {'staff':>8}{'speedup':>9}{'conns':>7}{'offered/s':>11}"
                     f"{'served/s':>10}{'cpu us':>8}{'cores':>7}{'p99 ms':>9}{'server':>8}"
                     "  worst class p99")
        for st in s["steps"]:
            conns = sum(v["conns"] for v in st["classes"].values())
            lines.append(f"{'':>5}{st['staff']:>8}{st['speedup']:>9.0f}{conns:>7}"
                         f"{st['offered_rps']:>11.0f}{st['rps']:>10.0f}"
                         f"{st['cpu_us_per_req']:>8.0f}{st['server_cores']:>7.2f}"
                         f"{st['p99_ms']:>9.2f}{'<=' + format(st['server_p99_le_ms'], 'g'):>8}"
                         f"  {st['worst']} "
                         f"{st['classes'][st['worst']]['p99_us'] / 1000:.1f}"
                         f"{'' if st['held'] else '  (did not hold)'}"
                         f"{'  ERRORS ' + str(st['errors']) if st['errors'] else ''}")
        last = s["steps"][-1]
        lines.append(f"{'':>5}the last step's classes (p50, p99 in ms): " + ", ".join(
            f"{k} {v['rps']:.0f}/s {v['p50_us'] / 1000:.2f} {v['p99_us'] / 1000:.2f} "
            f"{json.dumps(v['statuses'], sort_keys=True)}" for k, v in last["classes"].items()))
        if s["alone"]:
            total = sum(v["cpu_ms_per_s"] for v in s["alone"].values()) or 1
            lines.append(f"{'':>5}each class alone at {s['alone_staff']} staff (server CPU share, "
                         "us a request): " + ", ".join(
                             f"{k} {v['cpu_ms_per_s'] / total:.0%} {v['cpu_us_per_req']:.0f}"
                             for k, v in s["alone"].items()))
    lines.append("targets (mixed)")
    for s in summaries:
        size = s["size"]
        lines.append(f"  [{size}] mixed load without errors or unexpected statuses: {s['errors']} "
                     f"{'met' if not s['errors'] else 'MISSED'}")
        if smoke:
            continue
        if s["limit"]:
            lim = s["limit"]
            why = (f"p99 {lim['p99_ms']:.1f} ms, the worst class {lim['worst']}"
                   if lim["p99_ms"] >= P99_LIMIT_MS
                   else f"served {lim['rps']:.0f} of {lim['offered_rps']:.0f} req/s"
                   if lim["rps"] < SERVED * lim["offered_rps"] else "errors")
            bound = f"at {lim['staff']}: {why}; server {lim['server_cores']:.2f} cores"
        else:
            bound = "not reached (raise --mixed-steps)"
        lines.append(f"  [{size}] staff per core with p99 < {P99_LIMIT_MS} ms: "
                     f"{s['staff_per_core']:.0f} ({s['staff']} staff on {s['cores']} cores); "
                     f"limit {bound}")
        lines.append(f"  [{size}] staff per core of server CPU (the largest step's staff over "
                     f"the cores the server kept busy): {s['staff_per_busy_core']:.0f}")
    return "\n".join(lines)
