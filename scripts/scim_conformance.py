#!/usr/bin/env python3
"""Run the public SCIM 2.0 conformance suite scim2-tester against a running server.

Usage: scim_conformance.py BASE_URL TOKEN

BASE_URL is the organisation's SCIM base (where /ServiceProviderConfig is). Prints one line per check and
closes with "scim2-tester: N passed, M failed, K skipped". Exits 1 if any check failed, 2 if the tester crashed.
"""

import collections
import sys
import traceback

PASSED = {"SUCCESS", "COMPLIANT", "ACCEPTABLE"}
SKIPPED = {"SKIPPED"}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    base_url, token = sys.argv[1].rstrip("/") + "/", sys.argv[2]

    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import check_server

    try:
        http = Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0)
        results = check_server(SyncSCIMClient(http))
    except Exception as error:
        traceback.print_exc()
        print(f"scim2-tester: crashed: {error}")
        return 2

    counts = collections.Counter()
    for result in results:
        status = result.status.name
        verdict = "passed" if status in PASSED else "skipped" if status in SKIPPED else "failed"
        counts[verdict] += 1
        where = f" [{result.resource_type}]" if result.resource_type else ""
        reason = (result.reason or "").replace("\n", " ")
        print(f"{status:<10} {result.title}{where} :: {reason}")
    print(f"scim2-tester: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
