"""docs/events.md lists every consumer the code wires, with the handler's real name."""

from common.config import ROOT
from deploy.topology import consumer_table


def test_the_catalogue_lists_every_consumer_the_code_wires():
    catalogue = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert consumer_table() in catalogue, "run `python -m deploy.topology consumers` and paste it into docs/events.md"
