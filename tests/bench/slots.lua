-- slots.lua - (d) free-slot search: one week, 20 clinicians together.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local ids = {}
for c = 1, 20 do ids[c] = "clinician_id=" .. c end
local who = table.concat(ids, "&")
function request()
   n = n + 1
   local week = (n + thread_id * 3) % math.floor(#P.days / 5)
   return staff("sek", "GET", string.format("/api/v1/slots?%s&from=%s&to=%s&duration_minutes=15",
      who, P.days[week * 5 + 1], P.days[week * 5 + 5]))
end
