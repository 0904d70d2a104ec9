"""The accessibility audit of the browser tests: axe-core (npm, from the dev
lock, read from node_modules, never a CDN) with the WCAG 2.1 A and AA rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent.parent / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def finding_data(node: dict) -> str:
    """What axe measured (for contrast: both colours and the ratio)."""
    data = [check.get("data") for check in node.get("any", []) + node.get("all", []) if check.get("data")]
    return json.dumps(data[0]) if data else ""


def audit(page: Page) -> List[str]:
    """The violations on the page as it is now, one line each with the elements
    concerned (empty: none); prints how many rules passed. The page's context
    needs `bypass_csp=True`: axe is injected as a script."""
    assert AXE.is_file(), f"{AXE} is missing: run `make setup-dev` (npm ci installs axe-core)"
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_A_AA,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(f"{n['target'][0]} {n['failureSummary']} {finding_data(n)}" for n in v["nodes"][:5])
        for v in result["violations"]
    ]
    version, passed = result["testEngine"]["version"], len(result["passes"])
    print(f"\naxe-core {version}: {passed} rules pass, {len(violations)} violated")
    return violations
