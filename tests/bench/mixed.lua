-- mixed.lua - one request class of the mixed load (bench.py --mixed): a
-- clinic day replayed at many times its speed.  bench.py starts one wrk
-- process per class, all at once, so each class has its own latency
-- figures; BENCH_CLASS names the class, BENCH_DELAY_MS the mean pause of a
-- connection between two requests (the person's interval in the real app
-- divided by the speed-up; mixed.py's CLASSES holds the intervals and
-- where they come from).  Each connection plays one person.  The pause is
-- drawn uniformly from 0 to twice the mean, so the people do not all ask
-- at the same instant (wrk pauses before the first request too).
-- BENCH_MISS is the chance a poll goes without its tag (mixed.py MISS).
--
-- The classes, as the apps ask:
--   clinician_poll  the clinician's day list (static/js/day.js, every 30 s)
--                   with If-None-Match, as lib.js api() sends it
--   unit_poll       the secretary's unit day (static/js/calendar.js, every
--                   minute), also with If-None-Match
--   slot_search     the booking dialog's "next free time" (book.js): one
--                   clinician, three weeks, six answers
--   book            POST /appointments, a free slot of its own
--   invite          POST /appointments/{id}/invitations (book.js, after the
--                   booking), on the fixture's appointments not yet invited
--   link_view       the patient opens the link (static/invite.js)
--   link_answer     the patient confirms
-- Every staff request uses the secretary's session: a secretary may open
-- any clinician's day list, and one login per simulated person would cost
-- an argon2id hash each.  The ETag of a poll is kept per clinician or unit,
-- from P.etags (bench.py reads them before each step, as the app has them
-- from its last poll); wrk does not say which connection an answer is for,
-- so a 200's key is read from its body (the first row's clinician).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
tracked = true
QUANTILES = {0, 10, 25, 50, 75, 90, 95, 97, 98, 98.5, 99, 99.3, 99.5, 99.7, 99.9, 99.99, 100}

local class = os.getenv("BENCH_CLASS")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS"))
local today = P.days[1]
local etags = {}
for k, v in pairs(P.etags) do
   etags[k] = v
end
local miss = tonumber(os.getenv("BENCH_MISS") or "0")
local ncl = P.clinicians
math.randomseed(os.time() + #class * 7919)

-- The ids of the fixture's appointments on its third day and later (the
-- first two are invited already).  populate inserts clinician by
-- clinician, day by day, P.per_day each, so appointment k of clinician c
-- (from 0) on day d has the id c * days * per_day + d * per_day + k + 1.
local function invitable(j)
   local ndays = #P.days
   local c = j % ncl
   local rest = math.floor(j / ncl)
   local d = 2 + math.floor(rest / P.per_day) % (ndays - 2)
   return c * ndays * P.per_day + d * P.per_day + rest % P.per_day + 1
end

-- Token j (cycling) of the fixture's second day: populate makes the
-- links clinician by clinician, each one's first day then second day, so
-- a patient's answer never changes the day the staff poll (their "today",
-- the first day); how often that changes is the miss chance's business.
local function second_day_token(j)
   local per = P.per_day
   j = j % math.floor(#P.tokens / 2)
   return P.tokens[math.floor(j / per) * 2 * per + per + j % per + 1]
end

-- A poll with the tag of the last answer; with the chance miss (the
-- list changed since the person's last poll, mixed.py MISS) it
-- goes without one, so the server makes the whole answer.
local function poll(path, key)
   local h = {["Cookie"] = P.sek.cookie}
   if etags[key] and math.random() >= miss then
      h["If-None-Match"] = etags[key]
   end
   return wrk.format("GET", path, h)
end

local make = {
   clinician_poll = function()
      local c = (n + thread_id * 7) % ncl + 1
      return poll("/api/v1/clinicians/" .. c .. "/day?date=" .. today, "c" .. c)
   end,
   unit_poll = function()
      local u = (n + thread_id) % P.units + 1
      return poll(string.format(P.unit_day, today, u), "u" .. u)
   end,
   slot_search = function()
      return staff("sek", "GET", string.format(
         "/api/v1/slots?clinician_id=%d&from=%s&to=%s&duration_minutes=10&mode=video&limit=6",
         n % ncl + 1, today, P.slots_to))
   end,
   book = function()
      return staff("sek", "POST", "/api/v1/appointments",
                   booking(P.booking_base + thread_id * (P.booking_block / 2) + n))
   end,
   invite = function()
      return staff("sek", "POST", "/api/v1/appointments/" ..
                   invitable(P.invite_base + thread_id * 100000 + n) .. "/invitations", "{}")
   end,
   link_view = function()
      return wrk.format("GET", "/api/v1/invite/" .. second_day_token(P.link_base + n))
   end,
   link_answer = function()
      return wrk.format("POST", "/api/v1/invite/" .. second_day_token(P.link_base + n) .. "/confirm",
                        {["Content-Type"] = "application/json"}, "{}")
   end,
}
local build = make[class]
if not build then
   error("mixed.lua: no class " .. tostring(class))
end

function request()
   n = n + 1
   return build()
end

function delay()
   return math.floor(math.random() * 2 * delay_ms + 0.5)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 200 and headers["ETag"] then
      local c = body:match('"clinician_ids":%[(%d+)')
      if c and class == "clinician_poll" then
         etags["c" .. c] = headers["ETag"]
      elseif c and class == "unit_poll" then
         etags["u" .. (math.floor((tonumber(c) - 1) / P.unit_size) + 1)] = headers["ETag"]
      end
   end
end
