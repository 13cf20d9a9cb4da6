"""The CLI's cold start: median wall time of whole CLI processes against a local sandbox.

Usage: python3 cli/benches/cold_start.py SANDBOX_BIN CLI_BIN RUNS

Starts `SANDBOX_BIN --listen 127.0.0.1:0 --env-file ... --no-rate-limit`, reads its env file, then
runs each command RUNS times, interleaved, timed around the process with `time.perf_counter`:
`--version` (no crypto at all), a dry run of get-product-coupon (keys loaded, the request
signed, nothing sent) and the call itself (signed, sent, the sandbox's signed 404 verified). See
BENCHMARKS.md, "CLI cold start (issue 20)".
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sandbox_bin, cli, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
env_file = os.path.join(tempfile.mkdtemp(), "sandbox.env")
sandbox = subprocess.Popen(
    [sandbox_bin, "--listen", "127.0.0.1:0", "--env-file", env_file, "--no-rate-limit"],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
sandbox.stdout.readline()  # "listening on ...": the env file is written
env = dict(os.environ)
for line in open(env_file):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        key, value = line.split("=", 1)
        env[key] = value.strip().strip('"').strip("'")
target = ["--product-coupon-id", "1000000001", "--brand-id", "120344"]
commands = {
    "--version": [cli, "--version"],
    "--dry-run get-product-coupon": [cli, "--dry-run", "get-product-coupon", *target],
    "get-product-coupon": [cli, "get-product-coupon", *target],
}
times = {name: [] for name in commands}
try:
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - start) * 1000)
finally:
    sandbox.terminate()
for name, values in times.items():
    print(f"{name}: median {statistics.median(values):.1f} ms (min {min(values):.1f} ms)")
