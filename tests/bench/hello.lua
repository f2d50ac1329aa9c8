-- hello.lua - the denominator: a fixed small JSON answer (--bench only).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request()
   return wrk.format("GET", "/bench/hello")
end
