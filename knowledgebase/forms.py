from django import forms
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import digits

from .models import Article, ArticleAttachment, Category
from .selectors import MAX_QUERY_LENGTH
from .services import COMMENT_MAX_LENGTH, COMMENT_MAX_LENGTH_DISPLAY, MSG_COMMENT_TOO_LONG
from .uploads import validate_attachment

MSG_CHOOSE_VOTE = _("Choose “Yes” or “No”.")
MSG_QUERY_TOO_LONG = _("The search text can be at most %(limit_value)s characters long.")
_QUERY_LIMIT = lazy(lambda: digits(MAX_QUERY_LENGTH), str)()


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the knowledge base"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": _("What are you looking for?")}
        ),
    )

    def clean_q(self) -> str:
        q = self.cleaned_data["q"]
        if len(q) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(MSG_QUERY_TOO_LONG, code="max_length", params={"limit_value": _QUERY_LIMIT})
        return q


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        label=_("Was this article helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": MSG_CHOOSE_VOTE, "invalid_choice": MSG_CHOOSE_VOTE},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("What was missing or unclear?"),
    )

    def clean_helpful(self) -> bool:
        return self.cleaned_data["helpful"] == "yes"

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"]
        if len(comment) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                MSG_COMMENT_TOO_LONG, code="max_length", params={"limit_value": COMMENT_MAX_LENGTH_DISPLAY}
            )
        return comment


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "description", "order", "visibility"]


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "category", "summary", "body", "status", "visibility", "tags", "related"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "dir": "auto", "class": "kb-markdown-input"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:  # read by static/js/knowledgebase.js: the live preview button
            self.fields["body"].widget.attrs.update(
                {
                    "data-preview-url": reverse("knowledgebase:markdown_preview"),
                    "data-preview-label": gettext("Preview"),
                    "data-preview-error": gettext("The preview could not be loaded."),
                }
            )
        if self.instance.pk and "related" in self.fields:
            self.fields["related"].queryset = Article.objects.exclude(pk=self.instance.pk).order_by("title")


class AttachmentInlineForm(forms.ModelForm):
    class Meta:
        model = ArticleAttachment
        fields = ["file", "name"]

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and hasattr(file, "content_type"):  # a new upload, not the stored file
            validate_attachment(file)
        return file
