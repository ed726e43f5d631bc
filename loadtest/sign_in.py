"""Sign the load test's users in, through the sign-in form, before the measured run.

A sign-in costs a deliberate second of CPU (PBKDF2, 1,000,000 iterations): fifty of them
inside the 60 s run would measure the password hasher, not the pages. So every simulated
user gets a session of its own here, by the same form a person uses, and the cookies are
written to a JSON file that ``locustfile.py`` reads (``LOADTEST_SESSIONS``).

    python loadtest/sign_in.py --host http://127.0.0.1:8765 --out sessions.json \\
        pengadaan.garuda=30 staf.kemenperin=10 admin.kadin=10
"""

import argparse
import json
import sys
from urllib.parse import urlsplit

import requests

PASSWORD = "kemitraan-demo"  # the demo users of `seed_demo` (accounts/demo.py)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def sign_in(host: str, username: str) -> dict:
    session = requests.Session()
    session.get(f"{host}/masuk/", timeout=60).raise_for_status()
    response = session.post(
        f"{host}/masuk/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{host}/masuk/"},
        timeout=60,
    )
    response.raise_for_status()
    if "/masuk/" in response.url:
        raise SystemExit(f"{username} could not sign in (is seed_demo loaded?)")
    return session.cookies.get_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--warm-up", action="store_true", help="a few unmeasured requests")
    parser.add_argument("users", nargs="+", help="USERNAME=COUNT")
    options = parser.parse_args()
    if urlsplit(options.host).hostname not in LOOPBACK:
        raise SystemExit(f"Refusing {options.host!r}: loopback hosts only.")
    sessions: dict[str, list[dict]] = {}
    for item in options.users:
        username, _, count = item.partition("=")
        sessions[username] = [sign_in(options.host, username) for _ in range(int(count or 1))]
        print(f"signed in {username} {len(sessions[username])} times", file=sys.stderr)
    with open(options.out, "w", encoding="utf-8") as out:
        json.dump(sessions, out)
    if options.warm_up:
        warm_up(options.host, sessions)


def warm_up(host: str, sessions: dict[str, list[dict]], rounds: int = 6):
    """A few requests of each kind, not measured, so that both workers have loaded their
    templates and the search's stemmer dictionary, as a server in use has."""
    paths = {
        "pengadaan.garuda": [
            "/ikm/direktori/?search=komponen&province=32",
            "/kemitraan/kebutuhan/",
        ],
        "staf.kemenperin": ["/ikm/direktori/?search=bubut", "/ikm/"],
        "admin.kadin": ["/dasbor/"],
    }
    for _ in range(rounds):
        for username, urls in paths.items():
            if not sessions.get(username):
                continue
            for path in urls:
                requests.get(f"{host}{path}", cookies=sessions[username][0], timeout=60)
    print(f"warmed up: {rounds} rounds", file=sys.stderr)


if __name__ == "__main__":
    main()
