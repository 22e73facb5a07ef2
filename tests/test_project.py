"""The project's own promises: the README's commands are what CI runs; dependencies are pinned."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def command_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "nox -s" in line and not line.lstrip().startswith("#")]


def test_ci_runs_the_readme_test_command():
    ci = command_lines(CI_RUN)
    assert len(ci) == 1, ci
    readme_tests = [line for line in command_lines(README) if line.endswith("nox -s tests")]
    assert readme_tests, "the README has no test command"
    # .ci/run may quieten pip, but otherwise runs the README's command word for word
    assert ci[-1].replace(" --quiet", "") == readme_tests[0]


def test_readme_build_command_is_there():
    assert any(line.endswith("python3 -m nox -s build") for line in command_lines(README))


def test_python_dependencies_are_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        spec = line.split("#")[0].strip()
        if spec:
            assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][0-9A-Za-z.]*", spec), f"not pinned exactly: {line}"


def test_missing_tex_gives_the_exact_install_command(monkeypatch):
    import handbook_build as hb

    monkeypatch.setattr(hb, "missing_tex", lambda: ["lualatex"])
    monkeypatch.setattr(hb.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(hb.shutil, "which", lambda name: "/usr/bin/" + name)
    message = hb.install_tex_or_explain()
    assert "sudo apt-get install -y --no-install-recommends " + " ".join(hb.TEX_PACKAGES) in message
