from akta.settings import ServiceSettings


class RetentionSettings(ServiceSettings):
    service_name = "retention"
