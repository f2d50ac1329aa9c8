-- book.lua - (c) booking with the conflict check, spread: every request
-- a free slot of its own (this run's block of the free days, split among
-- the threads).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
track_statuses()
function request()
   n = n + 1
   local k = P.booking_base + thread_id * (P.booking_block / 2) + n
   return staff("sek", "POST", "/api/v1/appointments", booking(k))
end
