"""scripts/ci/: the GitHub Actions workflow and GitLab CI job a user copies, read as YAML and
with every `scripts/suite` command line they run parsed by the real argument parser."""
from __future__ import annotations

import re
import shlex

import pytest
import yaml

from suite.cli import parser
from suite.tests.conftest import REPO_ROOT

CI = REPO_ROOT / "scripts" / "ci"


def _load(name: str) -> dict:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


def _suite_commands(script: str) -> list[list[str]]:
    """_suite_commands() joins continued lines and returns each `scripts/suite ...` command's
    arguments with shell variables replaced by a placeholder value."""
    joined = re.sub(r"\\\n\s*", " ", script)
    commands = []
    for line in joined.splitlines():
        if "scripts/suite" not in line:
            continue
        text = line.split("scripts/suite", 1)[1].split("||")[0]
        text = re.sub(r'"\$\{[^}]+\[@\]\}"|\$save', "", text)  # optional --save
        text = re.sub(r"\$\{\{[^}]+\}\}|\$\{?[A-Za-z_]+\}?", "X", text)
        commands.append(shlex.split(text))
    return commands


def _github_scripts() -> list[str]:
    workflow = _load("github-gate.yml")
    steps = workflow["jobs"]["gate"]["steps"]
    return [s["run"] for s in steps if "run" in s]


def _gitlab_scripts() -> list[str]:
    job = _load("gitlab-gate.yml")["goro-gate"]
    return job.get("before_script", []) + job["script"]


def test_github_workflow_runs_on_pull_requests_and_publishes_everything():
    workflow = _load("github-gate.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["gate"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    checkout = steps[uses.index("actions/checkout@v4")]
    assert checkout["with"]["fetch-depth"] == 0
    assert any(u.startswith("actions/github-script") for u in uses)
    upload = steps[uses.index("actions/upload-artifact@v4")]
    assert {"gate.json", "gate.md", "gate.xml"} <= set(upload["with"]["path"].split())
    assert upload["if"] == "always()"
    script = "\n".join(_github_scripts())
    assert "--base merge-base" in script and "GORO_STORE" in script
    assert "--baseline pooled:5" in script


def test_gitlab_job_runs_on_merge_requests_and_publishes_the_junit_report():
    job = _load("gitlab-gate.yml")["goro-gate"]
    assert any("merge_request_event" in rule["if"] for rule in job["rules"])
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["artifacts"]["reports"]["junit"] == "gate.xml"
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    assert "CI_MERGE_REQUEST_DIFF_BASE_SHA" in script and "/notes" in script
    assert "--baseline pooled:5" in script


@pytest.mark.parametrize("scripts", [_github_scripts, _gitlab_scripts], ids=["github", "gitlab"])
def test_every_suite_command_line_parses(scripts):
    commands = [c for s in scripts() for c in _suite_commands(s)]
    assert any(c[0] == "gate" for c in commands) and any(c[0] == "test" for c in commands)
    for argv in commands:
        args = parser().parse_args(argv)  # SystemExit (an error) fails the test
        if argv[0] == "gate":
            assert args.json and args.markdown and args.junit, argv
