-- unit_day.lua - (b) the secretary's day view: all appointments of one
-- unit's 20 clinicians over one day (1,000 of them).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
   n = n + 1
   local day = P.days[(n + thread_id * 7) % #P.days + 1]
   local unit = (n + thread_id) % P.units + 1
   return staff("sek", "GET", string.format(
      "/api/v1/appointments?from=%s&to=%s&unit_id=%d&limit=1000", day, day, unit))
end
