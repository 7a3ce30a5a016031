from django.urls import path

from . import signup_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("signup/", signup_views.signup, name="signup"),
    path("signup/verify/", signup_views.signup_verify, name="signup_verify"),
    path("signup/email/", signup_views.signup_email, name="signup_email"),
    path("signup/email/sent/", signup_views.signup_email_sent, name="signup_email_sent"),
    path("signup/email/<str:token>/", signup_views.signup_email_confirm, name="signup_email_confirm"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/sms/", views.password_reset_sms, name="password_reset_sms"),
    path("password/reset/sms/verify/", views.password_reset_sms_verify, name="password_reset_sms_verify"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
