"""Each component's Alembic history is one line: parallel branches that each add a migration
must be chained before they land, or `upgrade head` refuses to run."""

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from common.config import ROOT
from common.migrate import COMPONENTS


@pytest.mark.parametrize("component", COMPONENTS)
def test_one_head(component):
    folder = ROOT / ("gateway" if component == "gateway" else f"services/{component}") / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
