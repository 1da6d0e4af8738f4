"""The Dockerfile's images against what runs in them: the docstore worker's image has every
program its converters call (the Makefile's SYSTEM_PACKAGES, which the converter tests run
with) and the OCR languages of the settings; `docker build .` makes the image without them; and
the images the manifests in k8s/ name are the Dockerfile's targets. Nothing is built."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from akta_docstore.settings import DocstoreSettings

ROOT = Path(__file__).resolve().parents[2]
# Image name in k8s/ -> the Dockerfile's target it is built from.
IMAGE_TARGETS = {"akta": "akta", "akta-docstore-worker": "docstore-worker"}


def logical_lines(text: str) -> list[str]:
    """The lines with their backslash continuations joined, comments left out."""
    lines, current = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not current:
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    return [line.strip() for line in lines if line.strip()]


def stages() -> dict[str, list[str]]:
    """Target name -> the instructions of that stage, in the Dockerfile's order."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in logical_lines((ROOT / "Dockerfile").read_text()):
        match = re.fullmatch(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, flags=re.IGNORECASE)
        if match:
            current = found.setdefault(match.group(2) or f"stage-{len(found)}", [])
        current.append(line)
    return found


def installed_packages(stage: list[str]) -> set[str]:
    packages = set()
    for line in stage:
        for command in re.split(r"&&|;", line.removeprefix("RUN ")):
            words = command.split()
            if "apt-get" in words and "install" in words:
                packages.update(word for word in words[words.index("install") + 1 :] if not word.startswith("-"))
    return packages


def makefile_system_packages() -> set[str]:
    for line in logical_lines((ROOT / "Makefile").read_text()):
        if line.startswith("SYSTEM_PACKAGES"):
            return set(line.split(":=", 1)[1].split())
    raise AssertionError("the Makefile defines no SYSTEM_PACKAGES")


def test_the_docstore_worker_image_has_every_program_the_converters_call():
    packages = installed_packages(stages()["docstore-worker"])
    assert makefile_system_packages() <= packages, sorted(makefile_system_packages() - packages)
    for language in DocstoreSettings().ocr_languages:
        assert f"tesseract-ocr-{language}" in packages, f"no OCR data for {language}"


def test_the_docstore_worker_image_builds_on_the_runtime_and_runs_unprivileged():
    worker = stages()["docstore-worker"]
    assert re.fullmatch(r"FROM runtime AS docstore-worker", worker[0], flags=re.IGNORECASE)
    users = [line.split()[1] for line in worker if line.upper().startswith("USER ")]
    assert users and users[-1] == "10001:10001", "the stage must end as the unprivileged user"


def test_docker_build_without_a_target_makes_the_image_without_converters():
    *_, (last_name, last) = stages().items()
    assert last_name == "akta"
    assert not installed_packages(last)
    assert not installed_packages(stages()["runtime"])


def test_the_images_of_the_manifests_are_targets_of_the_dockerfile():
    used = set()
    for path in sorted((ROOT / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document.get("kind") in ("Deployment", "Job", "CronJob"):
                template = document["spec"]["template"] if document["kind"] != "CronJob" else (
                    document["spec"]["jobTemplate"]["spec"]["template"]
                )
                used.update(container["image"] for container in template["spec"]["containers"])
    assert used == set(IMAGE_TARGETS)
    assert set(IMAGE_TARGETS.values()) <= set(stages())
    kustomization = yaml.safe_load((ROOT / "k8s" / "kustomization.yaml").read_text())
    assert {image["name"] for image in kustomization["images"]} == set(IMAGE_TARGETS)
