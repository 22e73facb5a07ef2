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


def test_python_dependencies_are_pinned_exactly_and_locked():
    import handbook_build as hb

    for role in hb.ROLES:
        for line in (ROOT / "requirements" / f"{role}.in").read_text(encoding="utf-8").splitlines():
            spec = line.split("#")[0].strip()
            if spec and not spec.startswith("-r "):
                assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][0-9A-Za-z.]*", spec), f"not pinned exactly: {line}"
        lock = (ROOT / "requirements" / f"{role}.txt").read_text(encoding="utf-8")
        unhashed = re.findall(r"^([A-Za-z0-9_.-]+==[^\s\\]+)(?=[ \n])(?! \\\n    --hash=sha256:)", lock, re.M)
        assert not unhashed, f"requirements/{role}.txt: without a hash: {unhashed}"
    assert hb.lock_problems() == []


def test_lock_check_reports_a_pin_the_lock_does_not_hold(tmp_path, monkeypatch):
    import handbook_build as hb

    for role in hb.ROLES:
        (tmp_path / f"{role}.in").write_text("sphinx==9.0.4\n")
        (tmp_path / f"{role}.txt").write_text("sphinx==9.0.4 \\\n    --hash=sha256:00\n")
    (tmp_path / "lint.txt").write_text("sphinx==9.0.3 \\\n    --hash=sha256:00\n")
    monkeypatch.setattr(hb, "REQUIREMENTS", tmp_path)
    monkeypatch.setattr(hb, "ROOT", tmp_path.parent)
    problems = hb.lock_problems()
    assert len(problems) == 1 and "lint.in: sphinx==9.0.4, but" in problems[0] and "has 9.0.3" in problems[0]


def test_system_packages_are_installed_only_when_asked(monkeypatch):
    import handbook_build as hb

    calls = []
    monkeypatch.setattr(hb.os, "geteuid", lambda: 0)  # root, yet not asked: no apt-get
    monkeypatch.setattr(hb.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(hb.subprocess, "run", lambda *a, **k: calls.append(a))
    for name, _ in hb.SYSTEM_PACKAGES_ASKED:
        monkeypatch.delenv(name, raising=False)
    message = hb.apt_install_or_explain("The PDF", lambda: ["lualatex"], ["texlive-luatex"])
    assert calls == [] and "HANDBOOK_SYSTEM_PACKAGES=install" in message
    monkeypatch.setenv("HANDBOOK_SYSTEM_PACKAGES", "install")
    hb.apt_install_or_explain("The PDF", lambda: ["lualatex"], ["texlive-luatex"])
    assert calls and calls[-1][0][:2] == ["apt-get", "install"]


def test_missing_tex_gives_the_exact_install_command(monkeypatch):
    import handbook_build as hb

    monkeypatch.setattr(hb, "missing_tex", lambda: ["lualatex"])
    monkeypatch.setattr(hb.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(hb.shutil, "which", lambda name: "/usr/bin/" + name)
    message = hb.install_tex_or_explain()
    assert "sudo apt-get install -y --no-install-recommends " + " ".join(hb.TEX_PACKAGES) in message
