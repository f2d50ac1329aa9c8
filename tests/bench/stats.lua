-- stats.lua - (h) the statistics of a year of one unit, as the view asks
-- for them: by month, ISO week, clinician and age band in turn, each unit
-- in turn (a unit is 20 clinicians: 200,000 of the 1M appointments).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local groups = {"month", "week", "clinician", "age_band"}
function request()
   n = n + 1
   local unit = (n + thread_id) % P.units + 1
   local group = groups[(n + thread_id * 3) % #groups + 1]
   return staff("sek", "GET", "/api/v1/statistics?from=" .. P.stats_from .. "&to=" .. P.stats_to
                   .. "&unit_id=" .. unit .. "&group_by=" .. group)
end
