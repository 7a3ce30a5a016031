from django.contrib.auth.backends import ModelBackend


class EmailOrMobileBackend(ModelBackend):
    pass
