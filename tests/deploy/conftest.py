"""The committed templates, parsed once, and cfn-lint's findings on them, once a session."""

from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FILES = {"data": DEPLOY / "p2p-data.yaml", "app": DEPLOY / "p2p-app.yaml"}


def cfn_loader():
    """A YAML loader that reads CloudFormation's short tags (!Ref, !Sub, ...) as plain data."""

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, suffix, node):
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            return {name: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {name: loader.construct_sequence(node, deep=True)}
        return {name: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", tagged)
    return Loader


@pytest.fixture(scope="session")
def committed_app() -> dict:
    return yaml.load(FILES["app"].read_text(), Loader=cfn_loader())


@pytest.fixture(scope="session")
def cfn_lint_findings() -> dict[str, list[str]]:
    """cfn-lint's errors and warnings per template; its rules and schemas load once."""
    from cfnlint.api import ManualArgs, lint

    return {
        name: [
            str(m)
            for m in lint(path.read_text(), config=ManualArgs(regions=["us-east-1"]))
            if m.rule.id[0] in "EW"
        ]
        for name, path in FILES.items()
    }
