from akta.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name = "intake"
