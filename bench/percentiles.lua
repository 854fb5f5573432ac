-- wrk's --latency prints 50/75/90/99 %: bench/run.py wants p95 too. At the end of a run, one
-- line per percentile in microseconds, read by run.py's parse_wrk.
done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("PERCENTILE %d %d\n", p, latency:percentile(p)))
  end
end
