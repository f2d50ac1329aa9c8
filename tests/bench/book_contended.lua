-- book_contended.lua - (c) booking, contended: every connection asks for
-- the same four slots, so one of each wins and the rest get 409.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
track_statuses()
function request()
   n = n + 1
   return staff("sek", "POST", "/api/v1/appointments", booking(P.contended_base + n % 4))
end
