"""Admin permissions the role groups get for the knowledge base (merged by `accounts.roles` on migrate).

Agents write and edit articles (drafts from tickets included); supervisors also shape the category tree and
read the feedback and self-service reports; managers may delete.
"""

from accounts.models import Role
from accounts.roles import crud

_AUTHOR = {
    *crud("knowledgebase", "article", "view", "add", "change"),
    *crud("knowledgebase", "articleattachment"),
    *crud("knowledgebase", "articlerevision", "view"),
    *crud("knowledgebase", "category", "view"),
}
_EDITOR = {
    *_AUTHOR,
    *crud("knowledgebase", "category", "view", "add", "change"),
    *crud("knowledgebase", "articlefeedback", "view"),
    *crud("knowledgebase", "articlerating", "view"),
    *crud("knowledgebase", "suggestionsession", "view"),
}

ROLE_PERMISSIONS = {
    Role.AGENT: _AUTHOR,
    Role.SUPERVISOR: _EDITOR,
    Role.MANAGER: {
        *_EDITOR,
        *crud("knowledgebase", "article"),
        *crud("knowledgebase", "category"),
        *crud("knowledgebase", "articlefeedback", "view", "delete"),
    },
}
