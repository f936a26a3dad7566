"""House rules that keep the parts separable: checked, not just written down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jsonschema
import yaml

from tests.helpers import ROOT

PACKAGE = ROOT / "sskai"


# The root of the domain package: the vocabulary every part shares, and the plans training and serving consume.
KERNEL = {"errors", "kinds", "registry", "settings", "versioned", "processes", "units", "plans"}


# Beside the kernel at the root: the package's docstring, and the one presentation module (the top).
ROOT_MODULES = KERNEL | {"__init__", "reports"}


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


def _unit(module: str) -> str | None:
    """The top-level part of sskai a module belongs to: a kernel module, a package, or ``reports``."""
    parts = module.split(".")
    if parts[0] != "sskai" or len(parts) < 2:
        return None
    return parts[1]


def package_graph() -> dict[str, set[str]]:
    """Which top-level part of sskai imports which (imports inside a part are not edges)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        source = relative[0].removesuffix(".py")
        targets = graph.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            for module in modules:
                target = _unit(module)
                if target is not None and target != source:
                    targets.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in ``graph`` as a path (first node repeated at the end), or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target] if target in path else [node, target]
            if target not in state:
                found = visit(target, [*path, target])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_root_of_the_package_is_a_small_kernel() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert modules <= ROOT_MODULES, f"loose modules at the root of sskai/: {sorted(modules - ROOT_MODULES)}"
    assert len(modules) <= 10


def test_the_kernel_imports_nothing_above_it() -> None:
    graph = package_graph()
    for module in KERNEL:
        above = graph.get(module, set()) - KERNEL
        assert not above, f"sskai/{module}.py (kernel) imports {sorted(above)}"


def test_the_packages_form_no_cycle() -> None:
    cycle = find_cycle(package_graph())
    assert cycle is None, "import cycle between parts of sskai: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The rule above can fail: a graph with a cycle is caught, with the cycle named."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
