#!/usr/bin/env python3
"""Send random and mutated SCIM requests to a running server and check how it answers.

Usage: scim_fuzz.py BASE_URL TOKEN [--compare BASE_URL TOKEN] [--requests N] [--seed S]

BASE_URL is the organisation's SCIM base (where /ServiceProviderConfig is). Requests are generated from a
seeded random source: filters from the RFC 7644 grammar with random attributes, operators and awkward values
(U+0000, lone surrogates, SQL and LIKE metacharacters, huge numbers, long text that does not compress), users
and groups with mutated or retyped attributes, byte-mutated JSON bodies, PATCH operations with random paths and
values, PUT, Bulk, .search, projections and paging parameters, and deletes.

A problem is any 5xx, an error status without an RFC 7644 error body (the Error schema and a matching
"status"), a body that is not JSON, a broken connection, or a server that no longer answers at the end. With
--compare, every request also goes to a second server (e.g. the same build on the other database backend), each
with its own resource ids, and a different status or number of matching resources from the two is a problem too:
the backends must agree. At the end every resource created on both is read back from each and must be the same,
apart from ids, `meta` and `$ref`.
Prints the statuses seen and up to 20 problems with the request that caused each; exits 1 if there was any.

Stops early after 3 requests in a row go unanswered (a wedged server fails fast instead of timing out 10,000
times). The same seed sends the same requests as long as the servers answer them alike. The standard library
only, so that it runs wherever Python 3.8+ does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import urllib.parse

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
KLAXON = "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

ATTRIBUTES = [
    "userName", "name.givenName", "name.familyName", "name", "emails", "emails.value", "emails.type",
    'emails[type eq "work"].value', "active", "displayName", "externalId", "title", "meta.created",
    "meta.lastModified", "id", "phoneNumbers.value", f"{ENTERPRISE}:department", f"{ENTERPRISE}:manager.value",
    f"{KLAXON}:location", f"{KLAXON}:notificationPhoneNumber", "members", "members.value", "groups",
    "groups.value", 'addresses[type eq "work"].locality', "roles.value", "x",
]
OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co"]
LITERALS = [
    '"bench-1@example.com"', '"a"', '""', "true", "false", "null", "1", "-1.5e3", '"2024-01-01T00:00:00Z"',
    '"\\u0000"', '"\\ud800"', '"%"', '"_"', "'x'", '"\'; DROP TABLE resources; --"', '"a\\"b"', "1e999", "[1]", "{}",
    # Values the generated users and groups hold, so that filters also match something (and the totals compare).
    '"fuzz"', '"FUZZ-1"', '"ext-1"', '"@example.com"', '"work"', '"London"', '"F"', '"group"', '"2000-01-01T00:00:00Z"',
]


# Attributes whose values each server makes up itself (ids, and the timestamps in meta): a filter on them may
# match differently on two servers that are both right.
SERVER_SPECIFIC = re.compile(r"(?i)\b(id|members|groups|meta)\b")


class Ident:
    """A resource created on every server, standing for its id on each (the servers number resources differently)."""

    def __init__(self, ids: tuple):
        self.ids = ids


class Joined:
    """Text with ids in it, such as a path: parts that are strings or `Ident`s."""

    def __init__(self, *parts):
        self.parts = parts


def render(value, server: int):
    """The value as server number `server` is sent it: every `Ident` replaced by that server's id."""
    if isinstance(value, Ident):
        return value.ids[server]
    if isinstance(value, Joined):
        return "".join(render(part, server) for part in value.parts)
    if isinstance(value, dict):
        return {key: render(item, server) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, server) for item in value]
    return value


