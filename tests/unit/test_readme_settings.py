"""The README names every environment variable a service reads (its settings' fields)."""

from pathlib import Path

from akta.settings import ServiceSettings
from akta_gateway.settings import GatewaySettings
from tests.unit.test_k8s_manifests import SERVICES, settings_class

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    classes = {service: settings_class(service) for service in SERVICES}
    classes["gateway"] = GatewaySettings
    variables = {f"AKTA_{field.upper()}" for field in ServiceSettings.model_fields}
    for service, settings in classes.items():
        variables |= {
            f"AKTA_{service.upper()}_{field.upper()}" for field in settings.model_fields if field not in ServiceSettings.model_fields
        }
    assert sorted(variable for variable in variables if f"`{variable}`" not in readme) == []
