-- poll.lua - the clinician's list polled with the ETag it already holds
-- (bench.py fetches it just before the run, as a page holds the tag of its
-- last 200): every answer a 304 with no body while nothing changes (no
-- scenario writes while it runs).  Like hello.lua it defines no
-- response(): wrk handing each answer's headers to Lua cost the client
-- about 2 us a request more than hello's, which the ratio then charged to
-- the server.  The statuses are the server's own count for the day's route
-- over the run (/metrics, bench.py), not the client's.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local req = nil
function request()
   if not req then
      req = wrk.format("GET", "/api/v1/clinicians/" .. P.lege_clinician .. "/day?date=" .. P.days[1],
                       {["Cookie"] = P.lege.cookie, ["If-None-Match"] = P.poll_etag})
   end
   return req
end
