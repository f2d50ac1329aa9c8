-- link.lua - (e) the patient link: the view, then the confirmation, token
-- after token (the first confirmation of each changes its state and queues
-- a receipt; later ones change nothing).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
track_statuses()
function request()
   n = n + 1
   local i = math.floor((n - 1) / 2) * 2 + thread_id -- the two threads take turns
   local token = P.tokens[i % #P.tokens + 1]
   if n % 2 == 1 then
      return wrk.format("GET", "/api/v1/invite/" .. token)
   end
   return wrk.format("POST", "/api/v1/invite/" .. token .. "/confirm",
      {["Content-Type"] = "application/json"}, "{}")
end
