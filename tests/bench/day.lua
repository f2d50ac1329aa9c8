-- day.lua - (a) a clinician's own day list of 50, day after day.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
   n = n + 1
   local day = P.days[(n + thread_id * 7) % #P.days + 1]
   return staff("lege", "GET", "/api/v1/clinicians/" .. P.lege_clinician .. "/day?date=" .. day)
end
