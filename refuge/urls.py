from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from refuge.accounts import views as account_views
from refuge.api import api
from refuge.audit import views as audit_views
from refuge.collect import views as collect_views
from refuge.matching import views as matching_views
from refuge.registry import offline, privacy_views, tallies
from refuge.registry import views as registry_views
from refuge.reports import views as report_views
from refuge.shelter import views as shelter_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("post/", account_views.post_picker, name="post"),
    path("desk/", registry_views.desk, name="desk"),
    path("tally/", tallies.tally, name="tally"),
    path("tally/<uuid:tally_uuid>/correct/", tallies.correct_tally, name="tally-correct"),
    path("tally/<uuid:tally_uuid>/history/", tallies.tally_history, name="tally-history"),
    path("search/", registry_views.search, name="search"),
    path("households/<uuid:household_uuid>/", registry_views.household_detail, name="household"),
    path("households/<uuid:household_uuid>/card/", registry_views.household_card, name="card"),
    path("households/<uuid:household_uuid>/link/", registry_views.link_household,
         name="link-household"),
    path("households/<uuid:household_uuid>/status/", registry_views.household_status,
         name="household-status"),
    path("households/<uuid:household_uuid>/conflicts/<int:conflict_id>/",
         registry_views.resolve_household_conflict, name="resolve-household-conflict"),
    path("households/<uuid:household_uuid>/consent/", privacy_views.record_consent,
         name="record-consent"),
    path("people/<uuid:person_uuid>/", registry_views.person_detail, name="person"),
    path("people/<uuid:person_uuid>/conflicts/<int:conflict_id>/",
         registry_views.resolve_conflict, name="resolve-conflict"),
    path("people/<uuid:person_uuid>/move/", registry_views.move_person, name="move-person"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("dashboard/", report_views.dashboard, name="dashboard"),
    path("dashboard/expected/", report_views.set_expected_population, name="set-expected"),
    path("reports/daily/", report_views.daily_report, name="daily-report"),
    path("reports/daily.pdf", report_views.daily_report_pdf, name="daily-report-pdf"),
    re_path(r"^exports/figures\.(?P<kind>csv|hxl|xlsx)$", report_views.export_figures,
            name="export-figures"),
    path("exports/people.csv", report_views.export_people, name="export-people"),
    path("duplicates/", matching_views.queue, name="matching"),
    path("duplicates/households/", matching_views.households, name="matching-households"),
    path("duplicates/search/", matching_views.search_registry, name="matching-search"),
    path("duplicates/search/progress/", matching_views.search_progress,
         name="matching-search-progress"),
    path("duplicates/<uuid:pair_uuid>/", matching_views.pair_detail, name="matching-pair"),
    re_path(r"^duplicates/(?P<pair_uuid>[0-9a-f-]{36})/(?P<action>merge|reject|skip)/$",
            matching_views.pair_action, name="matching-pair-action"),
    path("duplicates/merges/<uuid:merge_uuid>/undo/", matching_views.unmerge,
         name="matching-unmerge"),
    re_path(r"^duplicates/households/(?P<match_uuid>[0-9a-f-]{36})/(?P<action>link|reject)/$",
            matching_views.household_action, name="matching-household-action"),
    path("shelter/", shelter_views.board, name="shelter"),
    path("shelter/place/", shelter_views.place, name="shelter-place"),
    path("shelter/allocation/", shelter_views.allocation, name="shelter-allocation"),
    path("shelter/allocation/run/", shelter_views.run_allocation, name="shelter-allocate"),
    path("shelter/allocation/accept/", shelter_views.accept_proposals,
         name="shelter-accept-proposals"),
    path("shelter/proposals/<uuid:proposal_uuid>/", shelter_views.proposal_detail,
         name="shelter-proposal"),
    re_path(r"^shelter/proposals/(?P<proposal_uuid>[0-9a-f-]{36})/(?P<action>accept|reject)/$",
            shelter_views.proposal_action, name="shelter-proposal-action"),
    path("shelter/sites/new/", shelter_views.site_form, name="shelter-site-new"),
    path("shelter/sites/import/", shelter_views.import_sites, name="shelter-import"),
    path("shelter/sites/<uuid:site_uuid>/", shelter_views.site_detail, name="shelter-site"),
    path("shelter/sites/<uuid:site_uuid>/edit/", shelter_views.site_form,
         name="shelter-site-edit"),
    re_path(r"^shelter/placements/(?P<placement_uuid>[0-9a-f-]{36})/"
            r"(?P<action>check-in|check-out|cancel|move)/$", shelter_views.placement_action,
            name="shelter-placement"),
    # Browsers ask for /favicon.ico on every page that names no icon (JSON, files).
    path("favicon.ico", RedirectView.as_view(url=static("refuge/icons/favicon.ico"),
                                             permanent=True)),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("rules.js", offline.rules_script, name="rules-script"),
    path("collect/formList", collect_views.form_list, name="collect-form-list"),
    path("collect/submission", collect_views.submission, name="collect-submission"),
    path("collect/forms/<str:form_id>.xml", collect_views.form, name="collect-form"),
    path("collect/forms/<str:form_id>/manifest", collect_views.manifest,
         name="collect-manifest"),
    path("collect/forms/<str:form_id>/posts.csv", collect_views.posts, name="collect-posts"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
