-- poll.lua - the clinician's list polling with the last ETag: the first
-- answer of each connection is a 200 with the tag, every later one a 304
-- with no body while nothing changes (no scenario writes while it runs).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
tracked = true
local etag = nil
function request()
   n = n + 1
   local h = {["Cookie"] = P.lege.cookie}
   if etag then
      h["If-None-Match"] = etag
   end
   return wrk.format("GET", "/api/v1/clinicians/" .. P.lege_clinician .. "/day?date=" .. P.days[1], h)
end
function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   etag = headers["ETag"] or etag
end
