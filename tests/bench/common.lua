-- common.lua - shared by the wrk scenario scripts (tests/bench/run.sh).
--
-- P is the run's parameters (bench.py writes them as a Lua table: the
-- sessions, the fixture's ids, days and tokens, the booking block).  Each
-- wrk thread counts the statuses it sees; done() prints one line
-- "BENCH_JSON {...}" with the totals, the latency percentiles and the
-- statuses, which bench.py reads.
P = dofile(os.getenv("BENCH_PARAMS"))

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

statuses = {}
n = 0
tracked = false

-- Count each status (scenarios whose answers differ: 201 or 409).  Only
-- these define response(): with it wrk hands every body to Lua, which
-- for a 375 KB day view costs the client more than the server.  The
-- others report 2xx and "other" from wrk's own count.
function track_statuses()
   tracked = true
   response = function(status, headers, body)
      statuses[status] = (statuses[status] or 0) + 1
   end
end

function instant(t)
   return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

-- A request with the staff session s ("sek" or "lege"); a change also
-- sends the CSRF token and the origin, as the browser does.
function staff(s, method, path, body)
   local h = {["Cookie"] = P[s].cookie}
   if method ~= "GET" then
      h["X-CSRF-Token"] = P[s].csrf
      h["Origin"] = P.origin
      h["Content-Type"] = "application/json"
   end
   return wrk.format(method, path, h, body)
end

-- Booking number k of the fixture's free days: a distinct clinician,
-- patient and 10-minute slot for each k.
function booking(k)
   local ncl, per = P.clinicians, P.booking_slots_per_day
   local day = math.floor(k / (ncl * per))
   local slot = k % (ncl * per)
   local start = P.booking_day_starts[day + 1] + math.floor(slot / ncl) * P.slot_seconds
   return string.format(
      '{"clinician_ids":[%d],"patient_id":%d,"start":"%s","end":"%s","mode":"video"}',
      slot % ncl + 1, slot % P.patients + 1, instant(start), instant(start + P.slot_seconds))
end

function done(summary, latency, requests)
   local total = {}
   for _, t in ipairs(threads) do
      for status, count in pairs(t:get("statuses")) do
         total[status] = (total[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(total) do
      table.insert(parts, string.format('"%d":%d', status, count))
   end
   if not tracked then
      parts = {string.format('"2xx":%d', summary.requests - summary.errors.status)}
      if summary.errors.status > 0 then
         table.insert(parts, string.format('"other":%d', summary.errors.status))
      end
   end
   -- the latency at more percentiles, so bench.py can merge the classes
   -- of the mixed load (mixed.lua) into one distribution
   local qs = {}
   for _, q in ipairs(QUANTILES or {}) do
      -- (wrk's percentile(100) is 0: the maximum is latency.max)
      table.insert(qs, string.format("[%g,%d]", q, q < 100 and latency:percentile(q) or latency.max))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s},' ..
      '"quantiles":[%s]}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ","),
      table.concat(qs, ",")))
end
