from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from neuroseq.web.api import api
from neuroseq.web.api_v1 import api_v1
from neuroseq.web.views import (
    accounts,
    analytics,
    assessments,
    audit,
    auth,
    clients,
    editor,
    interop,
    jobs,
    members,
    progress,
    reports,
    review,
    staffing,
    training,
)

urlpatterns = [
    path("", auth.home, name="home"),
    path("health/", auth.health, name="health"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", auth.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", auth.two_factor_verify, name="two_factor_verify"),
    # Accounts: activation and reset links, password change (issue 10).
    path("accounts/activate/", accounts.activate, name="activate"),
    path("accounts/activate/<str:token>/", accounts.activate_link, name="activate_link"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/password/reset/", accounts.password_reset, name="password_reset"),
    path("accounts/password/reset/new/", accounts.password_reset_new, name="password_reset_new"),
    path(
        "accounts/password/reset/<str:token>/",
        accounts.password_reset_link,
        name="password_reset_link",
    ),
    path("members/<int:pk>/activation/", members.member_activation, name="member_activation"),
    path(
        "clients/<int:pk>/viewers/<int:membership_pk>/remove/",
        clients.client_unlink_viewer,
        name="client_unlink_viewer",
    ),
    path(
        "teams/<int:team_pk>/members/<int:pk>/remove/",
        members.team_remove_member,
        name="team_remove_member",
    ),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:pk>/viewers/", clients.client_link_viewer, name="client_link_viewer"),
    path("clients/<int:pk>/family/", clients.client_plain, name="client_plain"),
    path(
        "clients/<int:pk>/assessments/new/",
        assessments.assessment_create,
        name="assessment_create",
    ),
    path("children/", clients.my_children, name="my_children"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/submit/", assessments.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/amend/", assessments.assessment_amend, name="assessment_amend"),
    # Issue 9: entry in steps, review and sign, plan and progress pages, family release.
    path(
        "clients/<int:pk>/assessments/import/",
        assessments.assessment_import,
        name="assessment_import",
    ),
    path("clients/<int:pk>/progress/", progress.client_progress, name="client_progress"),
    path("assessments/<int:pk>/edit/", editor.editor_home, name="editor_home"),
    path("assessments/<int:pk>/edit/save/", editor.editor_save, name="editor_save"),
    path("assessments/<int:pk>/edit/<slug:step>/", editor.editor_step, name="editor_step"),
    path("assessments/<int:pk>/sign/", review.assessment_sign, name="assessment_sign"),
    path("assessments/<int:pk>/return/", review.assessment_return, name="assessment_return"),
    path(
        "assessments/<int:pk>/release/", assessments.assessment_release, name="assessment_release"
    ),
    path("assessments/<int:pk>/plan/", assessments.assessment_plan, name="assessment_plan"),
    # Issue 11: blind multi-rater staffing of a draft's functional review.
    path("staffings/", staffing.my_staffings, name="my_staffings"),
    path("assessments/<int:pk>/staffing/", staffing.staffing_page, name="staffing_page"),
    path("assessments/<int:pk>/staffing/open/", staffing.staffing_open, name="staffing_open"),
    path("assessments/<int:pk>/staffing/invite/", staffing.staffing_invite, name="staffing_invite"),
    path("assessments/<int:pk>/staffing/rate/", staffing.staffing_rate, name="staffing_rate"),
    path(
        "assessments/<int:pk>/staffing/rate/save/",
        staffing.staffing_rate_save,
        name="staffing_rate_save",
    ),
    path("assessments/<int:pk>/staffing/close/", staffing.staffing_close, name="staffing_close"),
    path(
        "assessments/<int:pk>/staffing/consensus/",
        staffing.staffing_consensus,
        name="staffing_consensus",
    ),
    path("audit/", audit.audit_log, name="audit_log"),
    path("analytics/", analytics.analytics_page, name="analytics"),
    path("analytics/clients/", analytics.analytics_clients, name="analytics_clients"),
    path("members/", members.members, name="members"),
    path("members/<int:pk>/role/", members.member_role, name="member_role"),
    path("members/<int:pk>/active/", members.member_active, name="member_active"),
    path("teams/new/", members.team_create, name="team_create"),
    path("teams/members/", members.team_add_member, name="team_add_member"),
    # Interchange (issue 12): tokens, FHIR, exports.
    path("account/tokens/", interop.token_list, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", interop.token_revoke, name="api_token_revoke"),
    path("assessments/<int:pk>/fhir/", interop.assessment_fhir, name="assessment_fhir"),
    path("clients/<int:pk>/fhir/", interop.client_fhir_import, name="client_fhir_import"),
    path("clients/<int:pk>/export/", interop.client_record_export, name="client_export"),
    path("exports/", interop.exports_page, name="exports"),
    # PDF reports (issue 12, part 1).
    path("assessments/<int:pk>/report/", reports.assessment_report, name="assessment_report"),
    path("clients/<int:pk>/family/report/", reports.family_report, name="family_report"),
    path("api/v1/", api_v1.urls),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/start/<slug:kind>/", jobs.job_start, name="job_start"),
    path("jobs/<uuid:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/status/", jobs.job_status, name="job_status"),
    path("jobs/<uuid:pk>/download/", jobs.job_download, name="job_download"),
    path("training/", training.training_home, name="training_home"),
    path(
        "training/vignettes/<slug:vignette_id>/", training.vignette_rate, name="training_vignette"
    ),
    path("training/attempts/<int:pk>/", training.attempt_result, name="training_attempt"),
    path("training/trainees/", training.trainees, name="training_trainees"),
    path("training/trainees/<int:pk>/", training.trainee_detail, name="training_trainee"),
    path(
        "training/trainees/<int:pk>/certify/",
        training.trainee_certify,
        name="training_certify",
    ),
    path("training/trainees/<int:pk>/revoke/", training.trainee_revoke, name="training_revoke"),
    path("training/assign/", training.training_assign, name="training_assign"),
    path("training/fidelity/", training.fidelity, name="training_fidelity"),
    path("api/", api.urls),
    # The admin signs in through the same page as everyone (lockout and two-factor included).
    path("admin/login/", auth.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler403 = "neuroseq.web.views.errors.forbidden"
handler404 = "neuroseq.web.views.errors.not_found"
handler500 = "neuroseq.web.views.errors.server_error"
