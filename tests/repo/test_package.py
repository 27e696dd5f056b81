"""The wheel carries the default theme: an installed `newsletter` works outside this repo."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from support.paths import REPO


def installed_packages() -> list[str]:
    """The folders this interpreter imports installed packages from (its virtualenv's
    site-packages, the system's, the user's), without the repository itself."""
    folders = {*site.getsitepackages(), site.getusersitepackages()}
    folders |= {p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")}
    return [
        f
        for f in sorted(folders)
        if Path(f).is_dir() and not Path(f).resolve().is_relative_to(REPO)
    ]


@pytest.mark.slow
def test_wheel_works_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        check=True,
    )
    wheel = next(dist.glob("newsletter-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ("base.html", "email/edition.html", "email/edition.txt", "static/style.css"):
        assert f"newsletter/theme/{rel}" in names, rel
    # each catalog compiled when the wheel is built (the repository holds only the .po)
    for lang in ("ar", "de", "es", "fr", "pt"):
        assert f"newsletter/locale/{lang}/LC_MESSAGES/newsletter.mo" in names, lang

    # A new environment of its own, whatever this one is (a virtualenv, the system's
    # Python): it sees the wheel, then this interpreter's installed dependencies, named
    # explicitly, and never the repository's own newsletter/ (an editable install).
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    python = env_dir / "bin" / "python"
    target = tmp_path / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *installed_packages()])}
    elsewhere = tmp_path / "elsewhere"
    script = "from newsletter.cli import main; main()"
    for args in (["init", str(elsewhere), "--editor", "mo"], ["-C", str(elsewhere), "build"]):
        done = subprocess.run(
            [str(python), "-c", script, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    # the copy of the theme in the new project is not needed: the wheel's own is used
    subprocess.run(["rm", "-r", str(elsewhere / "templates")], check=True)
    done = subprocess.run(
        [str(python), "-c", "import newsletter.project.theme as t; print(t.builtin_theme())"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.stdout.strip() == str(target / "newsletter" / "theme")
    done = subprocess.run(
        [str(python), "-c", script, "-C", str(elsewhere), "build"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "site/static/style.css").is_file()

    # in French, from the wheel's compiled catalog
    config = elsewhere / "newsletter.yaml"
    assert "\nlanguage: en\n" in config.read_text()
    config.write_text(config.read_text().replace("\nlanguage: en\n", "\nlanguage: fr\n"))
    done = subprocess.run(
        [str(python), "-c", script, "-C", str(elsewhere), "build"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert ">Membres<" in (elsewhere / "site/index.html").read_text(encoding="utf-8")
