-- wrk script: each request submits one PHQ-9 sheet with a code of its own from $CODES (one per
-- line). Threads take every n-th code, so no code is sent twice, and a thread stops when its codes
-- are spent: the run is exactly one submission per pupil. One sheet in ten answers item 9.
local codes, sent = {}, 0
local id = 0

function setup(thread)
  thread:set("tid", id)
  id = id + 1
end

function init(args)
  local step = tonumber(os.getenv("THREADS") or "2")
  local k = 0
  for line in io.lines(os.getenv("CODES")) do
    if k % step == tid then codes[#codes + 1] = line end
    k = k + 1
  end
end

function request()
  sent = sent + 1
  local code = codes[sent] or "SPENT000"
  local q9 = (sent % 10 == 0) and "2" or "0"
  local body = "code=" .. code .. "&q1=1&q2=0&q3=1&q4=0&q5=0&q6=1&q7=0&q8=0&q9=" .. q9
  return wrk.format("POST", "/answer/submit", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  if sent >= #codes then wrk.thread:stop() end
end
