"""The GitHub files `init` writes are hardened, and stay so.

Users copy these workflows as they are, so each is held to what a careful
reviewer would ask: zizmor (run offline, as the strictest of its personas)
finds nothing of medium or high severity; every action is pinned to a commit
with its version beside it, the same pin everywhere; no expression is written
into a script; no checkout leaves a token behind; each job has exactly the
permissions it needs; Dependabot keeps the pins fresh.
"""

from __future__ import annotations

import json
import re
import subprocess
import sysconfig
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsletter.authoring.scaffold import GITHUB_FILES

from support.cli import run
from support.clock import TODAY
from support.helpers import check_jsonschema
from support.paths import REPO

ZIZMOR = Path(sysconfig.get_path("scripts")) / "zizmor"
"""The binary the `zizmor` wheel installs beside this Python (it has no `python -m`)."""
USES_LINE = re.compile(r"^\s*(?:- )?uses:\s*(?P<ref>.*)$")
PINNED = re.compile(r"^(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
PERMISSIONS = {
    ("newsletter.yml", "check"): {"contents": "read"},
    ("newsletter.yml", "publish"): {"contents": "read", "pages": "write", "id-token": "write"},
    ("share.yml", "post"): {"contents": "write", "pull-requests": "write", "issues": "write"},
}
"""Every job `init` writes and all it may do; anything more is a change to review."""


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "exchange"
    result = run("init", str(root), "--date", TODAY, "--package", "newsletter==0.1.0")
    assert result.exit_code == 0, result.output
    return root


def workflows(root: Path) -> dict[str, str]:
    """{file name: text} of the workflows in ``root``'s .github/workflows/."""
    folder = root / ".github/workflows"
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yml"))}


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def zizmor(target: Path) -> list[dict[str, Any]]:
    """zizmor's findings on ``target``, offline, with the auditor persona (every audit);
    findings silenced by a `# zizmor: ignore[rule]` comment are not among them."""
    done = subprocess.run(
        [
            str(ZIZMOR),
            "--offline",
            "--persona=auditor",
            "--format=json",
            "--no-exit-codes",
            "--no-progress",
            "--strict-collection",  # a file zizmor cannot read is an error, not a skip
            str(target),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def serious(findings: list[dict[str, Any]]) -> list[str]:
    """Findings of medium or high severity, one line each: rule, file, line."""
    out = []
    for finding in findings:
        if finding["determinations"]["severity"] in ("Medium", "High"):
            where = finding["locations"][0]
            path = where["symbolic"]["key"]["Local"]["verbatim_path"]
            line = where["concrete"]["location"]["start_point"]["row"] + 1
            out.append(f"{finding['ident']} {path}:{line} {finding['desc']}")
    return out


def test_init_writes_the_github_files(scaffold: Path) -> None:
    for rel in GITHUB_FILES:
        assert (scaffold / rel).is_file(), rel
    assert set(workflows(scaffold)) == {"newsletter.yml", "share.yml"}


def test_zizmor_finds_nothing_serious_in_what_init_writes(scaffold: Path) -> None:
    findings = zizmor(scaffold / ".github")
    # Left, as advice (low, informational): jobs without a `name:` (the checks keep the
    # short names of their ids); no `concurrency:` on the check of a pull request (each push
    # is checked); create-pull-request where a script could call `gh pr create`.
    assert not serious(findings), "\n".join(serious(findings))


def test_zizmor_finds_nothing_serious_in_this_repository() -> None:
    if not (REPO / ".github").is_dir():
        pytest.skip("this repository has no .github/")
    findings = zizmor(REPO / ".github")
    assert not serious(findings), "\n".join(serious(findings))


def test_zizmor_catches_an_unhardened_workflow(tmp_path: Path, scaffold: Path) -> None:
    """The check itself can fail: the workflow as it was before it was hardened."""
    text = workflows(scaffold)["newsletter.yml"]
    text = re.sub(r"@[0-9a-f]{40} # v(\d+)\S*", r"@v\1", text)
    text = text.replace("        with:\n          persist-credentials: false\n", "")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/newsletter.yml").write_text(text, encoding="utf-8")
    findings = zizmor(tmp_path / ".github")
    assert Counter(line.split()[0] for line in serious(findings)) == {"unpinned-uses": 8}
    # low since checkout v6 keeps the token out of .git/config, but still reported
    assert Counter(f["ident"] for f in findings)["artipacked"] == 2


def test_every_suppressed_finding_says_why(scaffold: Path) -> None:
    for path in sorted((scaffold / ".github").rglob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if "zizmor: ignore[" in line:
                assert lines[n - 1].strip().startswith("#"), f"{path.name}:{n + 1}: say why"


def test_every_action_is_pinned_to_a_commit_with_its_version(scaffold: Path) -> None:
    pins: dict[str, set[str]] = {}
    for name, text in workflows(scaffold).items():
        refs = [m["ref"] for line in text.splitlines() if (m := USES_LINE.match(line))]
        parsed = [step["uses"] for step in steps(yaml.safe_load(text)) if "uses" in step]
        assert len(refs) == len(parsed) > 0, name  # every `uses:` is a line of its own
        for ref in refs:
            pinned = PINNED.match(ref)
            assert pinned, f"{name}: {ref!r} is not `owner/action@<40 hex> # vX.Y.Z`"
            pins.setdefault(pinned["action"], set()).add(ref)
    # one version of each action in every file: an update changes them all
    assert {action: len(refs) for action, refs in pins.items()} == dict.fromkeys(pins, 1)
    assert {"actions/checkout", "actions/setup-python"} <= set(pins)


def test_no_expression_is_written_into_a_script(scaffold: Path) -> None:
    for name, text in workflows(scaffold).items():
        for step in steps(yaml.safe_load(text)):
            assert "${{" not in step.get("run", ""), (name, step)


def test_no_checkout_keeps_credentials(scaffold: Path) -> None:
    """create-pull-request sets up (and removes) its own credentials from its `token`
    input, so even the share job's checkout keeps none."""
    checkouts = 0
    for name, text in workflows(scaffold).items():
        for step in steps(yaml.safe_load(text)):
            if step.get("uses", "").startswith("actions/checkout@"):
                checkouts += 1
                assert step.get("with", {}).get("persist-credentials") is False, name
    assert checkouts == 3


def test_each_job_has_only_the_permissions_it_needs(scaffold: Path) -> None:
    found = {}
    for name, text in workflows(scaffold).items():
        workflow = yaml.safe_load(text)
        assert workflow["permissions"] == {}, name  # nothing by default
        for job_id, job in workflow["jobs"].items():
            found[(name, job_id)] = job["permissions"]
    assert found == PERMISSIONS


def test_dependabot_keeps_the_pins_fresh(scaffold: Path) -> None:
    path = scaffold / ".github/dependabot.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["version"] == 2
    (update,) = config["updates"]
    assert update["package-ecosystem"] == "github-actions"
    assert update["directory"] == "/"
    assert update["schedule"]["interval"] == "weekly"
    done = check_jsonschema("vendor.dependabot", path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_stays_one_value(tmp_path: Path) -> None:
    """Whatever --package holds (quotes, '#', a line break), it is one YAML string: it
    cannot end the value early or add a key to the workflow."""
    spec = 'newsletter @ git+https://example.org/n.git#egg=newsletter "x"\nsteps: []'
    assert run("init", str(tmp_path), "--date", TODAY, "--package", spec).exit_code == 0
    for text in workflows(tmp_path).values():
        assert "__NEWSLETTER_PACKAGE__" not in text
        workflow = yaml.safe_load(text)
        assert workflow["env"] == {"NEWSLETTER_PACKAGE": spec}
