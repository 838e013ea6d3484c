import dataclasses

import pytest

from adjax.config import NetConfig
from adjax_code.app import configs


@pytest.mark.parametrize("name", configs.names())
def test_every_config_loads(name):
    cfg = configs.load(name)
    assert isinstance(cfg["net"], NetConfig)
    assert cfg["diffusion"].mask_id < cfg["net"].vocab_size
    for value in cfg.values():
        assert dataclasses.is_dataclass(value)


def test_unknown_config():
    with pytest.raises(ValueError, match="unknown config 'nope'.*tiny"):
        configs.load("nope")
