"""`ecsplan sandbox` starts, prints how to use it, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request


def test_sandbox_command_prints_env_and_stops_on_sigterm(tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "sandbox", "--port", "0", "--tick", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    text = "".join(lines)
    endpoint = next(ln.split("=", 1)[1].strip() for ln in lines if "AWS_ENDPOINT_URL=" in ln)
    assert "export AWS_REGION=ap-northeast-1" in text
    assert "export AWS_ACCESS_KEY_ID=testing" in text
    # pasted into a shell, the lines give the guide's `aws ...` commands all they need
    exports = "\n".join(ln.strip() for ln in lines if ln.strip().startswith("export "))
    shell = subprocess.run(
        ["bash", "-c", exports + "\nenv"], capture_output=True, text=True, check=True, env={}
    )
    got = dict(ln.split("=", 1) for ln in shell.stdout.splitlines() if ln.startswith("AWS_"))
    assert got == {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_REGION": "ap-northeast-1",
        "AWS_PAGER": "",
    }
    with urllib.request.urlopen(endpoint + "/_sandbox/stats", timeout=10) as resp:
        assert json.loads(resp.read())["requests"] == {}
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "sandbox stopped" in out
