-- unit_board.lua - (b) the secretary's calendar day from the board
-- (GET /api/v1/appointments/board): the same unit days, in the same order,
-- as unit_day.lua reads from the list, so the two compare the answers.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
   n = n + 1
   local day = P.days[(n + thread_id * 7) % #P.days + 1]
   local unit = (n + thread_id) % P.units + 1
   return staff("sek", "GET", string.format(
      "/api/v1/appointments/board?date=%s&unit_id=%d", day, unit))
end
