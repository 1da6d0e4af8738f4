from akta.cli import service_cli
from akta_intake.bootstrap import bootstrap

main = service_cli(bootstrap, "intake")
