"""Uploaded files and transactions: nothing stays behind a rollback.

A file is written to storage while its row is written to the database, inside the same transaction; the database
forgets the row on a rollback, the storage does not, and Django has no "on rollback" hook. Two parts close that:

- `files.atomic()` is `transaction.atomic()` that also remembers the files saved inside it with `files.save()`, and
  deletes them when the block exits with an exception (the rollback). A block inside another `files.atomic()`
  hands its files to the outer one on success, so they go too if the outer block rolls back.
- For the rollbacks such a block cannot see (a plain `transaction.atomic()` further out, a killed process), the
  sweep (`sweep_orphans()`, beat, daily) deletes the files under each registered folder that no row references
  and that are older than `UPLOADS_ORPHAN_HOURS` (so a transaction still in progress keeps its files). Each app
  registers its upload folder from its `AppConfig.ready()`: `files.register_folder("attachments", model=…,
  field="file")`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

logger = logging.getLogger(__name__)

# The files saved in the innermost open `atomic()` block of this thread or task (None outside any).
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("helpdesk_files_written", default=None)


def save(field_file: FieldFile, name: str, content) -> str:
    """Write `content` as the file of `field_file` (`FieldFile.save(name, content, save=False)`); the row is saved
    by the caller. Inside `files.atomic()` the file is deleted again if the block rolls back. Returns the stored
    name."""
    field_file.save(name, content, save=False)
    stored = field_file.name
    assert stored is not None  # FieldFile.save always sets the name
    written = _written.get()
    if written is not None:
        written.append((field_file.storage, stored))
    return stored


@contextmanager
def atomic(using: str | None = None) -> Iterator[None]:
    """`transaction.atomic()` that deletes the files saved in it (with `files.save`) when it rolls back."""
    outer = _written.get()
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _delete(written, why="rolled back")
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)  # the enclosing block may still roll back


def _delete(written: list[tuple[Storage, str]], *, why: str) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except OSError:  # left for the sweep
            logger.warning("Could not delete %s (%s); the orphan sweep will", name, why, exc_info=True)


# --- the sweep ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Folder:
    prefix: str  # the folder in the field's storage, e.g. "attachments"
    model: type[models.Model]
    field: str

    @property
    def storage(self) -> Storage:
        field = self.model._meta.get_field(self.field)
        assert isinstance(field, models.FileField)
        return field.storage


_folders: dict[str, Folder] = {}


def register_folder(prefix: str, *, model: type[models.Model], field: str) -> None:
    """Every file under `prefix` belongs to a row of `model` whose `field` names it; the others are orphans."""
    _folders[prefix.strip("/")] = Folder(prefix.strip("/"), model, field)


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        directories, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}")


def _min_age() -> timedelta:
    return timedelta(hours=float(getattr(settings, "UPLOADS_ORPHAN_HOURS", 6)))


def sweep_orphans(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delete the files of the registered folders that no row references and that are older than
    `UPLOADS_ORPHAN_HOURS`. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - _min_age()
    deleted = 0
    for folder in _folders.values():
        storage = folder.storage
        old = [name for name in _walk(storage, folder.prefix) if storage.get_modified_time(name) < cutoff]
        for start in range(0, len(old), batch):
            names = old[start : start + batch]
            referenced = set(
                folder.model._base_manager.filter(**{f"{folder.field}__in": names}).values_list(folder.field, flat=True)
            )
            for name in names:
                if name not in referenced:
                    storage.delete(name)
                    deleted += 1
                    logger.info("Deleted the orphaned file %s (no %s row references it)", name, folder.model.__name__)
    return deleted