class Server:
    """One server under test: its connection and what it has answered."""

    def __init__(self, base_url: str, token: str):
        url = urllib.parse.urlparse(base_url)
        self.name = base_url
        self.host, self.port, self.prefix = url.hostname, url.port, url.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.statuses: dict[int, int] = {}
        self.unanswered_in_a_row = 0

    def send(self, method: str, path: str, data: bytes | None, problems: list[str], request: str):
        """Sends one request; records a problem if the answer breaks the rules. Returns (status, parsed body)."""
        try:
            self.connection.request(method, self.prefix + path, body=data, headers=self.headers)
            response = self.connection.getresponse()
            payload = response.read()
        except Exception as error:  # a reset or a timeout: the server dropped the request
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            problems.append(f"{request}\n    no answer from {self.name}: {error!r}")
            self.unanswered_in_a_row += 1
            return None, None
        self.unanswered_in_a_row = 0
        status = response.status
        self.statuses[status] = self.statuses.get(status, 0) + 1
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            problems.append(f"{request}\n    {status} from {self.name} with a body that is not JSON: {payload[:200]!r}")
            return status, None
        if status >= 500:
            problems.append(f"{request}\n    {status} from {self.name}: {payload[:300]!r}")
        elif status >= 400 and not (
            isinstance(parsed, dict) and ERROR_SCHEMA in parsed.get("schemas", []) and str(parsed.get("status")) == str(status)
        ):
            problems.append(f"{request}\n    {status} from {self.name} without an RFC 7644 error body: {payload[:200]!r}")
        return status, parsed


