from akta.settings import ServiceSettings


class DocstoreSettings(ServiceSettings):
    service_name = "docstore"
