-- wrk script: POST a 0.01-yuan repayment to one loan, as fast as the server takes them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"principal_fen":1,"interest_fen":0,"paid_on":"2025-12-31"}'