class Fuzzer:
    """Generates requests from a seeded random source and sends each to every server."""

    def __init__(self, servers: list[Server], seed: int):
        self.random = random.Random(seed)
        self.seed = seed
        self.servers = servers
        self.problems: list[str] = []
        self.ids: dict[str, list[Ident]] = {"Users": [], "Groups": []}
        self.sent = 0

    @property
    def unanswered_in_a_row(self) -> int:
        return max(server.unanswered_in_a_row for server in self.servers)

    def send(self, method: str, path, body=None, raw: str | None = None, filter: str | None = None):
        """Sends one request to every server. Returns each one's (status, parsed body); statuses must agree, and so
        must the totals of a list filtered by `filter` unless it reads ids or timestamps, which differ by server."""
        self.sent += 1
        answers = []
        for index, server in enumerate(self.servers):
            rendered_path = render(path, index)
            text = raw if raw is not None else (json.dumps(render(body, index)) if body is not None else None)
            data = text.encode("utf-8", "surrogatepass") if text is not None else None
            request = f"{method} {rendered_path} {data[:300]!r}" if data else f"{method} {rendered_path}"
            answers.append(server.send(method, rendered_path, data, self.problems, request))
        # The servers must agree on the status and, for a list or search, on how many resources matched: the
        # two database backends translate filters to SQL separately.
        compare_totals = filter is None or not SERVER_SPECIFIC.search(filter)
        outcomes = [
            (status, parsed.get("totalResults") if compare_totals and isinstance(parsed, dict) else None) for status, parsed in answers
        ]
        if len(set(outcomes)) > 1:
            self.problems.append(f"{method} {render(path, 0)} {render(body, 0)!r:.300}\n    the servers disagree: " + ", ".join(
                f"{server.name} {status}" + (f" with {total} results" if total is not None else "")
                for server, (status, total) in zip(self.servers, outcomes)))
        return answers

    def all_answered(self, answers, status: int) -> bool:
        return all(answer_status == status for answer_status, _ in answers)

    def compare_stored(self):
        """Reads every resource created on all servers back from each and reports any that differ beyond what each
        server makes up itself (ids, `meta`, `$ref` URLs)."""
        if len(self.servers) < 2:
            return
        for kind, known in self.ids.items():
            for ident in known:
                answers = self.send("GET", Joined(f"/{kind}/", ident))
                if not self.all_answered(answers, 200):
                    continue
                readings = [self.comparable(parsed, index) for index, (_, parsed) in enumerate(answers)]
                if any(reading != readings[0] for reading in readings[1:]):
                    self.problems.append(f"GET /{kind}/{ident.ids[0]}\n    the servers hold different resources: " + " vs ".join(
                        json.dumps(reading, sort_keys=True)[:400] for reading in readings))

    def comparable(self, value, server: int):
        """`value` with what differs by server taken out: `id`, `meta` and `$ref` dropped, and every id a server gave
        replaced by the same placeholder on all servers."""
        placeholders = {ident.ids[server]: f"<{kind} {index}>" for kind, known in self.ids.items() for index, ident in enumerate(known)}

        def strip(item):
            if isinstance(item, dict):
                return {key: strip(inner) for key, inner in item.items() if key not in ("id", "meta", "$ref")}
            if isinstance(item, list):
                return [strip(inner) for inner in item]
            if isinstance(item, str):
                return placeholders.get(item, item)
            return item

        stripped = strip(value)
        # Members and groups are listed in id order, which differs by server.
        for attribute in ("members", "groups"):
            if isinstance(stripped, dict) and isinstance(stripped.get(attribute), list):
                stripped[attribute] = sorted(stripped[attribute], key=lambda member: json.dumps(member, sort_keys=True))
        return stripped

    # Generators

    def pick(self, options):
        return self.random.choice(options)

    def quoted(self, text: str) -> str:
        return urllib.parse.quote(text, safe="", errors="surrogatepass")

    def filter(self, depth: int = 0) -> str:
        roll = self.random.random()
        if depth > 3 or roll < 0.45:
            attribute = self.pick(ATTRIBUTES)
            return f"{attribute} pr" if self.random.random() < 0.1 else f"{attribute} {self.pick(OPERATORS)} {self.pick(LITERALS)}"
        if roll < 0.6:
            return f"not ({self.filter(depth + 1)})"
        if roll < 0.7:
            return f"emails[{self.filter(depth + 1)}]"
        if roll < 0.8:
            return f"({self.filter(depth + 1)})"
        return f"{self.filter(depth + 1)} {self.pick(['and', 'or', 'AND', 'Or'])} {self.filter(depth + 1)}"

    def mutated(self, text: str) -> str:
        characters = list(text)
        for _ in range(self.random.randint(1, 4)):
            if not characters:
                break
            index = self.random.randrange(len(characters))
            roll = self.random.random()
            if roll < 0.3:
                del characters[index]
            elif roll < 0.6:
                characters.insert(index, self.pick('()[]"\\ .:,{}\x00\x7fé\u2028\ud800'))
            else:
                characters[index] = self.pick('()[]"\\ .:,{}aZ09')
        return "".join(characters)

    def value(self, depth: int = 0):
        roll = self.random.random()
        if depth > 4 or roll < 0.5:
            return self.pick([
                "x", "", "False", "True", 0, -1, 2**63, 1.5, True, False, None, "é" * 3, "a" * self.random.randint(0, 3000),
                "+44 20 7946 0000", "London", "\u0000",
                # Text that does not compress: PostgreSQL's index entries are capped at 2,704 bytes after compression.
                "".join(self.pick("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(self.random.randint(900, 3000))),
            ])
        if roll < 0.75:
            return [self.value(depth + 1) for _ in range(self.random.randint(0, 4))]
        keys = ATTRIBUTES + ["value", "type", "primary", "display", "$ref", "schemas"]
        return {self.pick(keys): self.value(depth + 1) for _ in range(self.random.randint(0, 4))}

    def user(self, number: int) -> dict:
        name = f"fuzz-{self.seed}-{number}@example.com"
        body = {
            "schemas": [USER_SCHEMA, KLAXON], "userName": name, "name": {"givenName": "F", "familyName": "Z"},
            "emails": [{"value": name, "type": "work", "primary": True}], "active": True, "externalId": f"ext-{number}",
            KLAXON: {"location": "London", "notificationPhoneNumber": "+44 20 7946 0000"},
        }
        for _ in range(self.random.randint(0, 3)):
            roll = self.random.random()
            key = self.pick(list(body))
            if roll < 0.3:
                del body[key]
            elif roll < 0.7:
                body[key] = self.value()
            else:
                body[self.pick(ATTRIBUTES)] = self.value()
        return body

    def group(self, number: int) -> dict:
        members = self.random.sample(self.ids["Users"], min(3, len(self.ids["Users"])))
        body = {"schemas": [GROUP_SCHEMA], "displayName": f"fuzz-group-{self.seed}-{number}", "members": [{"value": m} for m in members]}
        if self.random.random() < 0.3:
            body[self.pick(["members", "displayName", "schemas"])] = self.value()
        return body

    def patch(self):
        operations = []
        for _ in range(self.random.randint(0, 4)):
            operation = {"op": self.pick(["add", "replace", "remove", "Add", "Replace", "Remove", "x", 1])}
            if self.random.random() < 0.8:
                operation["path"] = self.pick(ATTRIBUTES + [
                    self.mutated(self.pick(ATTRIBUTES)), f'members[value eq "{self.random.randint(0, 9)}"]', 'emails[type eq "work"]',
                ])
            if self.random.random() < 0.85:
                operation["value"] = self.value()
            operations.append(operation)
        if self.random.random() < 0.1:
            return self.value()
        return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}

    def typed_patch(self, kind: str, number: int):
        """A PATCH a real identity platform might send: known paths with values of the right type (both Entra ID
        modes, with and without paths), so that most are applied and the servers' stored states are compared by the
        filters that follow."""
        operations = []
        for _ in range(self.random.randint(1, 3)):
            op = self.pick(["add", "replace", "remove", "Replace", "Add"])
            if kind == "Groups":
                members = [{"value": member} for member in self.random.sample(self.ids["Users"], min(self.random.randint(1, 3), len(self.ids["Users"])))]
                path, value = self.pick([
                    ("members", members), ("displayName", f"group-{self.seed}-{number}-{self.random.randint(0, 3)}"),
                    ("externalId", f"gext-{self.random.randint(0, 50)}"), (None, {"displayName": f"renamed-{number}"}),
                ])
            else:
                path, value = self.pick([
                    ("active", self.pick([True, False, "False", "True"])), ("title", self.pick(["Boss", "Dev", "", "Ærø"])),
                    ("displayName", self.pick(["F Z", "émile", "a%b", "x_y"])), ("name.givenName", self.pick(["F", "Zoë"])),
                    ("externalId", f"ext-{self.random.randint(0, 50)}"), ("userName", f"fuzz-{self.seed}-{number}-renamed@example.com"),
                    ('emails[type eq "work"].value', f"w{self.random.randint(0, 50)}@example.com"),
                    ("emails", [{"value": f"e{self.random.randint(0, 50)}@example.com", "type": self.pick(["work", "home"]), "primary": True}]),
                    ('phoneNumbers[type eq "mobile"].value', self.pick(["+44 7911 123456", "07911 123456", "not a number"])),
                    (f"{KLAXON}:location", self.pick(["London", "Leeds", "", "  london "])),
                    (f"{KLAXON}:notificationPhoneNumber", self.pick(["+44 7911 123456", "+1 (415) 555-0100", "12"])),
                    (f"{ENTERPRISE}:department", self.pick(["Ops", "R&D"])), (None, {"active": self.pick([True, "False"]), "title": "Lead"}),
                ])
            operation = {"op": op}
            if path is not None:
                operation["path"] = path
            if not (op == "remove" and path is not None):
                operation["value"] = value
            operations.append(operation)
        return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}

    # One request

    def step(self, number: int):
        kind = self.pick(["Users", "Users", "Groups"])
        known = self.ids[kind]
        roll = self.random.random()
        if roll < 0.15:
            query = {"filter": self.filter() if self.random.random() < 0.7 else self.mutated(self.filter())}
            if self.random.random() < 0.3:
                query["attributes"] = ",".join(self.random.sample(ATTRIBUTES, 2))
            if self.random.random() < 0.3:
                query["excludedAttributes"] = self.pick(ATTRIBUTES)
            if self.random.random() < 0.3:
                query["startIndex"] = self.pick(["0", "-5", "1", "99999999999999999999", "x"])
            if self.random.random() < 0.3:
                query["count"] = self.pick(["0", "-1", "5", "1000000", "1.5"])
            if self.random.random() < 0.2:
                query["sortBy"] = self.pick(ATTRIBUTES)
            self.send("GET", f"/{kind}?" + urllib.parse.urlencode(query, errors="surrogatepass"), filter=query["filter"])
        elif roll < 0.35:
            answers = self.send("POST", f"/{kind}", self.user(number) if kind == "Users" else self.group(number))
            if self.all_answered(answers, 201) and all(isinstance(created, dict) and "id" in created for _, created in answers):
                known.append(Ident(tuple(created["id"] for _, created in answers)))
        elif roll < 0.45:
            self.send("POST", f"/{kind}", raw=self.mutated(json.dumps(self.user(number))))
        elif roll < 0.7 and known:
            body = self.typed_patch(kind, number) if self.random.random() < 0.5 else self.patch()
            self.send("PATCH", Joined(f"/{kind}/", self.pick(known)), body)
        elif roll < 0.8 and known:
            body = self.user(number) if kind == "Users" else {"schemas": [GROUP_SCHEMA], "displayName": f"g{number}", "members": self.value()}
            self.send("PUT", Joined(f"/{kind}/", self.pick(known)), body)
        elif roll < 0.85:
            targets = ["/Users", "/Groups", Joined("/Users/", self.pick(self.ids["Users"] or ["x"])), "bulkId:a", "/x"]
            operations = [
                {"method": self.pick(["POST", "PATCH", "PUT", "DELETE", "GET", "x"]), "path": self.pick(targets),
                 "bulkId": self.pick(["a", "b", None]), "data": self.pick([self.user(number), self.patch(), self.value()])}
                for _ in range(self.random.randint(0, 5))
            ]
            self.send("POST", "/Bulk", {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "failOnErrors": self.pick([None, 1, 0, "x"]),
                "Operations": operations,
            })
        elif roll < 0.9:
            search = self.filter()
            self.send("POST", f"/{kind}/.search", {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": search,
                "startIndex": self.value(), "count": self.pick([1, 10, self.value()]), "attributes": self.value(),
            }, filter=search)
        elif roll < 0.95 and known:
            projection = self.pick(["", "?attributes=" + self.quoted(self.pick(ATTRIBUTES)), "?excludedAttributes=" + self.quoted(self.mutated("members"))])
            self.send("GET", Joined(f"/{kind}/", self.pick(known), projection))
        elif known:
            victim = self.pick(known)
            if self.all_answered(self.send("DELETE", Joined(f"/{kind}/", victim)), 204):
                known.remove(victim)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("--compare", nargs=2, metavar=("BASE_URL", "TOKEN"), help="a second server that must answer alike")
    parser.add_argument("--requests", type=int, default=10_000,
                        help="how many requests to generate (default 10000; a step that needs an existing resource sends nothing while there is none)")
    parser.add_argument("--seed", type=int, default=1, help="the random seed; the same seed sends the same requests")
    arguments = parser.parse_args()

    servers = [Server(arguments.base_url, arguments.token)]
    if arguments.compare:
        servers.append(Server(*arguments.compare))
    fuzzer = Fuzzer(servers, arguments.seed)
    for number in range(arguments.requests):
        fuzzer.step(number)
        if fuzzer.unanswered_in_a_row >= 3:
            fuzzer.problems.append("stopped early: 3 requests in a row went unanswered")
            break
    sent = fuzzer.sent
    fuzzer.compare_stored()
    for server, (status, _) in zip(servers, fuzzer.send("GET", "/ServiceProviderConfig")):
        if status != 200:
            fuzzer.problems.append(f"{server.name} no longer answers GET /ServiceProviderConfig")
    print(f"scim-fuzz: seed {arguments.seed}, {sent} requests sent to each server, {len(fuzzer.problems)} problems")
    for server in servers:
        print(f"  {server.name}: " + ", ".join(f"{code}: {count}" for code, count in sorted(server.statuses.items())))
    for problem in fuzzer.problems[:20]:
        print("  " + problem)
    return 1 if fuzzer.problems else 0


if __name__ == "__main__":
    sys.exit(main())
