from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgebaseConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledgebase"
    verbose_name = _("Knowledge base")

    def ready(self):
        # tickets must not import the knowledge base (dependency direction), so the KB plugs its panels and its
        # self-service outcome into the ticket pages' registries.
        from helpdesk import files, navigation

        from . import ticket_pages
        from .models import ArticleAttachment

        ticket_pages.register()
        navigation.register(
            navigation.Entry(
                _("Knowledge base"),
                ("knowledgebase:home",),
                navigation.everyone,
                _("Answers to common questions, ready to read."),
                50,
            )
        )
        navigation.register_not_found(
            navigation.Entry(_("Search the knowledge base"), ("knowledgebase:home",), navigation.everyone)
        )
        files.register_folder("kb", model=ArticleAttachment, field="file")  # the orphan sweep's folders
