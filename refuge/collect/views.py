"""The OpenRosa endpoints ODK Collect and KoboCollect talk to.

Point the app's server setting at `https://HOST/collect`; it then asks for
`/collect/formList`, downloads the form and its manifest, and sends filled forms to
`/collect/submission`. A submission becomes a household exactly as a desk registration
does, idempotent on the form's instanceID.
"""

from functools import wraps
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from refuge.accounts.models import Post
from refuge.accounts.roles import REGISTER, can
from refuge.collect import auth, submissions, xforms
from refuge.lib.errors import Invalid
from refuge.registry import services

OPENROSA_VERSION = "1.0"
XML = "text/xml; charset=utf-8"


def _openrosa(body: str, status: int = 200, content_type: str = XML) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    return response


def _message(text: str, status: int, nature: str = "") -> HttpResponse:
    nature_attribute = f' nature="{nature}"' if nature else ""
    return _openrosa('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
                     f"<message{nature_attribute}>{escape(text)}</message>"
                     "</OpenRosaResponse>", status)


def openrosa(view):
    """Signed in by Digest or Basic (or a browser session), and allowed to register."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # CSRF is skipped here, so a browser session counts only for reading: a page on
        # another site could otherwise post a household with a signed-in registrar's
        # cookie. Writes need Digest or Basic credentials, which browsers never add
        # by themselves.
        session = request.user if request.user.is_authenticated else None
        if request.method in ("GET", "HEAD") and session is not None:
            user = session
        else:
            user = auth.user_from(request)
        if user is None:
            response = _message(_("sign in with your Refuge user name and Collect password"),
                                401)
            response["WWW-Authenticate"] = auth.challenge()
            return response
        if not can(user, REGISTER):
            return _message(_("your role may not register households"), 403)
        request.user = user
        return view(request, *args, **kwargs)

    return wrapped


@openrosa
@require_http_methods(["GET", "HEAD"])
def form_list(request):
    form = xforms.household_form()
    download = request.build_absolute_uri(reverse("collect-form", args=[form.form_id]))
    manifest = request.build_absolute_uri(reverse("collect-manifest", args=[form.form_id]))
    return _openrosa(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList"><xform>'
        f"<formID>{form.form_id}</formID><name>{escape(form.title)}</name>"
        f"<version>{form.version}</version><hash>{form.hash}</hash>"
        f"<downloadUrl>{escape(download)}</downloadUrl>"
        f"<manifestUrl>{escape(manifest)}</manifestUrl>"
        "</xform></xforms>")


@openrosa
@require_http_methods(["GET", "HEAD"])
def form(request, form_id):
    if form_id != xforms.FORM_ID:
        return _message(_("this server has no form %(form)s") % {"form": form_id}, 404)
    return _openrosa(xforms.household_form().xml)


@openrosa
@require_http_methods(["GET", "HEAD"])
def manifest(request, form_id):
    if form_id != xforms.FORM_ID:
        return _message(_("this server has no form %(form)s") % {"form": form_id}, 404)
    posts = request.build_absolute_uri(reverse("collect-posts", args=[form_id]))
    return _openrosa(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest"><mediaFile>'
        f"<filename>posts.csv</filename><hash>{xforms.media_hash(xforms.posts_csv())}</hash>"
        f"<downloadUrl>{escape(posts)}</downloadUrl></mediaFile></manifest>")


@openrosa
@require_http_methods(["GET", "HEAD"])
def posts(request, form_id):
    return _openrosa(xforms.posts_csv(), content_type="text/csv; charset=utf-8")


@openrosa
@require_http_methods(["HEAD", "POST"])
def submission(request):
    limit = settings.REFUGE_COLLECT_MAX_BYTES
    if request.method == "HEAD":
        response = _openrosa("", 204)
        response["X-OpenRosa-Accept-Content-Length"] = str(limit)
        return response
    refused = _refused_upload(request, limit)
    if refused is not None:
        return refused
    try:
        result = _register(request, submissions.read(request.FILES["xml_submission_file"].read()))
    except submissions.Rejected as rejected:
        return _message(rejected.message, rejected.status, "error")
    except Invalid as invalid:
        problems = "; ".join(f"{e.field}: {e.message}" for e in invalid.errors)
        return _message(_("the household was not saved: %(problems)s") % {"problems": problems},
                        400, "error")
    except services.Conflict as conflict:
        return _message(conflict.message, 409, "error")
    number = result.household.registration_number
    if not result.created:
        return _message(_("Household %(number)s was already received.") % {"number": number},
                        202, "submit_success")
    return _message(_("Household %(number)s registered.") % {"number": number}, 201,
                    "submit_success")


def _refused_upload(request, limit: int):
    """A 413 when the body passes the limit, a 400 without the form's XML, a 413 when the
    attachments pass the limit (in that order); None when the upload may be read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _message(_("the submission is %(length)s bytes; this server takes at most "
                          "%(limit)s") % {"length": length, "limit": limit}, 413, "error")
    if request.FILES.get("xml_submission_file") is None:
        return _message(_("the submission has no xml_submission_file"), 400, "error")
    if sum(f.size for f in request.FILES.values()) > limit:
        return _message(_("the attachments are larger than %(limit)s bytes") % {"limit": limit},
                        413, "error")
    return None


def _register(request, sent):
    """The household a phone sent, registered at the reception centre its form names."""
    post = Post.objects.filter(code=sent.post_code, kind=Post.RECEPTION).first()
    if post is None:
        raise submissions.Rejected(_("%(post)s is not a reception centre here: get the "
                                     "blank form again") % {"post": sent.post_code})
    # Nobody at a phone can choose "same person" or "a different person": certain
    # duplicates are saved and queued for a reviewer, like every possible one.
    return services.register_household(sent.payload, user=request.user, post=post,
                                       desk=sent.desk, device_id=sent.device_id,
                                       ask_about_duplicates=False)
