from akta.cli import service_cli
from akta_retention.bootstrap import bootstrap

main = service_cli(bootstrap, "retention")
