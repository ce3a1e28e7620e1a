#!/usr/bin/env python3
"""A Rebound worker in any language: claim a task over HTTP, run it, complete it or report its failure.

    REBOUND_URL=http://127.0.0.1:8080 python3 worker.py thumbnails     # rebound run (one port)
    REBOUND_URL=http://127.0.0.1:8081 python3 worker.py thumbnails     # a ledger run alone

Python 3 standard library only. Runs until Ctrl-C; each claim long-polls up to 10 s.
"""
import json
import os
import socket
import sys
import traceback
import urllib.error
import urllib.request

URL = os.environ.get("REBOUND_URL", "http://127.0.0.1:8080").rstrip("/")
STAGE = sys.argv[1] if len(sys.argv) > 1 else "thumbnails"
WORKER = f"py-{socket.gethostname()}-{os.getpid()}"


def post(path, body):
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read() or b"{}")


def run(task):
    """The work itself: replace with yours. An exception is reported as the task's failure."""
    url = (task.get("payload") or {}).get("url")
    if not url:
        raise ValueError("HTTP 400 Bad Request: the task has no image url")
    return {"thumbnail": url + "?w=128"}


def main():
    print(f"{WORKER} working stage {STAGE!r} at {URL}")
    while True:
        claimed = post("/v1/tasks/claim", {"worker": WORKER, "stage": STAGE, "limit": 1, "leaseMs": 60000, "waitMs": 10000})
        for task in claimed.get("tasks", []):
            tid, token = task["id"], task["leaseToken"]
            try:
                result = run(task)
            except Exception as e:  # noqa: BLE001 - every failure is Rebound's to classify
                post("/v1/failures", {"taskId": tid, "attempt": task["attempt"], "leaseToken": token,
                                      "source": WORKER, "stage": STAGE, "message": str(e),
                                      "errorType": type(e).__name__, "stackTrace": traceback.format_exc()})
                print(f"task {tid} attempt {task['attempt']} failed: {e}")
            else:
                post(f"/v1/tasks/{tid}/complete", {"leaseToken": token, "result": result})
                print(f"task {tid} done")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except urllib.error.HTTPError as e:
        sys.exit(f"Rebound answered {e.code}: {e.read().decode(errors='replace')}")
