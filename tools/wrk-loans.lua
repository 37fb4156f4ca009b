-- wrk script for scripts/bench: each request goes to a loan picked at random from a file of
-- loan paths (/v1/banks/{bank}/loans/{contract}, one a line), so the load spreads across many
-- loans. GET the loan, or with "post" POST a 0.01-yuan repayment to it.
--   wrk -s tools/wrk-loans.lua -H "Authorization: Bearer …" http://127.0.0.1:PORT -- paths.txt [post]
local paths = {}
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

function init(args)
    for line in io.lines(args[1]) do
        if line ~= "" then paths[#paths + 1] = line end
    end
    assert(#paths > 0, "no loan paths in " .. tostring(args[1]))
    math.randomseed(os.time() * 97 + (thread_no or 0) * 7919)
    if args[2] == "post" then
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.body = '{"principal_fen":1,"interest_fen":0,"paid_on":"2025-12-31"}'
        suffix = "/repayments"
    else
        suffix = ""
    end
end

function request()
    return wrk.format(nil, paths[math.random(#paths)] .. suffix)
end
