#!/usr/bin/env python3
"""A service that uses Kvorum's HTTP API with nothing but the standard library.

It registers itself in the service catalog with a TTL check, keeps that check passing by
reporting in (a background thread, every third of the TTL), discovers the passing instances of
its service, and follows its configuration node with blocking queries: each answer carries the
revision it reflects (X-Kvorum-Revision), and asking again with ?revision=R returns as soon as
the node changes after R. On exit (Ctrl-C, or after --changes configuration changes) it
deregisters.

    python3 kvorum_service.py --url http://127.0.0.1:7382 --name hello --port 8000
"""
import argparse
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class Kvorum:
    """The few calls of the HTTP API this service needs."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None, timeout=10):
        """Returns (decoded JSON body, revision); raises KvorumError on an error answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                revision = int(answer.headers.get("X-Kvorum-Revision", "0"))
                return json.loads(answer.read() or b"{}"), revision
        except urllib.error.HTTPError as e:
            raise KvorumError(e.code, json.loads(e.read() or b"{}").get("error", {})) from None

    def register(self, name, instance_id, address, port, ttl):
        body = {"address": address, "port": port, "tags": ["python"],
                "checks": [{"id": "ttl", "ttl": ttl, "deregisterAfter": "1m"}]}
        return self.call("PUT", "/v1/catalog/services/%s/%s" % (q(name), q(instance_id)), body)[0]

    def report(self, name, instance_id, status="passing", note=""):
        path = "/v1/catalog/services/%s/%s/checks/ttl" % (q(name), q(instance_id))
        return self.call("PUT", path, {"status": status, "note": note})[0]

    def deregister(self, name, instance_id):
        self.call("DELETE", "/v1/catalog/services/%s/%s" % (q(name), q(instance_id)))

    def passing(self, name):
        return self.call("GET", "/v1/health/service/%s?passing" % q(name))[0]["instances"]

    def read(self, path, after_revision=None, wait="30s"):
        """The node's text and the revision of the answer; with after_revision, a blocking query."""
        query = "" if after_revision is None else "?revision=%d&wait=%s" % (after_revision, wait)
        node, revision = self.call("GET", "/v1/nodes" + quote_path(path) + query, timeout=120)
        return node.get("text"), revision


class KvorumError(Exception):
    def __init__(self, status, error):
        super().__init__("HTTP %d %s: %s" % (status, error.get("reason", ""), error.get("message", "")))
        self.status = status
        self.reason = error.get("reason")


def q(segment):
    return urllib.parse.quote(segment, safe="")


def quote_path(path):
    return urllib.parse.quote(path, safe="/")


def seconds(duration):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for unit in ("ms", "s", "m", "h"):
        if duration.endswith(unit):
            return int(duration[:-len(unit)]) * units[unit]
    raise ValueError("a duration such as 10s: " + duration)


def keep_alive(kv, name, instance_id, every, stop, verbose):
    """Reports the TTL check passing until stopped; a failed report is retried next round."""
    while not stop.wait(every):
        try:
            kv.report(name, instance_id, "passing", "serving")
            if verbose:
                print("reported passing", flush=True)
        except (KvorumError, OSError) as e:
            print("report failed, retrying: %s" % e, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:7382", help="a node's HTTP API")
    p.add_argument("--name", default="hello", help="the service's name")
    p.add_argument("--id", default=None, help="this instance's id (default: NAME-HOSTNAME-PORT)")
    p.add_argument("--address", default="127.0.0.1", help="where clients reach this instance")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--ttl", default="10s", help="the TTL check's TTL")
    p.add_argument("--config", default=None, help="the configuration node (default: /config/NAME)")
    p.add_argument("--changes", type=int, default=0, help="exit after this many configuration changes (0: never)")
    p.add_argument("--verbose", action="store_true", help="print each report")
    args = p.parse_args()
    instance_id = args.id or "%s-%s-%d" % (args.name, socket.gethostname(), args.port)
    config = args.config or "/config/" + args.name
    kv = Kvorum(args.url)

    registered = kv.register(args.name, instance_id, args.address, args.port, args.ttl)
    print("registered %s/%s: %s" % (args.name, instance_id, registered["status"]), flush=True)
    stop = threading.Event()
    threading.Thread(target=keep_alive, daemon=True,
                     args=(kv, args.name, instance_id, seconds(args.ttl) / 3, stop, args.verbose)).start()
    try:
        for i in kv.passing(args.name):
            print("discovered %s at %s:%d" % (i["id"], i["address"], i["port"]), flush=True)

        text, revision = kv.read(config)
        print("config %s = %s (revision %d)" % (config, text, revision), flush=True)
        changes = 0
        while args.changes == 0 or changes < args.changes:
            new_text, new_revision = kv.read(config, after_revision=revision)
            if new_text != text:
                changes += 1
                print("config %s changed to %s (revision %d)" % (config, new_text, new_revision), flush=True)
            text, revision = new_text, new_revision
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        kv.deregister(args.name, instance_id)
        print("deregistered %s/%s" % (args.name, instance_id), flush=True)


if __name__ == "__main__":
    main()
