from akta.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    service_name = "dispatch"
