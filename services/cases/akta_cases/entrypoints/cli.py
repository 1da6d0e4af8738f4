from akta.cli import service_cli
from akta_cases.bootstrap import bootstrap

main = service_cli(bootstrap, "cases")
