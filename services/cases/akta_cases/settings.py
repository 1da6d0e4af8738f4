from akta.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    service_name = "cases"
