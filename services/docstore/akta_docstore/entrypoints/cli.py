from akta.cli import service_cli
from akta_docstore.bootstrap import bootstrap

main = service_cli(bootstrap, "docstore")
