"""House rules that keep the parts separable: checked, not just written down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_package_imports_neither_prefect_nor_streamlit() -> None:
    for path in (ROOT / "sskai").rglob("*.py"):
        leaked = _imports(path) & {"prefect", "streamlit", "flows", "tasks", "ui"}
        assert not leaked, f"{path.relative_to(ROOT)} imports {leaked}"


def test_only_the_settings_module_reads_the_environment() -> None:
    for path in (ROOT / "sskai").rglob("*.py"):
        if path.relative_to(ROOT).as_posix() == "sskai/settings.py":
            continue
        text = path.read_text()
        assert "os.environ" not in text and "getenv" not in text, f"{path.relative_to(ROOT)} reads the environment"


def test_no_eval_no_pickle_no_shell() -> None:
    forbidden = re.compile(r"(?<![.\w])eval\(|(?<![.\w])exec\(|pickle\.loads?\(|shell=True|allow_pickle=True")
    for folder in ("sskai", "flows", "tasks", "ui", "blocks", "deployments"):
        for path in (ROOT / folder).rglob("*.py"):
            hits = forbidden.findall(path.read_text())
            assert not hits, f"{path.relative_to(ROOT)} uses {hits}"


def test_readme_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/demo.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_prefect_yaml_names_every_flow_entrypoint() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    schema = {
        "type": "object",
        "required": ["deployments"],
        "properties": {
            "deployments": {
                "type": "array",
                "items": {"type": "object", "required": ["name", "entrypoint", "work_pool"]},
            }
        },
    }
    jsonschema.validate(config, schema)
    for deployment in config["deployments"]:
        module, function = deployment["entrypoint"].split(":")
        assert f"def {function}(" in (ROOT / module).read_text(), deployment["entrypoint"]
