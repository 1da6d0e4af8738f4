from akta.cli import service_cli
from akta_dispatch.bootstrap import bootstrap

main = service_cli(bootstrap, "dispatch")
