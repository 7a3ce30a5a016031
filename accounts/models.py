from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from accounts.identifiers import clean_email, clean_mobile
from helpdesk.validators import validate_economic_code, validate_legal_id, validate_mobile, validate_national_id

MSG_ORGANISATION_CUSTOMERS_ONLY = _("Only customers can be members of an organisation.")


class Role(models.TextChoices):
    """Access levels (F02). Each role is also a Django group carrying its admin permissions (data migration)."""

    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)
# Roles that use the Django admin site (is_staff follows the role; see accounts.services.user_set_role).
ADMIN_SITE_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)
# Rank of each role: an admin-site user may give or edit only roles up to their own rank.
ROLE_RANK: dict[str, int] = {Role.CUSTOMER: 0, Role.AGENT: 1, Role.SUPERVISOR: 2, Role.MANAGER: 3, Role.ADMIN: 4}
# Roles that see and answer every department (G5).
ALL_DEPARTMENT_ROLES = (Role.MANAGER, Role.ADMIN)


class Organisation(models.Model):
    """A customer company (G6). Members follow each other's tickets when `sharing` allows it."""

    class Sharing(models.TextChoices):
        OWN = "own", _("Members see only their own tickets")
        ALL = "all", _("Members see all the organisation's tickets")

    name = models.CharField(_("name"), max_length=200, unique=True)
    national_id = models.CharField(_("legal national ID"), max_length=11, blank=True, validators=[validate_legal_id])
    economic_code = models.CharField(_("economic code"), max_length=14, blank=True, validators=[validate_economic_code])
    sharing = models.CharField(_("ticket sharing"), max_length=8, choices=Sharing.choices, default=Sharing.OWN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=~Q(national_id=""), name="organisation_national_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        extra["mobile"] = clean_mobile(extra.get("mobile"))
        user = self.model(email=clean_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # A natural key is the email (any case) or, for a user without one, the mobile (see User.get_username).
        if username and "@" not in username:
            return self.get(mobile=username)
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One account for customers and staff. Logs in by email or by mobile number.

    `role` is the access level the application checks; `accounts.services.user_set_role` keeps the
    matching Django group (admin permissions) and `is_staff` in step with it.
    """

    class Language(models.TextChoices):
        PERSIAN = "fa", _("Persian")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    mobile = models.CharField(
        _("mobile"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    full_name = models.CharField(_("full name"), max_length=150)
    national_id = models.CharField(_("national ID"), max_length=10, blank=True, validators=[validate_national_id])
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.PERSIAN)
    role = models.CharField(
        _("access level"), max_length=12, choices=Role.choices, default=Role.CUSTOMER, db_index=True
    )

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="members",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class OrganisationRole(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    organisation_role = models.CharField(
        _("role in organisation"), max_length=8, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER
    )

    # Notification preferences per channel (used by the notifications app).
    notify_email = models.BooleanField(_("notify by email"), default=True)
    notify_sms = models.BooleanField(_("notify by SMS"), default=True)
    notify_panel = models.BooleanField(_("notify in the panel"), default=True)

    # F28 / F29
    expires_at = models.DateTimeField(_("account expires at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)
    # Bumped whenever the person's second-factor devices are removed (turned off, or an admin's recovery): a session
    # verified under an older value is ended (accounts.middleware.TwoFactorMiddleware).
    two_factor_generation = models.PositiveIntegerField(_("two-factor generation"), default=0, editable=False)

    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(mobile__isnull=False),
                name="user_has_email_or_mobile",
                violation_error_message=_("Enter an email address or a mobile number (at least one of them)."),
                violation_error_code="email_or_mobile",
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.mobile or str(self.pk)

    def clean(self):
        # Not AbstractBaseUser.clean(): that would write get_username() (possibly the mobile) into `email`.
        self.email = clean_email(self.email)
        if self.organisation_id is not None and self.role != Role.CUSTOMER:
            raise ValidationError(
                {"organisation": ValidationError(MSG_ORGANISATION_CUSTOMERS_ONLY, code="not_customer")}
            )

    def get_username(self) -> str:
        """The login identifier to show: the email, or the mobile of a user who has no email."""
        return self.email or self.mobile or ""

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def is_employee(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def sees_all_departments(self) -> bool:
        return self.role in ALL_DEPARTMENT_ROLES or self.is_superuser

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class CustomerManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(role=Role.CUSTOMER)


class EmployeeManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(role__in=STAFF_ROLES)


class Customer(User):
    """Customers only: the "Customers" page of the admin site (F04). Same table as User."""

    objects: ClassVar[CustomerManager] = CustomerManager()

    class Meta:
        proxy = True
        verbose_name = _("customer")
        verbose_name_plural = _("customers")


class Employee(User):
    """Agents, supervisors, managers and admins: the "Employees" page of the admin site (F05)."""

    objects: ClassVar[EmployeeManager] = EmployeeManager()

    class Meta:
        proxy = True
        verbose_name = _("employee")
        verbose_name_plural = _("employees")


class SignupCode(models.Model):
    """One request to sign up (self-registration, `accounts.signup`): by SMS (the number and the hash of the code
    sent to it) or by email (the address and the hash of the secret in the link sent to it), and the name given.
    Kept a day, so that the requests of the last hour can be counted per number, per email address and per client
    address. `code_hash` is empty when the number or address already had an account: nothing matches, and the
    message said so to its owner instead (the page looks the same either way)."""

    mobile = models.CharField(_("mobile"), max_length=11, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    full_name = models.CharField(_("full name"), max_length=150)
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up code")
        verbose_name_plural = _("sign-up codes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(mobile="") & ~Q(email="")) | (~Q(mobile="") & Q(email="")),
                name="signupcode_mobile_or_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mobile or self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class PasswordResetCode(models.Model):
    """One request to reset a password by SMS (`accounts.password_sms`): the number, the account it belongs to and
    the hash of the code sent to it. Kept a day, so that the requests of the last hour can be counted per number
    and per client address. `user` is None and `code_hash` empty when no customer without an email has the number:
    nothing was sent and no code matches (the page looks the same either way)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mobile = models.CharField(_("mobile"), max_length=11, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")

    def __str__(self) -> str:
        return f"{self.mobile} ({self.created_at:%Y-%m-%d %H:%M})"


# --- Two-factor sign-in (accounts/twofactor.py) ------------------------------------------------------------------


class TwoFactorRequirement(models.Model):
    """Whether the people of one access level must sign in with a second factor: one row per role (migration),
    ticked by an admin. The roles in settings.TWO_FACTOR_REQUIRED_ROLES must use it whatever the row says."""

    role = models.CharField(_("access level"), max_length=12, choices=Role.choices, unique=True)
    required = models.BooleanField(_("two-factor sign-in required"), default=False)

    class Meta:
        verbose_name = _("two-factor requirement")
        verbose_name_plural = _("two-factor sign-in")
        ordering = ["role"]

    def __str__(self) -> str:
        return str(self.get_role_display())


class BackupCodeDevice(ThrottlingMixin, Device):
    """One-time backup codes of a user (django-otp device). Unlike django-otp's static device, the codes are
    stored as keyed hashes (`BackupCode.digest`): a copy of the database does not hand them out."""

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def get_throttle_factor(self) -> float:
        return settings.OTP_TOTP_THROTTLE_FACTOR

    def verify_token(self, token) -> bool:
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _rows = self.codes.filter(digest=backup_code_digest(str(token))).delete()
        if deleted:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, related_name="codes", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self) -> str:
        return f"backup code {self.pk}"  # never the code: only its hash is kept


def backup_code_digest(code: str) -> str:
    """The stored form of a normalised backup code (HMAC-SHA256 under SECRET_KEY)."""
    return salted_hmac("accounts.backup-code", code, algorithm="sha256").hexdigest()
